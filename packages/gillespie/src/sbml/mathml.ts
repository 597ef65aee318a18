/**
 * MathML (the SBML subset) to a small expression tree, and inlining of SBML function definitions.
 *
 * @packageDocumentation
 */
import { SbmlError, SbmlUnsupportedError } from './errors.ts';
import type { XNode } from './xml.ts';

/** An expression tree read from MathML. */
export type Ast =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'ci'; readonly name: string }
  | { readonly k: 'time' }
  | { readonly k: 'op'; readonly op: string; readonly args: readonly Ast[] }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Ast[] }
  | { readonly k: 'piecewise'; readonly pieces: readonly (readonly [Ast, Ast])[]; readonly otherwise?: Ast };

/** A function definition: parameter names and body. */
export interface Lambda {
  readonly params: readonly string[];
  readonly body: Ast;
}

/** Where an expression sits, for error messages: element kind and id. */
export interface Owner {
  readonly element: string;
  readonly id: string | undefined;
}

const CSYMBOL = 'http://www.sbml.org/sbml/symbols/';
/** Avogadro's number as fixed by SBML Level 3. */
const AVOGADRO = 6.02214179e23;

/** MathML operators: name -> [min arity, max arity]. */
export const OPERATORS: Record<string, readonly [number, number]> = {
  plus: [0, Infinity], times: [0, Infinity], minus: [1, 2], divide: [2, 2], power: [2, 2], root: [1, 2],
  abs: [1, 1], exp: [1, 1], ln: [1, 1], log: [1, 2], floor: [1, 1], ceiling: [1, 1], factorial: [1, 1],
  sin: [1, 1], cos: [1, 1], tan: [1, 1], sec: [1, 1], csc: [1, 1], cot: [1, 1],
  sinh: [1, 1], cosh: [1, 1], tanh: [1, 1], sech: [1, 1], csch: [1, 1], coth: [1, 1],
  arcsin: [1, 1], arccos: [1, 1], arctan: [1, 1], arcsec: [1, 1], arccsc: [1, 1], arccot: [1, 1],
  arcsinh: [1, 1], arccosh: [1, 1], arctanh: [1, 1], arcsech: [1, 1], arccsch: [1, 1], arccoth: [1, 1],
  eq: [2, Infinity], neq: [2, 2], gt: [2, Infinity], lt: [2, Infinity], geq: [2, Infinity], leq: [2, Infinity],
  and: [0, Infinity], or: [0, Infinity], xor: [0, Infinity], not: [1, 1], implies: [2, 2],
  max: [1, Infinity], min: [1, Infinity], quotient: [2, 2], rem: [2, 2],
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string, owner: Owner): number {
  const t = text.trim();
  if (/^[+-]?(INF|inf|Infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'NaN') return Number.NaN;
  if (!NUMBER.test(t)) throw new SbmlError(owner.element, owner.id, `invalid number '${t}' in <cn>`);
  return Number(t);
}

function readCn(node: XNode, owner: Owner): number {
  const type = node.attrs.type ?? 'real';
  if (node.attrs.base !== undefined && node.attrs.base !== '10') {
    throw new SbmlUnsupportedError(owner.element, owner.id, `<cn base="${node.attrs.base}"> is not supported`);
  }
  const parts = node.text;
  const sepCount = node.children.filter((c) => c.name === 'sep').length;
  if (node.children.length !== sepCount) throw new SbmlError(owner.element, owner.id, '<cn> may only contain numbers and <sep/>');
  if (type === 'real' || type === 'integer' || type === 'double') {
    if (parts.length !== 1 || sepCount !== 0) throw new SbmlError(owner.element, owner.id, `<cn type="${type}"> must hold one number`);
    const value = parseNumber(parts[0], owner);
    if (type === 'integer' && !Number.isInteger(value)) {
      throw new SbmlError(owner.element, owner.id, `<cn type="integer"> holds '${parts[0]}'`);
    }
    return value;
  }
  if (type === 'e-notation' || type === 'rational') {
    if (parts.length !== 2 || sepCount !== 1) throw new SbmlError(owner.element, owner.id, `<cn type="${type}"> must be 'a <sep/> b'`);
    const a = parseNumber(parts[0], owner);
    const b = parseNumber(parts[1], owner);
    return type === 'rational' ? a / b : a * 10 ** b;
  }
  throw new SbmlUnsupportedError(owner.element, owner.id, `<cn type="${type}"> is not supported`);
}

function onlyElement(node: XNode, owner: Owner, what: string): XNode {
  const kids = node.children.filter((c) => c.name !== 'annotation' && c.name !== 'annotation-xml');
  if (kids.length !== 1) throw new SbmlError(owner.element, owner.id, `<${what}> must contain exactly one expression; found ${kids.length}`);
  return kids[0];
}

function readCsymbol(node: XNode, owner: Owner): Ast {
  const url = (node.attrs.definitionURL ?? '').trim();
  if (url === `${CSYMBOL}time`) return { k: 'time' };
  if (url === `${CSYMBOL}avogadro`) return { k: 'num', v: AVOGADRO };
  const what = url.startsWith(CSYMBOL) ? url.slice(CSYMBOL.length) : url || '(no definitionURL)';
  throw new SbmlUnsupportedError(owner.element, owner.id, `csymbol '${what}' is not supported`);
}

/**
 * Reads one MathML expression element.
 *
 * @example
 * ```ts
 * readExpression(parseXml('<apply><times/><ci>k</ci><ci>X</ci></apply>'), { element: 'reaction', id: 'R1' });
 * ```
 */
export function readExpression(node: XNode, owner: Owner, depth = 0): Ast {
  if (depth > 150) throw new SbmlError(owner.element, owner.id, 'MathML nested too deeply');
  const next = (n: XNode) => readExpression(n, owner, depth + 1);
  switch (node.name) {
    case 'cn':
      return { k: 'num', v: readCn(node, owner) };
    case 'ci': {
      const name = node.text.join('').trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SbmlError(owner.element, owner.id, `invalid identifier '${name}' in <ci>`);
      return { k: 'ci', name };
    }
    case 'csymbol':
      return readCsymbol(node, owner);
    case 'semantics':
      return next(node.children[0] ?? fail(owner, '<semantics> is empty'));
    case 'exponentiale':
      return { k: 'num', v: Math.E };
    case 'pi':
      return { k: 'num', v: Math.PI };
    case 'true':
      return { k: 'num', v: 1 };
    case 'false':
      return { k: 'num', v: 0 };
    case 'infinity':
      return { k: 'num', v: Infinity };
    case 'notanumber':
      return { k: 'num', v: Number.NaN };
    case 'piecewise': {
      const pieces: [Ast, Ast][] = [];
      let otherwise: Ast | undefined;
      for (const child of node.children) {
        if (child.name === 'piece') {
          if (child.children.length !== 2) throw new SbmlError(owner.element, owner.id, '<piece> needs a value and a condition');
          pieces.push([next(child.children[0]), next(child.children[1])]);
        } else if (child.name === 'otherwise') {
          if (otherwise) throw new SbmlError(owner.element, owner.id, '<piecewise> has two <otherwise>');
          otherwise = next(onlyElement(child, owner, 'otherwise'));
        } else {
          throw new SbmlError(owner.element, owner.id, `unexpected <${child.name}> in <piecewise>`);
        }
      }
      return { k: 'piecewise', pieces, otherwise };
    }
    case 'apply': {
      const [head, ...rest] = node.children;
      if (!head) throw new SbmlError(owner.element, owner.id, '<apply> is empty');
      if (head.name === 'ci') {
        const fn = head.text.join('').trim();
        return { k: 'call', fn, args: rest.map(next) };
      }
      if (head.name === 'csymbol') {
        const url = head.attrs.definitionURL ?? '';
        const what = url.startsWith(CSYMBOL) ? url.slice(CSYMBOL.length) : url;
        throw new SbmlUnsupportedError(owner.element, owner.id, `csymbol function '${what}' is not supported`);
      }
      const arity = OPERATORS[head.name];
      if (!arity) throw new SbmlUnsupportedError(owner.element, owner.id, `MathML operator <${head.name}> is not supported`);
      let args: Ast[];
      if (head.name === 'root' || head.name === 'log') {
        const qualifier = head.name === 'root' ? 'degree' : 'logbase';
        const q = rest.filter((c) => c.name === qualifier);
        const operands = rest.filter((c) => c.name !== qualifier);
        if (q.length > 1 || operands.length !== 1) throw new SbmlError(owner.element, owner.id, `<${head.name}> needs one operand`);
        const base: Ast = q.length ? next(onlyElement(q[0], owner, qualifier)) : { k: 'num', v: head.name === 'root' ? 2 : 10 };
        args = [base, next(operands[0])];
      } else {
        args = rest.map(next);
        if (args.length < arity[0] || args.length > arity[1]) {
          throw new SbmlError(owner.element, owner.id, `<${head.name}> takes ${arity[0]}${arity[1] === arity[0] ? '' : `-${arity[1]}`} arguments; got ${args.length}`);
        }
      }
      return { k: 'op', op: head.name, args };
    }
    case 'lambda':
      throw new SbmlError(owner.element, owner.id, '<lambda> is only allowed in a function definition');
    default:
      throw new SbmlUnsupportedError(owner.element, owner.id, `MathML element <${node.name}> is not supported`);
  }
}

function fail(owner: Owner, detail: string): never {
  throw new SbmlError(owner.element, owner.id, detail);
}

/**
 * Reads the content of a `<math>` element (one expression, possibly wrapped in `<semantics>`).
 *
 * @example
 * ```ts
 * readMath(mathNode, { element: 'reaction', id: 'R1' });
 * ```
 */
export function readMath(math: XNode | undefined, owner: Owner): Ast {
  if (!math) throw new SbmlError(owner.element, owner.id, 'has no <math>');
  return readExpression(onlyElement(math, owner, 'math'), owner);
}

/**
 * Reads a function definition's `<math><lambda><bvar><ci>x</ci></bvar>... body</lambda></math>`.
 *
 * @example
 * ```ts
 * readLambda(mathNode, { element: 'functionDefinition', id: 'f' }); // { params: ['x'], body }
 * ```
 */
export function readLambda(math: XNode | undefined, owner: Owner): Lambda {
  if (!math) throw new SbmlError(owner.element, owner.id, 'has no <math>');
  let node = onlyElement(math, owner, 'math');
  if (node.name === 'semantics') node = node.children[0] ?? fail(owner, '<semantics> is empty');
  if (node.name !== 'lambda') throw new SbmlError(owner.element, owner.id, `expected <lambda>; found <${node.name}>`);
  const params: string[] = [];
  const bodies: XNode[] = [];
  for (const child of node.children) {
    if (child.name === 'bvar') {
      const ci = child.children.find((c) => c.name === 'ci');
      const name = ci?.text.join('').trim() ?? '';
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SbmlError(owner.element, owner.id, `invalid <bvar> '${name}'`);
      if (params.includes(name)) throw new SbmlError(owner.element, owner.id, `duplicate <bvar> '${name}'`);
      params.push(name);
    } else if (child.name !== 'annotation') {
      bodies.push(child);
    }
  }
  if (bodies.length !== 1) throw new SbmlError(owner.element, owner.id, `<lambda> must have one body expression; found ${bodies.length}`);
  return { params, body: readExpression(bodies[0], owner) };
}

/** Replaces bound variables in a function body by the argument trees. */
function substitute(ast: Ast, bindings: ReadonlyMap<string, Ast>): Ast {
  switch (ast.k) {
    case 'ci':
      return bindings.get(ast.name) ?? ast;
    case 'op':
      return { k: 'op', op: ast.op, args: ast.args.map((a) => substitute(a, bindings)) };
    case 'call':
      return { k: 'call', fn: ast.fn, args: ast.args.map((a) => substitute(a, bindings)) };
    case 'piecewise':
      return {
        k: 'piecewise',
        pieces: ast.pieces.map(([v, c]) => [substitute(v, bindings), substitute(c, bindings)] as const),
        otherwise: ast.otherwise && substitute(ast.otherwise, bindings),
      };
    default:
      return ast;
  }
}

/**
 * Inlines every call of a function definition (recursively; recursion between definitions is an error).
 *
 * @example
 * ```ts
 * expandCalls(ast, new Map([['f', lambda]]), { element: 'reaction', id: 'R1' });
 * ```
 */
export function expandCalls(ast: Ast, functions: ReadonlyMap<string, Lambda>, owner: Owner, stack: readonly string[] = []): Ast {
  switch (ast.k) {
    case 'op':
      return { k: 'op', op: ast.op, args: ast.args.map((a) => expandCalls(a, functions, owner, stack)) };
    case 'piecewise':
      return {
        k: 'piecewise',
        pieces: ast.pieces.map(([v, c]) => [expandCalls(v, functions, owner, stack), expandCalls(c, functions, owner, stack)] as const),
        otherwise: ast.otherwise && expandCalls(ast.otherwise, functions, owner, stack),
      };
    case 'call': {
      const fn = functions.get(ast.fn);
      if (!fn) throw new SbmlError(owner.element, owner.id, `calls undefined function '${ast.fn}'`);
      if (stack.includes(ast.fn)) {
        throw new SbmlError('functionDefinition', ast.fn, `is recursive (${[...stack, ast.fn].join(' -> ')})`);
      }
      if (ast.args.length !== fn.params.length) {
        throw new SbmlError(owner.element, owner.id, `calls '${ast.fn}' with ${ast.args.length} arguments; it takes ${fn.params.length}`);
      }
      const args = ast.args.map((a) => expandCalls(a, functions, owner, stack));
      const body = expandCalls(fn.body, functions, { element: 'functionDefinition', id: ast.fn }, [...stack, ast.fn]);
      return substitute(body, new Map(fn.params.map((p, i) => [p, args[i]])));
    }
    default:
      return ast;
  }
}

/** Whether the tree mentions `time`, a function call, or one of the given identifiers. */
export function mentions(ast: Ast, test: (node: Ast) => boolean): boolean {
  if (test(ast)) return true;
  switch (ast.k) {
    case 'op':
    case 'call':
      return ast.args.some((a) => mentions(a, test));
    case 'piecewise':
      return ast.pieces.some(([v, c]) => mentions(v, test) || mentions(c, test)) || (ast.otherwise !== undefined && mentions(ast.otherwise, test));
    default:
      return false;
  }
}
