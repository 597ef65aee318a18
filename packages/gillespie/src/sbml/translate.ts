/**
 * Expression trees to JavaScript: the tree is written as a mathjs expression (SBML ids verbatim where mathjs
 * accepts them) and checked and emitted by the package's `translateExpression`, twice: once for the exact value at
 * time t and once for the right limit t+ (used by propensities, which hold on the interval after t, and by
 * triggers such as `time > 5` that become true just after 5).
 *
 * Time may appear anywhere in expressions evaluated at an instant (event assignments, reported rule values). In
 * propensities and triggers it may only be compared with a time-independent value (`time >= 22.5`,
 * `piecewise(k1, time < T, k2)`): such expressions are piecewise constant in time, and the comparison values are
 * returned as `thresholds`, the times where the SSA must stop and re-evaluate (exact by memorylessness).
 *
 * @packageDocumentation
 */
import { parse } from 'mathjs';
import { ModelError } from '../errors.ts';
import { echo, translateExpression } from '../expression.ts';
import { SbmlError } from './errors.ts';
import type { Ast, Owner } from './mathml.ts';
import { mentions } from './mathml.ts';

/** The JavaScript translation of an expression over `x` (species amounts), `p` (parameters) and `t`. */
export interface Translation {
  /** The value at time t. */
  readonly exact: string;
  /** The right limit at t (differs from `exact` only at thresholds). */
  readonly right: string;
  /** JS expressions over x and p: the times where the expression may jump. */
  readonly thresholds: readonly string[];
  /** True when time appears other than in a comparison with a time-independent value. */
  readonly continuousTime: boolean;
  /** A readable formula. */
  readonly text: string;
}

/** Resolves identifiers of one context (global, or a kinetic law with local parameters). */
export type SymbolResolver = (name: string) => Translation | undefined;

/** A translation of a plain variable. */
export function variable(code: string, text: string): Translation {
  return { exact: code, right: code, thresholds: [], continuousTime: false, text };
}

/** A translation of a constant. */
export function constant(value: number): Translation {
  const code = Number.isNaN(value) ? 'NaN' : value < 0 || Object.is(value, -0) ? `(${value})` : String(value);
  return variable(code, String(value));
}

const safeNames = new Map<string, boolean>();
function isSafeName(name: string): boolean {
  let safe = safeNames.get(name);
  if (safe === undefined) {
    try {
      const node = parse(name) as unknown as { type: string; name?: string };
      safe = /^[A-Za-z][A-Za-z0-9_]*$/.test(name) && node.type === 'SymbolNode' && node.name === name;
    } catch {
      safe = false;
    }
    if (safeNames.size < 10_000) safeNames.set(name, safe);
  }
  return safe;
}

const JS_FUNCTIONS: Record<string, (a: string[]) => string> = {
  abs: (a) => `Math.abs(${a[0]})`,
  exp: (a) => `Math.exp(${a[0]})`,
  ln: (a) => `Math.log(${a[0]})`,
  log: (a) => (a[0] === '10' ? `Math.log10(${a[1]})` : `(Math.log(${a[1]}) / Math.log(${a[0]}))`),
  root: (a) => (a[0] === '2' ? `Math.sqrt(${a[1]})` : `Math.pow(${a[1]}, 1 / ${a[0]})`),
  floor: (a) => `Math.floor(${a[0]})`,
  ceiling: (a) => `Math.ceil(${a[0]})`,
  factorial: (a) => `((n) => { if (!(n >= 0) || n !== Math.floor(n)) return NaN; let f = 1; for (let i = 2; i <= n; i++) f *= i; return f; })(${a[0]})`,
  sin: (a) => `Math.sin(${a[0]})`,
  cos: (a) => `Math.cos(${a[0]})`,
  tan: (a) => `Math.tan(${a[0]})`,
  sec: (a) => `(1 / Math.cos(${a[0]}))`,
  csc: (a) => `(1 / Math.sin(${a[0]}))`,
  cot: (a) => `(1 / Math.tan(${a[0]}))`,
  sinh: (a) => `Math.sinh(${a[0]})`,
  cosh: (a) => `Math.cosh(${a[0]})`,
  tanh: (a) => `Math.tanh(${a[0]})`,
  sech: (a) => `(1 / Math.cosh(${a[0]}))`,
  csch: (a) => `(1 / Math.sinh(${a[0]}))`,
  coth: (a) => `(1 / Math.tanh(${a[0]}))`,
  arcsin: (a) => `Math.asin(${a[0]})`,
  arccos: (a) => `Math.acos(${a[0]})`,
  arctan: (a) => `Math.atan(${a[0]})`,
  arcsec: (a) => `Math.acos(1 / ${a[0]})`,
  arccsc: (a) => `Math.asin(1 / ${a[0]})`,
  arccot: (a) => `Math.atan(1 / ${a[0]})`,
  arcsinh: (a) => `Math.asinh(${a[0]})`,
  arccosh: (a) => `Math.acosh(${a[0]})`,
  arctanh: (a) => `Math.atanh(${a[0]})`,
  arcsech: (a) => `Math.acosh(1 / ${a[0]})`,
  arccsch: (a) => `Math.asinh(1 / ${a[0]})`,
  arccoth: (a) => `Math.atanh(1 / ${a[0]})`,
  max: (a) => `Math.max(${a.join(', ')})`,
  min: (a) => `Math.min(${a.join(', ')})`,
  quotient: (a) => `Math.trunc(${a[0]} / ${a[1]})`,
  rem: (a) => `(${a[0]} % ${a[1]})`,
  xor: (a) => `((${a.map((x) => `(${x} ? 1 : 0)`).join(' + ') || '0'}) % 2)`,
  implies: (a) => `(${a[0]} ? (${a[1]} ? 1 : 0) : 1)`,
  nan: () => 'NaN',
  inf: () => 'Infinity',
  ninf: () => '(-Infinity)',
};

