/**
 * Lattice model files: the text form (one statement per line) and the JSON form, both read into the same
 * {@link LatticeModelFile} data and validated by the one zod schema of `schema.ts`. Errors in the text form name the
 * line and column; errors in the JSON form name the field path. This module loads no expression parser (mathjs):
 * every number in a lattice file is a literal.
 *
 * ```text
 * # Lattice Lotka-Volterra (comments start with # or //)
 * description: prey X and predators Y on a 40 x 40 torus
 * species: X, Y
 * lattice: 40 x 40, periodic              # 1 to 3 extents; periodic (default) or closed
 * hop: X = 1, Y = 1                       # hop rate per particle (paper scheme: > 0 means it hops once per step)
 * X -> X + X anywhere @ k = 0.025, floor = 1
 * Y -> 0 @ 0.06                           # decay; a bare number is a rate
 * X + Y -> Y + Y @ p = 0.4, k = 0.2       # contact: p per hop attempt (paper), k per adjacent pair (exact)
 * scheme: paper, selection = row-biased   # the default scheme and the paper scheme's pick rule
 * time: dt = 1, steps = 500               # or t_end = 499
 * initial: counts X = 100, Y = 100        # or densities, snapshot FILE, boltzmann h A = [-1, 1], J A-A = 0.5, sweeps = 100
 * observable: count X                     # optional; default: counts, NN and NNN pairs of every species pair
 * observable: pair X Y nn as contacts
 * observable: run X 3 axis 0
 * ```
 *
 * Reaction shapes: `A -> 0` decay; `A -> B` conversion; `A -> A + B` (or `A -> 2 A`) birth onto a free neighbour, or
 * `anywhere`; `0 -> A` immigration (rate per free site); `A -> B + C` splitting (B on the site, C on a free
 * neighbour); `A + B -> C + D` contact between nearest neighbours (C replaces A, D replaces B; `0` or a missing
 * second product leaves the site empty).
 *
 * @packageDocumentation
 */
import type { z } from 'zod';
import { formatFieldPath, LatticeModelFileError, type SourcePosition } from './errors.ts';
import { type LatticeModelFile, latticeModelFileSchema } from './schema.ts';
import { stripComment } from '../../comments.ts';

/** A model file read and validated, with where each field came from (text form) for later error messages. */
export interface ParsedLatticeModel {
  /** The validated data. */
  readonly file: LatticeModelFile;
  /** File name used in messages. */
  readonly source: string;
  /** `'text'` or `'json'`. */
  readonly format: 'text' | 'json';
  /** Field path (`reactions.2.rate`) → position in the text form; empty for JSON. */
  readonly positions: ReadonlyMap<string, SourcePosition>;
}

/** Options of {@link parseLatticeModel}. */
export interface ParseLatticeModelOptions {
  /** Name of the file in messages (default `model`). */
  source?: string;
  /** Force a form; by default text starting with `{` is JSON. */
  format?: 'text' | 'json';
}

type TokenKind = 'name' | 'number' | 'symbol';
interface Token {
  kind: TokenKind;
  text: string;
  value: number;
  column: number;
}

const SECTIONS = ['description', 'species', 'lattice', 'hop', 'scheme', 'time', 'initial', 'observable'] as const;
type Section = (typeof SECTIONS)[number];

/** Reads one statement of the text form token by token; every failure names the line, the column and what was expected. */
class LineReader {
  readonly tokens: Token[] = [];
  index = 0;

