/**
 * Rate-law expressions: parsed and checked with mathjs at load time, then emitted as plain JavaScript source so that
 * no mathjs code runs inside a simulation loop (and workers can rebuild the function from the source alone).
 *
 * @packageDocumentation
 */
import { type MathNode, parse } from 'mathjs';
import { ModelSyntaxError } from './errors.ts';

/** Functions an expression may call, with their JavaScript translation. */
const MATH_FUNCTIONS: Record<string, { arity: [number, number]; emit: (args: string[]) => string }> = {
  exp: { arity: [1, 1], emit: (a) => `Math.exp(${a[0]})` },
  log: { arity: [1, 2], emit: (a) => (a.length === 1 ? `Math.log(${a[0]})` : `(Math.log(${a[0]}) / Math.log(${a[1]}))`) },
  ln: { arity: [1, 1], emit: (a) => `Math.log(${a[0]})` },
  log10: { arity: [1, 1], emit: (a) => `Math.log10(${a[0]})` },
  sqrt: { arity: [1, 1], emit: (a) => `Math.sqrt(${a[0]})` },
  abs: { arity: [1, 1], emit: (a) => `Math.abs(${a[0]})` },
  sin: { arity: [1, 1], emit: (a) => `Math.sin(${a[0]})` },
  cos: { arity: [1, 1], emit: (a) => `Math.cos(${a[0]})` },
  tan: { arity: [1, 1], emit: (a) => `Math.tan(${a[0]})` },
  tanh: { arity: [1, 1], emit: (a) => `Math.tanh(${a[0]})` },
  floor: { arity: [1, 1], emit: (a) => `Math.floor(${a[0]})` },
  ceil: { arity: [1, 1], emit: (a) => `Math.ceil(${a[0]})` },
  pow: { arity: [2, 2], emit: (a) => `Math.pow(${a[0]}, ${a[1]})` },
  min: { arity: [1, 64], emit: (a) => `Math.min(${a.join(', ')})` },
  max: { arity: [1, 64], emit: (a) => `Math.max(${a.join(', ')})` },
};

const BINARY_OPERATORS: Record<string, string> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '<': '<', '>': '>', '<=': '<=', '>=': '>=', '==': '===', '!=': '!==',
  and: '&&', or: '||',
};

/** How {@link translateExpression} resolves names: a symbol to JS code, a user function to a code generator. */
export interface ExpressionScope {
  /** JavaScript code for a symbol (e.g. `x[2]`, `p[0]`, `t`), or undefined when the name is unknown. */
  symbol(name: string): string | undefined;
  /** Optional user functions (e.g. SBML function definitions) returning JS code for the given argument code. */
  callFunction?(name: string, args: string[]): string | undefined;
}

/** The translation of one expression. */
export interface TranslatedExpression {
  /** A JavaScript expression (no statements). */
  readonly code: string;
  /** The distinct symbol names the expression reads, in order of first use. */
  readonly symbols: readonly string[];
}

/** Where an expression sits in a larger text, so errors can point at the right line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly source?: string;
}

/** Deepest nesting of an expression (parentheses, function calls, unary and right operands) that is translated. */
const MAX_EXPRESSION_DEPTH = 300;

/** Longest piece of input echoed in an error message. */
const ECHO_LIMIT = 80;

/**
 * `text` for an error message, cut to 80 characters (a 40 KB expression is not repeated whole).
 *
 * @example
 * ```ts
 * echo('x'.repeat(100)); // 'xxx…x... (100 characters)' with 80 x
 * ```
 */
export function echo(text: string): string {
  return text.length <= ECHO_LIMIT ? text : `${text.slice(0, ECHO_LIMIT)}... (${text.length} characters)`;
}

/** Operators of equal precedence that JavaScript evaluates left to right, as mathjs nests them. */
const LEFT_CHAINS: Record<string, string> = { '+': 'additive', '-': 'additive', '*': 'multiplicative', '/': 'multiplicative' };