/** `time OP h` as exact and right-limit code. */
const TIME_COMPARISONS: Record<string, { exact: (h: string) => string; right: (h: string) => string }> = {
  lt: { exact: (h) => `(t < ${h} ? 1 : 0)`, right: (h) => `(t < ${h} ? 1 : 0)` },
  leq: { exact: (h) => `(t <= ${h} ? 1 : 0)`, right: (h) => `(t < ${h} ? 1 : 0)` },
  gt: { exact: (h) => `(t > ${h} ? 1 : 0)`, right: (h) => `(t >= ${h} ? 1 : 0)` },
  geq: { exact: (h) => `(t >= ${h} ? 1 : 0)`, right: (h) => `(t >= ${h} ? 1 : 0)` },
  eq: { exact: (h) => `(t === ${h} ? 1 : 0)`, right: () => '0' },
  neq: { exact: (h) => `(t !== ${h} ? 1 : 0)`, right: () => '1' },
};
const FLIPPED: Record<string, string> = { lt: 'gt', gt: 'lt', leq: 'geq', geq: 'leq', eq: 'eq', neq: 'neq' };
const INFIX: Record<string, string> = { eq: '==', neq: '!=', gt: '>', lt: '<', geq: '>=', leq: '<=' };

/**
 * Translates an expression tree (function definitions already inlined) in the context of `resolve`.
 *
 * @example
 * ```ts
 * translateAst({ k: 'ci', name: 'X' }, (n) => (n === 'X' ? variable('x[0]', 'X') : undefined), owner).exact; // 'x[0]'
 * ```
 */