  constructor(
    readonly text: string,
    readonly line: number,
    readonly source: string,
    readonly positions: Map<string, SourcePosition>,
  ) {
    let i = 0;
    while (i < text.length) {
      const ch = text[i];
      if (/\s/.test(ch)) {
        i++;
        continue;
      }
      const previous = this.tokens[this.tokens.length - 1];
      const afterValue = previous !== undefined && (previous.kind !== 'symbol' || previous.text === ')' || previous.text === ']');
      const rest = text.slice(i);
      const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
      if (number && (rest[0] !== '-' || !afterValue)) {
        this.tokens.push({ kind: 'number', text: number[0], value: Number(number[0]), column: i + 1 });
        i += number[0].length;
        continue;
      }
      if ((ch === 'x' || ch === '×') && previous?.kind === 'number' && /^[x×]\s*\d/.test(rest)) {
        this.tokens.push({ kind: 'symbol', text: 'x', value: 0, column: i + 1 });
        i++;
        continue;
      }
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
      if (name) {
        this.tokens.push({ kind: 'name', text: name[0], value: 0, column: i + 1 });
        i += name[0].length;
        continue;
      }
      const symbol = /^(->|→|∅|[+@,=:[\]()\-×])/.exec(rest);
      // After 'snapshot' comes a file path, read raw by the initial-condition parser.
      if (!symbol && this.tokens.some((t) => t.kind === 'name' && t.text === 'snapshot')) break;
      if (!symbol) this.fail(`unexpected character '${ch}'`, i + 1);
      const text2 = symbol![0] === '→' ? '->' : symbol![0] === '×' ? 'x' : symbol![0];
      this.tokens.push({ kind: 'symbol', text: text2, value: 0, column: i + 1 });
      i += symbol![0].length;
    }
  }

  fail(detail: string, column?: number): never {
    throw new LatticeModelFileError(detail, { source: this.source, position: { line: this.line, column: column ?? this.column() } });
  }

  /** Column of the current token (or just past the end of the statement). */
  column(): number {
    const token = this.tokens[this.index];
    return token ? token.column : this.text.trimEnd().length + 1;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }

  describe(token: Token | undefined): string {
    return token === undefined ? 'the end of the line' : `'${token.text}'`;
  }

  at(path: string, column = this.column()): void {
    this.positions.set(path, { line: this.line, column });
  }

  isSymbol(text: string): boolean {
    const token = this.peek();
    return token !== undefined && token.kind === 'symbol' && token.text === text;
  }

  isWord(...words: string[]): boolean {
    const token = this.peek();
    return token !== undefined && token.kind === 'name' && words.includes(token.text);
  }

  symbol(text: string, what = `'${text}'`): Token {
    const token = this.peek();
    if (token?.kind !== 'symbol' || token.text !== text) this.fail(`expected ${what}, got ${this.describe(token)}`);
    this.index++;
    return token!;
  }

  name(what: string): Token {
    const token = this.peek();
    if (token?.kind !== 'name') this.fail(`expected ${what}, got ${this.describe(token)}`);
    this.index++;
    return token!;
  }

  /** A name possibly joined by dashes (`row-biased`, `A-B`). */
  dashed(what: string): { text: string; column: number } {
    const first = this.name(what);
    let text = first.text;
    while (this.isSymbol('-') && this.peek(1)?.kind === 'name') {
      this.index++;
      text += `-${this.name(what).text}`;
    }
    return { text, column: first.column };
  }

  word<W extends string>(words: readonly W[], what: string): W {
    const token = this.peek();
    const joined = token?.kind === 'name' ? this.dashed(what).text : undefined;
    if (joined === undefined || !words.includes(joined as W)) {
      this.fail(`expected ${what} (${words.join(', ')}), got ${joined === undefined ? this.describe(token) : `'${joined}'`}`, token?.column);
    }
    return joined as W;
  }

  number(what: string): number {
    const token = this.peek();
    if (token?.kind !== 'number') this.fail(`expected ${what}, got ${this.describe(token)}`);
    this.index++;
    return token!.value;
  }

  /** `NAME = NUMBER` items separated by commas, until the end of the line. */
  assignments(what: string, onItem: (name: Token) => void): void {
    for (;;) {
      const name = this.name(what);
      this.symbol('=', `'=' after '${name.text}'`);
      onItem(name);
      if (this.done()) return;
      this.symbol(',', "',' or the end of the line");
    }
  }

  end(): void {
    if (!this.done()) this.fail(`expected the end of the line, got ${this.describe(this.peek())}`);
  }
}

