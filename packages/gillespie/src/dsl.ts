/**
 * The reaction DSL: one statement per line.
 *
 * ```text
 * # Lotka-Volterra (comments start with # or //)
 * k_pred = 0.005          # a parameter (a name that is not a species)
 * X = 50                  # an initial amount (a name used as a species)
 * birth: X -> 2 X @ 1.0   # optional label, reactants -> products @ rate
 * X + Y -> 2 Y @ k_pred
 * Y -> 0 @ 0.6            # 0 (or ∅) is the empty side
 * 0 -> X @ k_in
 * param k_in = 2 * 0.5    # explicit forms: param NAME = EXPR, species NAME [= N]
 * G -> G + P @ vmax * G / (K + G)   # a rate that mentions species is the full propensity
 * ```
 *
 * A rate that mentions no species is a mass-action constant c, and the propensity is c times the number of distinct
 * reactant combinations (c · n(n−1)/2 for 2 A). A rate that mentions species is used as the propensity as written,
 * except that it is 0 while a reactant is below its stoichiometry: a reaction never fires without its reactants, so
 * `X -> 0 @ 1 + X` stops at X = 0. Initial amounts are integers from 0 to 2^53 − 1.
 *
 * @packageDocumentation
 */
import { ArgumentTypeError, ModelSyntaxError } from './errors.ts';
import { evaluateExpression } from './evaluate.ts';
import { echo, translateExpression } from './expression.ts';
import { amountProblem, checkName, type Reaction, type ReactionModel, type StoichiometryTerm, stoichiometryProblem, validateModel } from './model.ts';
import { stripComment } from './comments.ts';

interface Located<T> {
  readonly value: T;
  readonly line: number;
  readonly column: number;
}

interface ParsedReaction {
  readonly label: Located<string> | null;
  readonly reactants: Located<StoichiometryTerm>[];
  readonly products: Located<StoichiometryTerm>[];
  readonly rate: Located<string>;
  readonly line: number;
}

