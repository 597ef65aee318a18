/**
 * Evaluation without code generation (strict Content-Security-Policy): the closures built by evaluateExpression
 * agree bit for bit with the generated functions on every expression the translator can emit, and the well-mixed
 * SSA with `specialise: false` runs in a process where eval and new Function throw, with the same results.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from '../src/evaluate.ts';
import { ModelError } from '../src/errors.ts';
import { translateExpression } from '../src/expression.ts';
import { createRng, parseModel, simulate, simulateEnsemble } from '../src/index.ts';

const SYMBOLS: Record<string, string> = { X: 'x[0]', Y: 'x[1]', k: 'p[0]', K2: 'p[1]' };
const scope = { symbol: (name: string) => SYMBOLS[name] };

/** Expressions in the DSL's language (mathjs syntax), built from every construct the translator accepts. */
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('X', 'Y', 'k', 'K2', 'pi', 'e'),
    fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((v) => String(v)),
    fc.integer({ min: 0, max: 20 }).map(String),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '^', '<', '>', '<=', '>=', '==', '!=', 'and', 'or'), tie('e')).map(([a, op, b]) => `(${a}) ${op} (${b})`),
    tie('e').map((a) => `-(${a})`),
    tie('e').map((a) => `not (${a})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => `(${c}) ? (${a}) : (${b})`),
    fc.tuple(fc.constantFrom('exp', 'log', 'ln', 'log10', 'sqrt', 'abs', 'sin', 'cos', 'tan', 'tanh', 'floor', 'ceil'), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom('pow', 'log'), tie('e'), tie('e')).map(([f, a, b]) => `${f}(${a}, ${b})`),
    fc.tuple(fc.constantFrom('min', 'max'), fc.array(tie('e'), { minLength: 1, maxLength: 4 })).map(([f, args]) => `${f}(${args.join(', ')})`),
  ),
})).e;

const amounts = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }));
const parameters = fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }));

describe('evaluateExpression', () => {
  it('agrees bit for bit with the generated function on random translated expressions', () => {
    fc.assert(
      fc.property(expression, amounts, parameters, (text, [X, Y], [k, K2]) => {
        const { code } = translateExpression(text, scope);
        const x = Float64Array.of(X, Y);
        const p = Float64Array.of(k, K2);
        const generated = new Function('x', 'p', `return ${code};`)(x, p) as number;
        // Object.is: the same NaN-ness, the same sign of zero, the same double.
        expect(Object.is(evaluateExpression(code)(x, p), generated), `${text} -> ${code}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps JavaScript semantics of && and || on numbers, comparisons, precedence and time', () => {
    const x = Float64Array.of(0, 3);
    const p = Float64Array.of(2, 5);
    const cases = ['(x[0] && p[1])', '(x[1] && p[1])', '(x[0] || p[0])', '((x[1] > p[0]) ? 1 : 0)', '1 + 2 * 3 - 4 / 8', '-x[1] * 2', 'x[1] < 4 ? p[0] : p[1] ? 7 : 8', '(t * p[0])', '1e-7 + 2.5E+3 + .5'];
    for (const code of cases) {
      const generated = new Function('x', 'p', 't', `return ${code};`)(x, p, 1.5) as number;
      expect(evaluateExpression(code)(x, p, 1.5), code).toBe(generated);
    }
  });

  it.each(['alert(1)', 'x[0]; p[0]', 'x.constructor', 'Math.random()', 'x[-1]', 'x[0', '(1 + 2', '1 +', "p['a']", 'globalThis'])(
    'refuses %j (outside the translator\'s language) with a ModelError',
    (code) => {
      expect(() => evaluateExpression(code)).toThrow(ModelError);
    },
  );
});

describe('the well-mixed SSA under a strict Content-Security-Policy', () => {
  // Michaelis-Menten (a general propensity) plus mass-action reactions whose constants are parameter expressions.
  const text = 'S + E -> C @ kf\nC -> S + E @ kr\nC -> P + E @ kcat * C / (1 + 0 * P)\nP -> 0 @ kd\nS = 60\nE = 10\nkf = 0.01 * 2\nkr = kf / 4\nkcat = 0.5\nkd = min(0.1, kcat)';
  const fixture = fileURLToPath(new URL('./fixtures/csp-simulate.ts', import.meta.url));

  type Outcome = { values?: number[]; mean?: number[]; events?: number; error?: string };
  const methods = ['direct', 'nrm', 'cr'] as const;
  let strict: Outcome[] | undefined;
  /** One child process (importing mathjs under tsx takes seconds): the control first, then each method without codegen. */
  function strictOutcomes(): Outcome[] {
    strict ??= JSON.parse(
      execFileSync(
        process.execPath,
        ['--disallow-code-generation-from-strings', '--conditions=@srn/source', '--import', 'tsx', fixture, text, JSON.stringify([{ specialise: true }, ...methods.map((method) => ({ specialise: false, method }))])],
        { encoding: 'utf8' },
      ),
    ) as Outcome[];
    return strict;
  }

  it('the strict process really forbids code generation (control: specialise true fails there)', () => {
    expect(strictOutcomes()[0].error).toMatch(/^EvalError: Code generation from strings disallowed/);
  });

  it.each(methods.map((method, i) => [method, i + 1] as const))('%s with specialise: false runs there, with the results of the generated code', (method, i) => {
    const outcome = strictOutcomes()[i];
    expect(outcome.error).toBeUndefined();
    const model = parseModel(text);
    const one = simulate(model, { tEnd: 5, steps: 10, rng: createRng(11), method, specialise: true });
    const ensemble = simulateEnsemble(model, { runs: 20, seed: 11, tEnd: 5, steps: 10, method, specialise: true });
    expect(one.events).toBeGreaterThan(0);
    expect(outcome.values).toEqual(Array.from(one.values));
    expect(outcome.events).toBe(one.events);
    expect(outcome.mean).toEqual(Array.from(ensemble.mean));
  });
});