interface Draft {
  description?: string;
  species?: string[];
  lattice?: { shape: number[]; boundary?: 'periodic' | 'closed' };
  hop?: Record<string, number>;
  reactions: Record<string, unknown>[];
  scheme?: { name: string; selection?: string };
  time?: Record<string, number>;
  initial?: Record<string, unknown>;
  observables?: Record<string, unknown>[];
}

/**
 * One side of a reaction; in a side of several terms, `0` stands for an empty site (`A + B -> 0 + B`). `stop(k)` tells
 * whether the token k places ahead ends the side.
 */
function parseSide(r: LineReader, stop: (ahead: number) => boolean, what: string): { names: (string | null)[]; columns: number[] } {
  const names: (string | null)[] = [];
  const columns: number[] = [];
  const isEmpty = (t: Token | undefined) => t !== undefined && ((t.kind === 'number' && t.text === '0') || (t.kind === 'symbol' && t.text === '∅'));
  const next = r.peek(1);
  if (isEmpty(r.peek()) && (stop(1) || (next !== undefined && next.kind !== 'name' && next.text !== '+'))) {
    r.index++;
    return { names, columns };
  }
  for (;;) {
    const token = r.peek();
    if (isEmpty(token) && (stop(1) || r.peek(1)?.text === '+')) {
      names.push(null);
      columns.push(token!.column);
      r.index++;
    } else {
      let count = 1;
      let column = token?.column ?? r.column();
      if (token?.kind === 'number') {
        if (!Number.isInteger(token.value) || token.value < 1) r.fail(`expected a positive whole number of molecules, got '${token.text}'`);
        // Checked before the names are expanded: '1e20 A' must not allocate 10^20 entries.
        if (token.value > 2) r.fail(`a lattice reaction has at most two molecules on a side, got '${token.text}'`);
        count = token.value;
        r.index++;
      }
      const name = r.name(`a species name in the ${what} (or 0 for nothing)`);
      if (token?.kind !== 'number') column = name.column;
      for (let i = 0; i < count; i++) {
        names.push(name.text);
        columns.push(column);
      }
    }
    if (stop(0)) return { names, columns };
    r.symbol('+', `'+' or the end of the ${what}`);
  }
}