export function translateAst(ast: Ast, resolve: SymbolResolver, owner: Owner): Translation {
  const names = new Map<string, Translation>();
  const aliases = new Map<string, string>();
  const resolved = new Map<string, Translation>();
  const lookup = (name: string): Translation => {
    let tr = resolved.get(name);
    if (!tr) {
      tr = resolve(name);
      if (!tr) throw new SbmlError(owner.element, owner.id, `refers to undefined identifier '${name}'`);
      resolved.set(name, tr);
    }
    return tr;
  };
  const nameOf = (name: string): string => {
    const tr = lookup(name);
    let alias = aliases.get(name);
    if (alias === undefined) {
      alias = isSafeName(name) && !name.startsWith('_') ? name : `_id${aliases.size}`;
      aliases.set(name, alias);
      names.set(alias, tr);
    }
    return alias;
  };
  const timeFree = (node: Ast): boolean =>
    !mentions(node, (n) => n.k === 'time' || (n.k === 'ci' && (lookup(n.name).continuousTime || lookup(n.name).thresholds.length > 0)));

  const emit = (node: Ast): string => {
    switch (node.k) {
      case 'num':
        if (Number.isNaN(node.v)) return '_m_nan()';
        if (node.v === Infinity) return '_m_inf()';
        if (node.v === -Infinity) return '_m_ninf()';
        return node.v < 0 ? `(${node.v})` : String(node.v);
      case 'ci':
        return nameOf(node.name);
      case 'time':
        return '_time()';
      case 'call':
        throw new SbmlError(owner.element, owner.id, `calls undefined function '${node.fn}'`);
      case 'piecewise': {
        let code = node.otherwise ? emit(node.otherwise) : '_m_nan()';
        for (let i = node.pieces.length - 1; i >= 0; i--) {
          const [value, condition] = node.pieces[i];
          code = `((${emit(condition)}) ? (${emit(value)}) : (${code}))`;
        }
        return code;
      }
      case 'op':
        return emitOp(node.op, node.args);
    }
  };
  const emitOp = (op: string, args: readonly Ast[]): string => {
    const a = () => args.map((x) => `(${emit(x)})`);
    switch (op) {
      case 'plus':
        return args.length === 0 ? '0' : `(${a().join(' + ')})`;
      case 'times':
        return args.length === 0 ? '1' : `(${a().join(' * ')})`;
      case 'minus':
        return args.length === 1 ? `(-${a()[0]})` : `(${a().join(' - ')})`;
      case 'divide':
        return `(${a().join(' / ')})`;
      case 'power':
        return `(${a().join(' ^ ')})`;
      case 'and':
        return args.length === 0 ? '1' : `(${a().join(' and ')})`;
      case 'or':
        return args.length === 0 ? '0' : `(${a().join(' or ')})`;
      case 'not':
        return `(not ${a()[0]})`;
      case 'eq': case 'neq': case 'gt': case 'lt': case 'geq': case 'leq': {
        const parts: string[] = [];
        for (let i = 0; i + 1 < args.length; i++) {
          const [l, r] = [args[i], args[i + 1]];
          if (l.k === 'time' && r.k !== 'time' && timeFree(r)) parts.push(`_t_${op}(${emit(r)})`);
          else if (r.k === 'time' && l.k !== 'time' && timeFree(l)) parts.push(`_t_${FLIPPED[op]}(${emit(l)})`);
          else parts.push(`((${emit(l)}) ${INFIX[op]} (${emit(r)}))`);
        }
        return parts.length === 1 ? parts[0] : `(${parts.join(' and ')})`;
      }
      default:
        return `_m_${op}(${args.map(emit).join(', ')})`;
    }
  };
  const text = emit(ast);

  const thresholds: string[] = [];
  let continuousTime = false;
  for (const tr of names.values()) {
    continuousTime ||= tr.continuousTime;
    for (const h of tr.thresholds) if (!thresholds.includes(h)) thresholds.push(h);
  }
  const run = (mode: 'exact' | 'right'): string => {
    try {
      return translateExpression(
        text,
        {
          symbol: (name) => {
            const tr = names.get(name);
            return tr === undefined ? undefined : `(${tr[mode]})`;
          },
          callFunction: (name, fnArgs) => {
            if (name === '_time') {
              continuousTime = true;
              return 't';
            }
            if (name.startsWith('_t_')) {
              const cmp = TIME_COMPARISONS[name.slice(3)];
              if (mode === 'exact' && !thresholds.includes(fnArgs[0])) thresholds.push(fnArgs[0]);
              return cmp[mode](fnArgs[0]);
            }
            if (name.startsWith('_m_')) return JS_FUNCTIONS[name.slice(3)]?.(fnArgs);
            return undefined;
          },
        },
        { line: 1, column: 1, source: `${owner.element} '${owner.id ?? ''}'` },
      ).code;
    } catch (error) {
      if (error instanceof SbmlError || !(error instanceof ModelError)) throw error;
      throw new SbmlError(owner.element, owner.id, `invalid expression ${echo(text)}: ${error.message}`);
    }
  };
  const exact = run('exact');
  const right = run('right');
  return { exact, right, thresholds, continuousTime, text: readable(text, aliases) };
}

function readable(text: string, aliases: ReadonlyMap<string, string>): string {
  let out = text;
  for (const [name, alias] of aliases) if (name !== alias) out = out.replace(new RegExp(`\\b${alias}\\b`, 'g'), name);
  return out;
}

/** Indices of `x[i]` (or `p[i]`) read by generated code. */
export function slotsRead(code: string, array: 'x' | 'p'): number[] {
  const out = new Set<number>();
  for (const m of code.matchAll(array === 'x' ? /\bx\[(\d+)\]/g : /\bp\[(\d+)\]/g)) out.add(Number(m[1]));
  return [...out].sort((a, b) => a - b);
}