interface ParsedAssignment {
  readonly kind: 'param' | 'species' | 'either';
  readonly name: Located<string>;
  readonly expression: Located<string> | null;
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Column (1-based) of the first non-space character at or after `offset`. */
function columnAt(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i + 1;
}

function parseSide(text: string, offset: number, line: number, source: string): Located<StoichiometryTerm>[] {
  const trimmed = text.trim();
  const fail = (detail: string, at: number): never => {
    throw new ModelSyntaxError(detail, line, at, source);
  };
  if (trimmed === '') fail("expected species (e.g. '2 X + Y') or 0 for nothing", columnAt(text, 0) + offset);
  if (trimmed === '0' || trimmed === '∅') return [];
  const terms: Located<StoichiometryTerm>[] = [];
  let cursor = 0;
  for (const part of text.split('+')) {
    const column = offset + columnAt(part, 0) + cursor;
    const match = /^\s*(\d+)?\s*([^\s\d][^\s]*)?\s*$/.exec(part);
    const termText = part.trim();
    if (!match || match[2] === undefined) {
      fail(`expected a species term like 'X' or '2 X', got '${echo(termText)}'`, column);
    }
    const name = match![2]!;
    if (!NAME_PATTERN.test(name)) fail(`'${echo(name)}' is not a valid species name (letters, digits, _; not starting with a digit)`, column);
    const count = match![1] === undefined ? 1 : Number(match![1]);
    const problem = stoichiometryProblem(count);
    if (problem) fail(`stoichiometry of '${name}' ${problem}`, column);
    try {
      checkName(name, 'species');
    } catch (error) {
      fail((error as Error).message, column);
    }
    terms.push({ value: { species: name, count }, line, column });
    cursor += part.length + 1;
  }
  return terms;
}

function parseReactionLine(raw: string, lineNumber: number, source: string): ParsedReaction {
  const fail = (detail: string, column: number): never => {
    throw new ModelSyntaxError(detail, lineNumber, column, source);
  };
  let body = raw;
  let bodyOffset = 0;
  let label: Located<string> | null = null;
  const labelMatch = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/.exec(raw);
  if (labelMatch) {
    label = { value: labelMatch[1], line: lineNumber, column: raw.indexOf(labelMatch[1]) + 1 };
    bodyOffset = labelMatch[0].length;
    body = raw.slice(bodyOffset);
  }
  if (body.includes('<->') || body.includes('<=>')) {
    fail("reversible arrows are not supported: write the forward and backward reactions on two lines", raw.search(/<->|<=>/) + 1);
  }
  const arrow = body.search(/->|→/);
  const arrowLength = body.startsWith('→', arrow) ? 1 : 2;
  const at = body.indexOf('@');
  if (at >= 0 && at < arrow) fail("expected '->' before '@'", bodyOffset + at + 1);
  const lhs = body.slice(0, arrow);
  const rhsEnd = at >= 0 ? at : body.length;
  const rhs = body.slice(arrow + arrowLength, rhsEnd);
  const reactants = parseSide(lhs, bodyOffset, lineNumber, source);
  const products = parseSide(rhs, bodyOffset + arrow + arrowLength, lineNumber, source);
  if (at < 0) fail("missing rate: expected '@ RATE' after the products (e.g. 'X -> 0 @ 0.1')", raw.trimEnd().length + 1);
  const rateText = body.slice(at + 1);
  if (rateText.trim() === '') fail("expected a rate after '@' (a number, a parameter or an expression)", raw.trimEnd().length + 1);
  if (body.indexOf('@', at + 1) >= 0) fail("unexpected second '@'", bodyOffset + body.indexOf('@', at + 1) + 1);
  return {
    label,
    reactants,
    products,
    rate: { value: rateText.trim(), line: lineNumber, column: bodyOffset + at + 1 + columnAt(rateText, 0) },
    line: lineNumber,
  };
}

function parseAssignment(raw: string, lineNumber: number, source: string): ParsedAssignment {
  const match = /^\s*(?:(param|parameter|species)\s+)?([^\s=]+)\s*(=\s*(.*))?$/.exec(raw);
  const fail = (detail: string, column: number): never => {
    throw new ModelSyntaxError(detail, lineNumber, column, source);
  };
  if (!match) return fail("expected 'NAME = VALUE', a reaction 'A -> B @ rate', or a declaration", columnAt(raw, 0));
  const keyword = match[1];
  const name = match[2];
  const nameColumn = raw.indexOf(name, keyword ? raw.indexOf(keyword) + keyword.length : 0) + 1;
  if (!NAME_PATTERN.test(name)) fail(`'${echo(name)}' is not a valid name (letters, digits, _; not starting with a digit)`, nameColumn);
  try {
    checkName(name, keyword === 'species' ? 'species' : 'parameter');
  } catch (error) {
    fail((error as Error).message, nameColumn);
  }
  const kind = keyword === 'species' ? 'species' : keyword ? 'param' : 'either';
  if (match[3] === undefined) {
    if (kind !== 'species') fail(`expected '=' and a value after '${name}'`, nameColumn + name.length);
    return { kind, name: { value: name, line: lineNumber, column: nameColumn }, expression: null };
  }
  const valueText = match[4] ?? '';
  const equals = raw.indexOf('=', nameColumn - 1 + name.length);
  if (valueText.trim() === '') fail(`expected a value after '=' for '${name}'`, equals + 2);
  return {
    kind,
    name: { value: name, line: lineNumber, column: nameColumn },
    expression: { value: valueText.trim(), line: lineNumber, column: columnAt(raw, equals + 1) },
  };
}


const NO_AMOUNTS = new Float64Array(0);

/** Code for parameter `name`: `p[i]`, i its position in `parameters` (insertion order, as {@link evaluateOverParameters}). */
function parameterSlot(parameters: Map<string, number>, name: string): string {
  return `p[${[...parameters.keys()].indexOf(name)}]`;
}

/** Evaluates translated constant code over the parameters defined so far, without code generation (strict CSP). */
function evaluateOverParameters(code: string, parameters: Map<string, number>): number {
  return evaluateExpression(code)(NO_AMOUNTS, Float64Array.from(parameters.values()));
}

/**
 * Parses reaction-DSL text into a validated {@link ReactionModel}. Throws {@link ModelSyntaxError} naming the line and
 * column and what was expected.
 *
 * @param text the DSL source
 * @param source a name for error messages (e.g. the file name)
 *
 * @example
 * ```ts
 * const model = parseModel(`
 *   X -> 2 X @ 1.0
 *   X + Y -> 2 Y @ 0.005
 *   Y -> 0 @ 0.6
 *   X = 50
 *   Y = 100
 * `);
 * model.species.map((s) => s.name); // ['X', 'Y']
 * ```
 */
export function parseModel(text: string, source = 'model'): ReactionModel {
  if (typeof text !== 'string') throw new ArgumentTypeError('text', `text must be a string; got ${typeof text}`);
  const reactions: ParsedReaction[] = [];
  const assignments: ParsedAssignment[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const raw = stripComment(rawLine);
    if (raw.trim() === '') return;
    const lineNumber = index + 1;
    if (/->|→|<->|<=>/.test(raw)) reactions.push(parseReactionLine(raw, lineNumber, source));
    else if (raw.includes('@')) {
      throw new ModelSyntaxError("expected '->' between reactants and products", lineNumber, raw.indexOf('@') + 1, source);
    } else assignments.push(parseAssignment(raw, lineNumber, source));
  });

  const fail = (detail: string, at: { line: number; column: number }): never => {
    throw new ModelSyntaxError(detail, at.line, at.column, source);
  };

  // Species: declared ones and every name used in a reaction, in order of first appearance.
  const speciesOrder: string[] = [];
  const speciesAt = new Map<string, { line: number; column: number }>();
  const addSpecies = (name: string, at: { line: number; column: number }): void => {
    if (!speciesAt.has(name)) {
      speciesAt.set(name, at);
      speciesOrder.push(name);
    }
  };
  const firstSeen = [
    ...assignments.filter((a) => a.kind === 'species').map((a) => ({ line: a.name.line, name: a.name.value, at: a.name })),
    ...reactions.flatMap((r) => [...r.reactants, ...r.products].map((t) => ({ line: t.line, name: t.value.species, at: t }))),
  ].sort((a, b) => a.line - b.line || a.at.column - b.at.column);
  for (const entry of firstSeen) addSpecies(entry.name, entry.at);