function parseReaction(r: LineReader, index: number, draft: Draft): void {
  const at = `reactions.${index}`;
  r.at(at, r.peek()?.column ?? 1);
  const lhs = parseSide(r, (k) => r.peek(k)?.text === '->', 'reactants');
  r.symbol('->', "'->'");
  const rhs = parseSide(
    r,
    (k) => {
      const t = r.peek(k);
      if (t === undefined || (t.kind === 'symbol' && t.text === '@')) return true;
      return t.kind === 'name' && /^(anywhere|neighbou?r)$/.test(t.text) && (r.peek(k + 1) === undefined || r.peek(k + 1)?.text === '@');
    },
    'products',
  );
  let placement: 'anywhere' | 'neighbour' | undefined;
  let placementColumn = 0;
  if (r.isWord('anywhere', 'neighbour', 'neighbor')) {
    placementColumn = r.column();
    placement = r.name('a placement').text === 'anywhere' ? 'anywhere' : 'neighbour';
  }
  const arrowColumn = r.tokens.find((t) => t.text === '->')!.column;
  let reaction: Record<string, unknown>;
  const A = lhs.names;
  const P = rhs.names;
  const name = (side: { names: (string | null)[]; columns: number[] }, i: number, path: string) => {
    r.at(`${at}.${path}`, side.columns[i]);
    return side.names[i];
  };
  if (A.length === 0 && P.length === 0) r.fail("a reaction '0 -> 0' does nothing", arrowColumn);
  const emptyReactant = A.indexOf(null);
  if (emptyReactant >= 0) r.fail("'0' stands alone on the reactant side ('0 -> A' is immigration)", lhs.columns[emptyReactant]);
  const emptyProduct = P.indexOf(null);
  if (emptyProduct >= 0 && A.length !== 2) r.fail("'0' inside a product list only applies to contact reactions 'A + B -> 0 + D'", rhs.columns[emptyProduct]);
  if (A.length > 2) r.fail(`at most two reactants (nearest-neighbour contacts); got ${A.length}`, lhs.columns[2]);
  if (P.length > 2) r.fail(`at most two products on a single-occupancy lattice; got ${P.length}`, rhs.columns[2]);
  if (A.length === 0) {
    if (P.length !== 1) r.fail("immigration '0 -> A' makes one particle", rhs.columns[1]);
    reaction = { type: 'immigration', product: name(rhs, 0, 'product') };
  } else if (A.length === 1 && P.length === 0) {
    reaction = { type: 'decay', reactant: name(lhs, 0, 'reactant') };
  } else if (A.length === 1 && P.length === 1) {
    if (P[0] === A[0]) r.fail(`'${A[0]} -> ${A[0]}' does nothing`, rhs.columns[0]);
    reaction = { type: 'conversion', reactant: name(lhs, 0, 'reactant'), product: name(rhs, 0, 'product') };
  } else if (A.length === 1 && P[0] === A[0]) {
    reaction = { type: 'birth', parent: name(lhs, 0, 'parent'), offspring: name(rhs, 1, 'offspring') };
    if (placement) {
      reaction.placement = placement;
      r.at(`${at}.placement`, placementColumn);
    }
  } else if (A.length === 1) {
    r.at(`${at}.products`, rhs.columns[0]);
    reaction = { type: 'splitting', reactant: name(lhs, 0, 'reactant'), products: [name(rhs, 0, 'products.0'), name(rhs, 1, 'products.1')] };
  } else {
    r.at(`${at}.products`, rhs.columns[0] ?? arrowColumn);
    reaction = {
      type: 'contact',
      reactants: [name(lhs, 0, 'reactants.0'), name(lhs, 1, 'reactants.1')],
      products: [P.length > 0 ? name(rhs, 0, 'products.0') : null, P.length > 1 ? name(rhs, 1, 'products.1') : null],
    };
  }
  if (placement !== undefined && reaction.type !== 'birth') {
    r.fail(`'${placement}' only applies to a birth 'A -> A + B' (${reaction.type === 'splitting' ? 'splitting always uses a free neighbour' : 'this reaction places nothing'})`, placementColumn);
  }
  if (!r.isSymbol('@')) r.fail(`expected '@' and the reaction's numbers (e.g. '@ 0.5'${reaction.type === 'contact' ? " or '@ p = 0.4, k = 0.2'" : ''}), got ${r.describe(r.peek())}`);
  const atColumn = r.symbol('@').column;
  const contact = reaction.type === 'contact';
  if (r.peek()?.kind === 'number') {
    if (contact) {
      r.fail("a contact reaction needs 'p = ...' (probability per hop attempt, paper scheme) and/or 'k = ...' (rate per adjacent pair, exact scheme)");
    }
    r.at(`${at}.rate`);
    reaction.rate = r.number('a rate');
    r.end();
  } else {
    if (r.done()) r.fail(contact ? "expected 'p = ...' and/or 'k = ...' after '@'" : "expected a rate after '@' (e.g. '@ 0.5')", atColumn + 1);
    const seen = new Set<string>();
    r.assignments(contact ? "'p' or 'k'" : "a rate or 'k'", (key) => {
      const field = key.text === 'k' || key.text === 'rate' ? 'rate' : key.text === 'p' || key.text === 'probability' ? 'probability' : key.text === 'floor' ? 'floor' : null;
      if (field === null) r.fail(`expected k (rate), p (probability)${reaction.type === 'birth' ? ' or floor' : ''}, got '${key.text}'`, key.column);
      if (field === 'probability' && !contact) r.fail(`a probability p only applies to contact reactions 'A + B -> ...'; give a rate k`, key.column);
      if (field === 'floor' && reaction.type !== 'birth') r.fail("'floor' only applies to births 'A -> A + B anywhere'", key.column);
      if (seen.has(field!)) r.fail(`'${key.text}' given twice`, key.column);
      seen.add(field!);
      r.at(`${at}.${field}`);
      reaction[field!] = r.number(`a number for '${key.text}'`);
    });
    if (!contact && !seen.has('rate')) r.fail("expected a rate 'k = ...'", atColumn);
  }
  draft.reactions.push(reaction);
}

