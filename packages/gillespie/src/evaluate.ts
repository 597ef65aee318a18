/**
 * Evaluation without code generation: turns the JavaScript expressions that {@link translateExpression} emits (and
 * that a {@link CompiledModel} carries as `propensitySource`) into closures, for pages under a strict
 * Content-Security-Policy where `new Function` is forbidden. The closures perform the same JavaScript operations in
 * the same order as the generated function would, so results are bit-identical; they are slower (a call per node).
 *
 * The accepted language is exactly what the translator emits: numbers, `x[i]`, `p[i]`, `t`, `Math.<fn>(...)` of the
 * translator's functions, unary `-`/`+`, binary `* / + - < > <= >= === !== && ||`, `c ? a : b` and parentheses.
 *
 * @packageDocumentation
 */
import { ModelError } from './errors.ts';

/** A closure over amounts `x`, parameters `p` and time `t`, as the generated `(x, p, t) => …` would be. */
export type EvaluatedExpression = (x: Float64Array, p: Float64Array, t?: number) => number;

// Values inside an expression are numbers or, from comparisons, booleans: JavaScript's own semantics apply to both.
type Value = number | boolean;
type Node = (x: Float64Array, p: Float64Array, t: number) => Value;

const MATH: Record<string, (...args: number[]) => number> = {
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  tanh: Math.tanh,
  floor: Math.floor,
  ceil: Math.ceil,
  pow: Math.pow,
  min: Math.min,
  max: Math.max,
};

/** Binding power of binary operators (JavaScript's precedence, higher binds tighter). */
const BINARY_POWER: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '===': 3,
  '!==': 3,
  '<': 4,
  '>': 4,
  '<=': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};

function binary(op: string, a: Node, b: Node): Node {
  // Each case is the JavaScript operator itself on the operand values (booleans included), as in generated code.
  type N = number;
  switch (op) {
    case '+':
      return (x, p, t) => (a(x, p, t) as N) + (b(x, p, t) as N);
    case '-':
      return (x, p, t) => (a(x, p, t) as N) - (b(x, p, t) as N);
    case '*':
      return (x, p, t) => (a(x, p, t) as N) * (b(x, p, t) as N);
    case '/':
      return (x, p, t) => (a(x, p, t) as N) / (b(x, p, t) as N);
    case '<':
      return (x, p, t) => a(x, p, t) < b(x, p, t);
    case '>':
      return (x, p, t) => a(x, p, t) > b(x, p, t);
    case '<=':
      return (x, p, t) => a(x, p, t) <= b(x, p, t);
    case '>=':
      return (x, p, t) => a(x, p, t) >= b(x, p, t);
    case '===':
      return (x, p, t) => a(x, p, t) === b(x, p, t);
    case '!==':
      return (x, p, t) => a(x, p, t) !== b(x, p, t);
    case '&&':
      return (x, p, t) => a(x, p, t) && b(x, p, t);
    default: // '||'
      return (x, p, t) => a(x, p, t) || b(x, p, t);
  }
}

/** `((a op1 b) op2 c) ...` over arithmetic operators, evaluated in a loop (left to right, as JavaScript would). */
function arithmeticChain(ops: readonly string[], operands: readonly Node[]): Node {
  const codes = Uint8Array.from(ops, (op) => '+-*/'.indexOf(op));
  const n = operands.length;
  return (x, p, t) => {
    let value = operands[0](x, p, t) as number;
    for (let i = 1; i < n; i++) {
      const operand = operands[i](x, p, t) as number;
      switch (codes[i - 1]) {
        case 0:
          value += operand;
          break;
        case 1:
          value -= operand;
          break;
        case 2:
          value *= operand;
          break;
        default:
          value /= operand;
      }
    }
    return value;
  };
}

function call(fn: (...args: number[]) => number, args: Node[]): Node {
  if (args.length === 1) {
    const [a] = args;
    return (x, p, t) => fn(a(x, p, t) as number);
  }
  if (args.length === 2) {
    const [a, b] = args;
    return (x, p, t) => fn(a(x, p, t) as number, b(x, p, t) as number);
  }
  const values = new Array<number>(args.length);
  return (x, p, t) => {
    for (let i = 0; i < args.length; i++) values[i] = args[i](x, p, t) as number;
    return fn(...values);
  };
}