function columnOfName(text: string, name: string): number {
  const match = new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[^A-Za-z0-9_]/g, '')}($|[^A-Za-z0-9_])`).exec(text);
  return match ? match.index + match[1].length : 0;
}

/**
 * Parses `text` with mathjs, checks every node against a whitelist (numbers, names, + - * / ^, comparisons,
 * `and`/`or`/`not`, `a ? b : c`, and the functions exp, log, ln, log10, sqrt, abs, sin, cos, tan, tanh, floor, ceil, pow,
 * min, max) and returns plain JavaScript code. Throws {@link ModelSyntaxError} with the position of the problem.
 *
 * @example
 * ```ts
 * const names: Record<string, string> = { X: 'x[0]', k: 'p[0]' };
 * translateExpression('k * X^2', { symbol: (n) => names[n] }).code; // "(p[0] * Math.pow(x[0], 2))"
 * ```
 */
export function translateExpression(
  text: string,
  scope: ExpressionScope,
  position: SourcePosition = { line: 1, column: 1 },
): TranslatedExpression {
  const fail = (detail: string, offset: number): never => {
    throw new ModelSyntaxError(detail, position.line, position.column + offset, position.source);
  };
  if (typeof text !== 'string' || text.trim() === '') fail('expected an expression', 0);
  let root: MathNode;
  try {
    root = parse(text);
  } catch (error) {
    const char = (error as { char?: number }).char;
    const offset = typeof char === 'number' ? Math.max(0, char - 1) : 0;
    if (error instanceof RangeError) return fail(`expression '${echo(text)}' is nested too deeply to parse`, 0);
    return fail(`invalid expression '${echo(text)}': ${(error as Error).message.replace(/ \(char \d+\)/, '')}`, offset);
  }
  const symbols: string[] = [];
  let depth = 0;
  const visit = (node: MathNode): string => {
    if (++depth > MAX_EXPRESSION_DEPTH) {
      return fail(`expression '${echo(text)}' is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, 0);
    }
    const code = visitNode(node);
    depth--;
    return code;
  };
  /**
   * A chain `a + b - c + ...` (or of * and /) is a left-nested tree thousands of levels deep for a long sum: walk its
   * left spine in a loop and emit one flat JavaScript chain, which evaluates in the same order and needs no deep
   * recursion here nor in the JavaScript parser.
   */
  const visitChain = (node: MathNode, group: string): string => {
    const operators: string[] = [];
    const operands: MathNode[] = [];
    let left = node;
    for (;;) {
      const { op, args } = left as unknown as { op: string; args: MathNode[] };
      if (left.type !== 'OperatorNode' || args.length !== 2 || LEFT_CHAINS[op] !== group) break;
      operators.push(op);
      operands.push(args[1]);
      left = args[0];
    }
    const parts = [visit(left)];
    for (let i = operators.length - 1; i >= 0; i--) parts.push(operators[i], visit(operands[i]));
    return `(${parts.join(' ')})`;
  };
  const visitNode = (node: MathNode): string => {
    switch (node.type) {
      case 'ConstantNode': {
        const value = (node as unknown as { value: unknown }).value;
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          return fail(`expected a finite number, got ${String(value)}`, 0);
        }
        return value < 0 ? `(${value})` : String(value);
      }
      case 'SymbolNode': {
        const name = (node as unknown as { name: string }).name;
        const resolved = scope.symbol(name);
        if (resolved !== undefined) {
          if (!symbols.includes(name)) symbols.push(name);
          return resolved;
        }
        if (name === 'pi') return String(Math.PI);
        if (name === 'e') return String(Math.E);
        if (name === 'NaN' || name === 'Infinity') return fail(`expected a finite value, got ${name}`, columnOfName(text, name));
        return fail(`unknown name '${name}' (expected a species, a parameter or a constant)`, columnOfName(text, name));
      }
      case 'ParenthesisNode':
        return `(${visit((node as unknown as { content: MathNode }).content)})`;
      case 'OperatorNode': {
        const { op, args } = node as unknown as { op: string; args: MathNode[]; fn: string };
        if (args.length === 1) {
          if (op === '-') return `(-${visit(args[0])})`;
          if (op === '+') return `(+${visit(args[0])})`;
          if (op === 'not') return `(${visit(args[0])} ? 0 : 1)`;
          return fail(`operator '${op}' is not allowed in a rate expression`, 0);
        }
        if (op === '^') return `Math.pow(${visit(args[0])}, ${visit(args[1])})`;
        if (LEFT_CHAINS[op] !== undefined) return visitChain(node, LEFT_CHAINS[op]);
        const js = BINARY_OPERATORS[op];
        if (js === undefined) return fail(`operator '${op}' is not allowed in a rate expression`, text.indexOf(op));
        const code = `(${visit(args[0])} ${js} ${visit(args[1])})`;
        // Comparisons and logic yield 0/1 numbers, as in SBML and mathjs.
        return ['<', '>', '<=', '>=', '==', '!=', 'and', 'or'].includes(op) ? `(${code} ? 1 : 0)` : code;
      }
      case 'ConditionalNode': {
        const c = node as unknown as { condition: MathNode; trueExpr: MathNode; falseExpr: MathNode };
        return `(${visit(c.condition)} ? ${visit(c.trueExpr)} : ${visit(c.falseExpr)})`;
      }
      case 'FunctionNode': {
        const f = node as unknown as { fn: { name?: string }; args: MathNode[] };
        const name = f.fn.name ?? '';
        const args = f.args.map(visit);
        const custom = scope.callFunction?.(name, args);
        if (custom !== undefined) return custom;
        const known = MATH_FUNCTIONS[name];
        if (!known) return fail(`unknown function '${name}'`, columnOfName(text, name));
        if (args.length < known.arity[0] || args.length > known.arity[1]) {
          return fail(`function '${name}' takes ${known.arity.join('-')} arguments, got ${args.length}`, columnOfName(text, name));
        }
        return known.emit(args);
      }
      default:
        return fail(`'${node.toString()}' (${node.type}) is not allowed in a rate expression`, 0);
    }
  };
  const code = visit(root);
  return { code, symbols };
}