function parameter(r: LineReader, what: string): number | { min: number; max: number } {
  if (r.isSymbol('[')) {
    r.index++;
    const min = r.number(`the lower end of the range for ${what}`);
    r.symbol(',', "',' between the ends of the range");
    const max = r.number(`the upper end of the range for ${what}`);
    r.symbol(']', "']' closing the range");
    return { min, max };
  }
  return r.number(`a number or a range [min, max] for ${what}`);
}

function parseInitial(r: LineReader, draft: Draft): void {
  r.at('initial');
  const kindColumn = r.column();
  const kind = r.word(['counts', 'densities', 'snapshot', 'boltzmann'] as const, 'an initial condition');
  if (kind === 'snapshot') {
    const start = r.peek();
    if (!start) r.fail('expected the path of a snapshot file');
    r.at('initial.file', start!.column);
    draft.initial = { type: 'snapshot', file: r.text.slice(start!.column - 1).trim() };
    r.index = r.tokens.length;
    return;
  }
  if (kind === 'counts' || kind === 'densities') {
    const values: Record<string, number> = {};
    r.at(`initial.${kind}`, kindColumn);
    r.assignments('a species name', (name) => {
      if (name.text in values) r.fail(`'${name.text}' given twice`, name.column);
      r.at(`initial.${kind}.${name.text}.@key`, name.column);
      r.at(`initial.${kind}.${name.text}`);
      values[name.text] = r.number(kind === 'counts' ? 'a count' : 'a density');
    });
    draft.initial = { type: kind, [kind]: values };
    return;
  }
  const ic: Record<string, unknown> = { type: 'boltzmann', h: {} };
  for (;;) {
    const key = r.name("h, J, K, sweeps or conditions");
    if (key.text === 'h' || key.text === 'J' || key.text === 'K') {
      const target = r.dashed(key.text === 'h' ? 'a species name' : `species joined by '-' (e.g. ${key.text === 'J' ? 'A-B' : 'A-A-A'})`);
      r.symbol('=', `'=' after '${key.text} ${target.text}'`);
      const group = (ic[key.text] ??= {}) as Record<string, unknown>;
      if (target.text in group) r.fail(`'${key.text} ${target.text}' given twice`, target.column);
      r.at(`initial.${key.text}.${target.text}`, target.column);
      group[target.text] = parameter(r, `${key.text} ${target.text}`);
    } else if (key.text === 'sweeps' || key.text === 'conditions') {
      r.symbol('=', `'=' after '${key.text}'`);
      if (key.text in ic) r.fail(`'${key.text}' given twice`, key.column);
      r.at(`initial.${key.text}`);
      ic[key.text] = r.number(`a whole number of ${key.text}`);
    } else r.fail(`expected h, J, K, sweeps or conditions, got '${key.text}'`, key.column);
    if (r.done()) break;
    r.symbol(',', "',' or the end of the line");
  }
  if (!('sweeps' in ic)) r.fail("a Boltzmann initial condition needs 'sweeps = N' (Gibbs sweeps from a random start)");
  draft.initial = ic;
}