const TOKEN = /(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|(Math\.[a-z0-9]+|[xp](?=\[)|t\b)|(===|!==|<=|>=|&&|\|\||[-+*/<>?:(),[\]]))/y;

/**
 * Compiles `code` (an expression emitted by the translator over `x`, `p` and optionally `t`) into a closure, without
 * `eval` or `new Function`. Throws {@link ModelError} naming the expression when it is outside that language.
 *
 * @example
 * ```ts
 * const f = evaluateExpression('((p[0] * x[0]) / (p[1] + x[0]))'); // Michaelis-Menten
 * f(Float64Array.of(10), Float64Array.of(2, 5)); // 20 / 15
 * ```
 */
export function evaluateExpression(code: string): EvaluatedExpression {
  if (typeof code !== 'string') throw new ModelError(`expression code must be a string; got ${typeof code}`);
  const tokens: { kind: 'number' | 'name' | 'op'; text: string; at: number }[] = [];
  let position = 0;
  for (;;) {
    while (position < code.length && /\s/.test(code[position])) position++;
    if (position >= code.length) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(code);
    if (!match) throw new ModelError(`cannot evaluate '${code}' without code generation: unexpected '${code[position]}' at ${position}`);
    const kind = match[1] !== undefined ? 'number' : match[2] !== undefined ? 'name' : 'op';
    tokens.push({ kind, text: match[1] ?? match[2] ?? match[3], at: position });
    position = TOKEN.lastIndex;
  }
  let next = 0;
  const fail = (what: string): never => {
    const at = tokens[next]?.at ?? code.length;
    throw new ModelError(`cannot evaluate '${code}' without code generation: ${what} at ${at}`);
  };
  const peek = () => tokens[next]?.text;
  const expect = (text: string) => {
    if (tokens[next]?.text !== text) fail(`expected '${text}'`);
    next++;
  };

  const primary = (): Node => {
    const token = tokens[next++];
    if (token === undefined) return fail('unexpected end');
    if (token.kind === 'number') {
      const value = Number(token.text);
      return () => value;
    }
    if (token.text === '(') {
      const inner = expression(0);
      expect(')');
      return inner;
    }
    if (token.text === '-' || token.text === '+') {
      // Unary minus binds tighter than every binary operator the translator emits (it always parenthesises).
      const operand = primary();
      return token.text === '-' ? (x, p, t) => -(operand(x, p, t) as number) : (x, p, t) => +(operand(x, p, t) as number);
    }
    if (token.text === 't') return (_x, _p, t) => t;
    if (token.text === 'x' || token.text === 'p') {
      expect('[');
      const index = tokens[next++];
      if (index?.kind !== 'number' || !/^\d+$/.test(index.text)) return fail('expected an integer index');
      expect(']');
      const i = Number(index.text);
      return token.text === 'x' ? (x) => x[i] : (_x, p) => p[i];
    }
    if (token.kind === 'name' && token.text.startsWith('Math.')) {
      const fn = MATH[token.text.slice(5)];
      if (fn === undefined) return fail(`unknown function ${token.text}`);
      expect('(');
      const args: Node[] = [];
      if (peek() !== ')') {
        args.push(expression(0));
        while (peek() === ',') {
          next++;
          args.push(expression(0));
        }
      }
      expect(')');
      return call(fn, args);
    }
    next--;
    return fail(`unexpected '${token.text}'`);
  };
  // Precedence climbing; the conditional `c ? a : b` binds loosest and is right-associative.
  const expression = (minPower: number): Node => {
    let left = primary();
    for (;;) {
      const op = peek();
      if (op === '?' && minPower === 0) {
        next++;
        const whenTrue = expression(0);
        expect(':');
        const whenFalse = expression(0);
        const condition = left;
        left = (x, p, t) => (condition(x, p, t) ? whenTrue(x, p, t) : whenFalse(x, p, t));
        continue;
      }
      const power = op === undefined ? undefined : BINARY_POWER[op];
      if (power === undefined || power < minPower) return left;
      next++;
      const right = expression(power + 1);
      if (power >= BINARY_POWER['+']) {
        // A run of arithmetic operators of one precedence (a + b - c + ..., a 10,000-term rate law) becomes one loop,
        // not a closure nested per term: no stack overflow, and the same left-to-right order as the generated code.
        const ops: string[] = [op as string];
        const operands: Node[] = [left, right];
        while (peek() !== undefined && BINARY_POWER[peek() as string] === power) {
          ops.push(tokens[next++].text);
          operands.push(expression(power + 1));
        }
        left = operands.length === 2 ? binary(ops[0], left, right) : arithmeticChain(ops, operands);
        continue;
      }
      left = binary(op as string, left, right);
    }
  };

  const root = expression(0);
  if (next < tokens.length) fail(`unexpected '${tokens[next].text}'`);
  return (x, p, t = 0) => root(x, p, t) as number;
}