  const initial = new Map<string, number>();
  const parameters = new Map<string, number>();
  const parameterOrder: string[] = [];
  const defined = new Map<string, { line: number; column: number }>();
  for (const assignment of assignments) {
    const name = assignment.name.value;
    const previous = defined.get(name);
    if (previous) fail(`duplicate definition of '${name}' (first defined on line ${previous.line})`, assignment.name);
    defined.set(name, assignment.name);
    const isSpecies = assignment.kind === 'species' || (assignment.kind === 'either' && speciesAt.has(name));
    if (assignment.kind === 'param' && speciesAt.has(name)) {
      fail(`'${name}' is used as a species and cannot also be a parameter`, assignment.name);
    }
    if (!assignment.expression) {
      initial.set(name, 0);
      continue;
    }
    const translated = translateExpression(
      assignment.expression.value,
      { symbol: (n) => (parameters.has(n) ? parameterSlot(parameters, n) : undefined) },
      { line: assignment.expression.line, column: assignment.expression.column, source },
    );
    const value = evaluateOverParameters(translated.code, parameters);
    if (!Number.isFinite(value)) fail(`value of '${name}' evaluates to ${value}; expected a finite number`, assignment.expression);
    if (isSpecies) {
      const problem = amountProblem(value);
      if (problem) fail(`initial amount of species '${name}' ${problem}`, assignment.expression);
      initial.set(name, value);
    } else {
      parameters.set(name, value);
      parameterOrder.push(name);
    }
  }

  const labels = new Map<string, number>();
  const modelReactions: Reaction[] = reactions.map((reaction, index) => {
    const name = reaction.label?.value ?? `r${index + 1}`;
    if (reaction.label) {
      const previous = labels.get(name);
      if (previous !== undefined) fail(`duplicate reaction label '${name}' (first used on line ${previous})`, reaction.label);
      if (speciesAt.has(name) || parameters.has(name)) fail(`reaction label '${name}' clashes with a species or parameter`, reaction.label);
      labels.set(name, reaction.line);
    }
    const mentionsSpecies: string[] = [];
    const translated = translateExpression(
      reaction.rate.value,
      {
        symbol: (n) => {
          if (parameters.has(n)) return parameterSlot(parameters, n);
          if (speciesAt.has(n)) {
            mentionsSpecies.push(n);
            return '1';
          }
          return undefined;
        },
      },
      { line: reaction.rate.line, column: reaction.rate.column, source },
    );
    const mergeSide = (terms: Located<StoichiometryTerm>[]): StoichiometryTerm[] => {
      const merged = new Map<string, number>();
      for (const t of terms) merged.set(t.value.species, (merged.get(t.value.species) ?? 0) + t.value.count);
      return [...merged].map(([species, count]) => ({ species, count }));
    };
    if (mentionsSpecies.length === 0) {
      const value = evaluateOverParameters(translated.code, parameters);
      if (!Number.isFinite(value) || value < 0) {
        fail(`rate constant evaluates to ${value}; expected a finite number >= 0`, reaction.rate);
      }
    }
    return {
      name,
      reactants: mergeSide(reaction.reactants),
      products: mergeSide(reaction.products),
      rate:
        mentionsSpecies.length === 0
          ? { kind: 'mass-action', constant: reaction.rate.value }
          : { kind: 'propensity', expression: reaction.rate.value },
      line: reaction.line,
    };
  });

  if (speciesOrder.length === 0) {
    throw new ModelSyntaxError('the model defines no species (expected at least one reaction)', 1, 1, source);
  }
  const model: ReactionModel = {
    species: speciesOrder.map((name) => ({ name, initial: initial.get(name) ?? 0 })),
    parameters: parameterOrder.map((name) => ({ name, value: parameters.get(name)! })),
    reactions: modelReactions,
  };
  validateModel(model);
  return model;
}

/**
 * Writes a model back as DSL text (parameters, initial amounts, then reactions); `parseModel` reads it back.
 *
 * @example
 * ```ts
 * formatModel(parseModel("X -> 0 @ 0.5\nX = 10")); // "species X = 10\nr1: X -> 0 @ 0.5\n"
 * ```
 */
export function formatModel(model: ReactionModel): string {
  validateModel(model);
  const side = (terms: readonly StoichiometryTerm[]): string =>
    terms.length === 0 ? '0' : terms.map((t) => (t.count === 1 ? t.species : `${t.count} ${t.species}`)).join(' + ');
  const lines: string[] = [];
  for (const p of model.parameters) lines.push(`param ${p.name} = ${p.value}`);
  for (const s of model.species) lines.push(`species ${s.name} = ${s.initial}`);
  for (const r of model.reactions) {
    const rate = r.rate.kind === 'mass-action' ? r.rate.constant : r.rate.expression;
    lines.push(`${r.name}: ${side(r.reactants)} -> ${side(r.products)} @ ${rate}`);
  }
  return `${lines.join('\n')}\n`;
}