function parseObservable(r: LineReader, draft: Draft): void {
  const list = (draft.observables ??= []);
  const at = `observables.${list.length}`;
  r.at(at);
  const kind = r.word(['count', 'pair', 'run'] as const, 'an observable');
  const observable: Record<string, unknown> = { type: kind };
  const species = (path: string) => {
    r.at(`${at}.${path}`);
    return r.name('a species name').text;
  };
  if (kind === 'count') observable.species = species('species');
  else if (kind === 'pair') {
    observable.species = [species('species.0'), species('species.1')];
    r.at(`${at}.displacements`);
    if (r.isWord('at')) {
      r.index++;
      const vectors: number[][] = [];
      while (r.isSymbol('(')) {
        r.at(`${at}.displacements.${vectors.length}`);
        r.index++;
        const vector = [r.number('a displacement component')];
        while (r.isSymbol(',')) {
          r.index++;
          vector.push(r.number('a displacement component'));
        }
        r.symbol(')', "',' or ')'");
        vectors.push(vector);
      }
      if (vectors.length === 0) r.fail("expected displacements like '(1, 0) (0, 1)' after 'at'");
      observable.displacements = vectors;
    } else observable.displacements = r.word(['nn', 'nnn'] as const, "'nn', 'nnn' or 'at (dx, dy) ...'");
  } else {
    observable.species = species('species');
    r.at(`${at}.length`);
    observable.length = r.number('the run length (consecutive sites)');
    if (r.isWord('axis')) {
      r.index++;
      r.at(`${at}.axis`);
      observable.axis = r.number('an axis (0, 1 or 2)');
    }
  }
  if (r.isWord('as')) {
    r.index++;
    r.at(`${at}.name`);
    observable.name = r.name('a column name').text;
  }
  r.end();
  list.push(observable);
}

function parseText(text: string, source: string, positions: Map<string, SourcePosition>): Draft {
  const draft: Draft = { reactions: [] };
  const seen = new Map<Section, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const body = stripComment(raw);
    if (body.trim() === '') return;
    const keyword = /^\s*([A-Za-z_]+)\s*:/.exec(body);
    if (keyword && (SECTIONS as readonly string[]).includes(keyword[1])) {
      const section = keyword[1] as Section;
      const column = body.indexOf(keyword[1]) + 1;
      if (section !== 'observable' && section !== 'hop' && seen.has(section)) {
        throw new LatticeModelFileError(`'${section}:' given twice (first on line ${seen.get(section)})`, { source, position: { line, column } });
      }
      seen.set(section, line);
      const restOffset = keyword[0].length;
      if (section === 'description') {
        draft.description = body.slice(restOffset).trim();
        positions.set('description', { line, column });
        return;
      }
      const r = new LineReader(body, line, source, positions);
      r.index = r.tokens.findIndex((t) => t.text === ':') + 1;
      positions.set(section === 'observable' ? 'observables' : section, { line, column });
      if (r.done()) r.fail(`expected the ${section} after '${section}:'`);
      switch (section) {
        case 'species':
          draft.species = [];
          for (;;) {
            r.at(`species.${draft.species.length}`);
            draft.species.push(r.name('a species name').text);
            if (r.done()) break;
            r.symbol(',', "',' or the end of the line");
          }
          break;
        case 'lattice': {
          const shape: number[] = [];
          for (;;) {
            r.at(`lattice.shape.${shape.length}`);
            shape.push(r.number('a lattice extent (number of sites along an axis)'));
            if (!r.isSymbol('x')) break;
            r.index++;
          }
          draft.lattice = { shape };
          r.at('lattice.shape', column);
          if (!r.done()) {
            r.symbol(',', "'x' and another extent, ',' and a boundary, or the end of the line");
            r.at('lattice.boundary');
            draft.lattice.boundary = r.word(['periodic', 'closed'] as const, 'a boundary');
          }
          r.end();
          break;
        }
        case 'hop':
          draft.hop ??= {};
          r.assignments('a species name', (name) => {
            if (name.text in draft.hop!) r.fail(`hop rate of '${name.text}' given twice`, name.column);
            r.at(`hop.${name.text}.@key`, name.column);
            r.at(`hop.${name.text}`);
            draft.hop![name.text] = r.number('a hop rate');
          });
          break;
        case 'scheme':
          r.at('scheme.name');
          draft.scheme = { name: r.word(['paper', 'exact'] as const, 'a scheme') };
          if (!r.done()) {
            r.symbol(',', "',' or the end of the line");
            const key = r.name("'selection'");
            if (key.text !== 'selection') r.fail(`expected 'selection', got '${key.text}'`, key.column);
            r.symbol('=', "'='");
            r.at('scheme.selection');
            draft.scheme.selection = r.word(['uniform', 'row-biased'] as const, 'a pick rule');
          }
          r.end();
          break;
        case 'time':
          draft.time = {};
          r.assignments('dt, steps or t_end', (key) => {
            const field = key.text === 't_end' || key.text === 'tEnd' ? 'tEnd' : key.text;
            if (field !== 'dt' && field !== 'steps' && field !== 'tEnd') r.fail(`expected dt, steps or t_end, got '${key.text}'`, key.column);
            if (field in draft.time!) r.fail(`'${key.text}' given twice`, key.column);
            r.at(`time.${field}.@key`, key.column);
            r.at(`time.${field}`);
            draft.time![field] = r.number(`a number for ${key.text}`);
          });
          break;
        case 'initial':
          parseInitial(r, draft);
          break;
        case 'observable':
          parseObservable(r, draft);
          break;
      }
      return;
    }
    const r = new LineReader(body, line, source, positions);
    if (r.tokens.some((t) => t.text === '->')) {
      parseReaction(r, draft.reactions.length, draft);
      return;
    }
    r.fail(`expected a reaction ('A + B -> C @ ...') or a section (${SECTIONS.map((s) => `${s}:`).join(', ')})`, r.tokens[0]?.column ?? 1);
  });
  const missing = (['species', 'lattice', 'scheme', 'time', 'initial'] as const).filter((s) => !seen.has(s));
  if (missing.length > 0) {
    throw new LatticeModelFileError(`missing ${missing.map((s) => `'${s}:'`).join(', ')} (every model file states its species, lattice, scheme, time grid and initial state)`, {
      source,
      position: { line: lines.length, column: 1 },
    });
  }
  return draft;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The first schema issue as a {@link LatticeModelFileError} located in the text (or by field path in JSON). */
function issueError(
  issue: z.core.$ZodIssue,
  data: unknown,
  source: string,
  positions: ReadonlyMap<string, SourcePosition>,
  sourceOf: (path: readonly PropertyKey[]) => string = () => source,
): LatticeModelFileError {
  let path = issue.path.slice();
  let detail = issue.message;
  // A union that failed on a nested field: report the innermost issue.
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const inner = issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0];
    if (inner) {
      path = [...path, ...inner.path];
      detail = inner.message;
    }
  }
  if (issue.code === 'unrecognized_keys') detail = `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  const value = valueAt(data, path);
  const field = formatFieldPath(path) || 'the model';
  const got = issue.code === 'custom' || issue.code === 'unrecognized_keys' ? '' : `; got ${show(value)}`;
  // A custom issue about a key (an undeclared species, a misplaced field) points at the key, others at the value.
  let position: SourcePosition | null = issue.code === 'custom' ? (positions.get(`${path.map(String).join('.')}.@key`) ?? null) : null;
  for (let n = path.length; n >= 0 && position === null; n--) position = positions.get(path.slice(0, n).map(String).join('.')) ?? null;
  return new LatticeModelFileError(`${field} ${detail}${got}`, { source: sourceOf(path), position, path: field });
}

function validate(
  data: unknown,
  source: string,
  format: 'text' | 'json',
  positions: Map<string, SourcePosition>,
  sourceOf?: (path: readonly PropertyKey[]) => string,
): ParsedLatticeModel {
  const result = latticeModelFileSchema.safeParse(data);
  if (!result.success) {
    // Report the issue that comes first in the file (text), or the first one zod found (JSON).
    const issues = result.error.issues.slice();
    if (format === 'text') {
      const where = (issue: z.core.$ZodIssue) => issueError(issue, data, source, positions, sourceOf);
      issues.sort((a, b) => {
        const pa = where(a);
        const pb = where(b);
        return pa.line - pb.line || pa.column - pb.column;
      });
    }
    throw issueError(issues[0], data, source, positions, sourceOf);
  }
  return { file: result.data, source, format, positions };
}

/**
 * Reads a lattice model file, text or JSON (see the module comment for the text form), and validates it against
 * {@link latticeModelFileSchema}. Throws {@link LatticeModelFileError} naming the line and column (text) or the field
 * path (JSON), what was expected and what was found.
 *
 * @example
 * ```ts
 * const { file } = parseLatticeModel(`
 *   species: A
 *   lattice: 100, closed
 *   hop: A = 1
 *   A + A -> 0 @ p = 1
 *   scheme: paper
 *   time: dt = 1, steps = 50
 *   initial: densities A = 0.5
 * `);
 * file.reactions[0]; // { type: 'contact', reactants: ['A', 'A'], products: [null, null], probability: 1 }
 * ```
 */
export function parseLatticeModel(text: string, options: ParseLatticeModelOptions = {}): ParsedLatticeModel {
  if (typeof text !== 'string') throw new TypeError(`text must be a string; got ${typeof text}`);
  const source = options.source ?? 'model';
  const format = options.format ?? (text.trimStart().startsWith('{') ? 'json' : 'text');
  const positions = new Map<string, SourcePosition>();
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new LatticeModelFileError(`is not valid JSON (${(error as Error).message})`, { source });
    }
    return validate(data, source, 'json', positions);
  }
  return validate(parseText(text, source, positions), source, 'text', positions);
}

/**
 * Validates model-file data given as an object (the JSON form already parsed).
 *
 * @example
 * ```ts
 * const parsed = parseLatticeModelData(JSON.parse(readFileSync('model.json', 'utf8')), 'model.json');
 * ```
 */
export function parseLatticeModelData(data: unknown, source = 'model'): ParsedLatticeModel {
  return validate(data, source, 'json', new Map());
}

/** Replacement sections for {@link withLatticeSections}, in the text form (the command line's options). */
export interface LatticeSectionTexts {
  /** An `initial:` line without the keyword, e.g. `densities A = 0.3` (errors name the source `--initial`). */
  initial?: string;
  /** `observable:` lines without the keyword, separated by `;` (errors name the source `--observables`). */
  observables?: string;
}

/**
 * The model with its initial condition and/or observables replaced by sections written in the text form (the
 * command line's `--initial` and `--observables`), validated with the rest of the file by the same schema.
 *
 * @example
 * ```ts
 * const dense = withLatticeSections(parsed, { initial: 'densities A = 0.5', observables: 'count A; run A 3' });
 * ```
 */
export function withLatticeSections(parsed: ParsedLatticeModel, sections: LatticeSectionTexts): ParsedLatticeModel {
  const draft = structuredClone(parsed.file) as unknown as Draft;
  const positions = new Map(parsed.positions);
  const replaced: { prefix: string; source: string }[] = [];
  const drop = (prefix: string) => {
    for (const key of [...positions.keys()]) if (key === prefix || key.startsWith(`${prefix}.`)) positions.delete(key);
  };
  if (sections.initial !== undefined) {
    drop('initial');
    const r = new LineReader(sections.initial, 1, '--initial', positions);
    if (r.done()) r.fail('expected an initial condition (counts, densities, snapshot or boltzmann)');
    parseInitial(r, draft);
    r.end();
    replaced.push({ prefix: 'initial', source: '--initial' });
  }
  if (sections.observables !== undefined) {
    drop('observables');
    draft.observables = [];
    let offset = 0;
    for (const part of sections.observables.split(';')) {
      if (part.trim() !== '') {
        const r = new LineReader(' '.repeat(offset) + part, 1, '--observables', positions);
        parseObservable(r, draft);
      }
      offset += part.length + 1;
    }
    if (draft.observables.length === 0) {
      throw new LatticeModelFileError("expected observables like 'count A; pair A A nn'", { source: '--observables', position: { line: 1, column: 1 } });
    }
    replaced.push({ prefix: 'observables', source: '--observables' });
  }
  const sourceOf = (path: readonly PropertyKey[]) => replaced.find((r) => path[0] === r.prefix)?.source ?? parsed.source;
  const result = validate(draft, parsed.source, 'text', positions, sourceOf);
  return { ...result, format: parsed.format };
}
