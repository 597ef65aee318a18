import { describe, expect, it } from 'vitest';
import {
  compileModel,
  formatModel,
  ModelBuilder,
  ModelError,
  ModelSyntaxError,
  parseModel,
  translateExpression,
} from '../src/index.ts';
import { instantiateModel, propensity } from '../src/kernels/ssa.ts';

const LV = `
# well-mixed Lotka-Volterra
X -> 2 X @ 1.0
X + Y -> 2 Y @ 0.005   // predation
Y -> 0 @ 0.6
X = 50
Y = 100
`;

describe('parseModel', () => {
  it('reads the Lotka-Volterra example', () => {
    const model = parseModel(LV);
    expect(model.species).toEqual([
      { name: 'X', initial: 50 },
      { name: 'Y', initial: 100 },
    ]);
    expect(model.reactions.map((r) => r.name)).toEqual(['r1', 'r2', 'r3']);
    expect(model.reactions[1]).toMatchObject({
      reactants: [
        { species: 'X', count: 1 },
        { species: 'Y', count: 1 },
      ],
      products: [{ species: 'Y', count: 2 }],
      rate: { kind: 'mass-action', constant: '0.005' },
    });
    expect(model.reactions[2].products).toEqual([]);
  });

  it('supports labels, parameters, explicit declarations, 2X without a space and general propensities', () => {
    const model = parseModel(`
      param k_in = 2 * 0.5
      k_out = k_in / 10
      species G = 1
      species P
      make: G -> G + P @ k_in
      0 -> P @ k_in
      decay: P -> ∅ @ k_out
      dimer: 2P -> D @ 0.01
      sat: G -> G + P @ 3 * G / (1 + P)
    `);
    expect(model.parameters).toEqual([
      { name: 'k_in', value: 1 },
      { name: 'k_out', value: 0.1 },
    ]);
    expect(model.species.map((s) => [s.name, s.initial])).toEqual([
      ['G', 1],
      ['P', 0],
      ['D', 0],
    ]);
    expect(model.reactions.map((r) => r.name)).toEqual(['make', 'r2', 'decay', 'dimer', 'sat']);
    expect(model.reactions[3].reactants).toEqual([{ species: 'P', count: 2 }]);
    expect(model.reactions[4].rate).toEqual({ kind: 'propensity', expression: '3 * G / (1 + P)' });
  });

  it('round-trips through formatModel', () => {
    const model = parseModel(LV);
    const again = parseModel(formatModel(model));
    expect(again.species).toEqual(model.species);
    expect(again.reactions.map((r) => [r.reactants, r.products, r.rate])).toEqual(
      model.reactions.map((r) => [r.reactants, r.products, r.rate]),
    );
  });

  it('equals the same model built with ModelBuilder', () => {
    const built = new ModelBuilder()
      .species('X', 50)
      .species('Y', 100)
      .reaction({ reactants: { X: 1 }, products: { X: 2 }, rate: 1 })
      .reaction({ reactants: { X: 1, Y: 1 }, products: { Y: 2 }, rate: 0.005 })
      .reaction({ reactants: { Y: 1 }, products: {}, rate: 0.6 })
      .build();
    const a = compileModel(built);
    const b = compileModel(parseModel(LV));
    expect(a.massActionConstant).toEqual(b.massActionConstant);
    expect(a.changeDelta).toEqual(b.changeDelta);
    expect(a.dependents).toEqual(b.dependents);
  });

  // Every error path: [text, line, column, message pattern].
  const cases: [string, string, number, number, RegExp][] = [
    ['missing rate', 'X -> 2 X', 1, 9, /missing rate/],
    ['empty rate', 'X -> 2 X @', 1, 11, /expected a rate after '@'/],
    ['negative rate', 'X -> 0 @ -1', 1, 10, /rate constant evaluates to -1/],
    ['NaN rate', 'X -> 0 @ NaN', 1, 10, /finite/],
    ['negative rate from a parameter', 'k = -2\nX -> 0 @ k', 2, 10, /expected a finite number >= 0/],
    ['unknown name in a rate', 'X = 5\nX -> 0 @ kk', 2, 10, /unknown name 'kk'/],
    ['unknown name in a propensity', 'X -> 0 @ 2 * X * Z', 1, 18, /unknown name 'Z'/],
    ['bad expression', 'X -> 0 @ 2 * (X', 1, 16, /invalid expression/],
    ['empty reactant side', ' -> X @ 1', 1, 2, /expected species/],
    ['bad species term', 'X -> 2 3 @ 1', 1, 6, /expected a species term/],
    ['bad species name', 'X -> Y-Z @ 1', 1, 6, /expected a species term|not a valid species name/],
    ['duplicate parameter', 'k = 1\nk = 2\nX -> 0 @ k', 2, 1, /duplicate definition of 'k'/],
    ['duplicate label', 'a: X -> 0 @ 1\na: X -> Y @ 1', 2, 1, /duplicate reaction label 'a'/],
    ['species used as parameter', 'param X = 1\nX -> 0 @ 1', 1, 7, /cannot also be a parameter/],
    ['non-integer initial amount', 'X = 2.5\nX -> 0 @ 1', 1, 5, /non-negative integer/],
    ['negative initial amount', 'X = -3\nX -> 0 @ 1', 1, 5, /non-negative integer/],
    ['assignment without value', 'k =\nX -> 0 @ 1', 1, 4, /expected a value after '='/],
    ['statement that is not one', 'hello world\nX -> 0 @ 1', 1, 1, /expected 'NAME = VALUE'/],
    ['@ without arrow', 'X @ 1', 1, 3, /expected '->'/],
    ['reversible arrow', 'X <-> Y @ 1', 1, 3, /reversible arrows/],
    ['reserved name', 't = 1\nX -> 0 @ 1', 1, 1, /reserved/],
    ['no species at all', 'k = 1', 1, 1, /no species/],
  ];
  for (const [title, text, line, column, pattern] of cases) {
    it(`reports ${title} at line ${line}, column ${column}`, () => {
      let caught: unknown;
      try {
        parseModel(text, 'case.srn');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ModelSyntaxError);
      const error = caught as ModelSyntaxError;
      expect(error.message).toMatch(pattern);
      expect([error.line, error.column]).toEqual([line, column]);
      expect(error.message.startsWith(`case.srn:${line}:${column}:`)).toBe(true);
    });
  }

  it('rejects non-string input', () => {
    expect(() => parseModel(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('ModelBuilder', () => {
  it('checks names, amounts, rates and species references', () => {
    expect(() => new ModelBuilder().species('1X')).toThrow(ModelError);
    expect(() => new ModelBuilder().species('X', -1)).toThrow(/non-negative integer/);
    expect(() => new ModelBuilder().species('X').parameter('X', 1)).toThrow(/duplicate name 'X'/);
    expect(() => new ModelBuilder().parameter('k', Number.NaN)).toThrow(/finite/);
    expect(() => new ModelBuilder().species('X').reaction({ reactants: { X: 1 }, products: {}, rate: -1 })).toThrow(/>= 0/);
    expect(() => new ModelBuilder().species('X').reaction({ reactants: { X: 1.5 }, products: {}, rate: 1 })).toThrow(/integer/);
    expect(() => new ModelBuilder().species('X').reaction({ reactants: { Z: 1 }, products: {}, rate: 1 }).build()).toThrow(
      /unknown species 'Z'/,
    );
  });
});

describe('propensities', () => {
  // Stochastic mass action counts distinct reactant combinations: k·n(n−1)/2 for 2A, k·n(n−1)(n−2)/6 for 3A.
  it('use the stochastic combinatorics', () => {
    const km = instantiateModel(
      compileModel(parseModel('2 A -> B @ 3\n3 A -> 0 @ 6\nA + B -> 0 @ 0.5\n0 -> A @ 2\nA + A + B -> B @ 1\nA = 5\nB = 4')),
    );
    const x = Float64Array.of(5, 4);
    expect(propensity(km, 0, x)).toBe((3 * 5 * 4) / 2);
    expect(propensity(km, 1, x)).toBe((6 * 5 * 4 * 3) / 6);
    expect(propensity(km, 2, x)).toBe(0.5 * 5 * 4);
    expect(propensity(km, 3, x)).toBe(2);
    expect(propensity(km, 4, x)).toBe((1 * 5 * 4 * 4) / 2);
    x[0] = 1;
    expect(propensity(km, 0, x)).toBe(0);
  });

  it('compile general rate laws to plain functions over species and parameters', () => {
    const plan = compileModel(parseModel('vmax = 4\nK = 2\nS -> P @ vmax * S / (K + S)\nS = 6'));
    expect(plan.propensitySource[0]).not.toMatch(/math/);
    const km = instantiateModel(plan);
    expect(propensity(km, 0, Float64Array.of(6, 0))).toBeCloseTo((4 * 6) / 8, 14);
  });

  it('translateExpression whitelists functions and reports positions', () => {
    const scope = { symbol: (n: string) => (n === 'X' ? 'x[0]' : undefined) };
    expect(translateExpression('max(X, 2) ^ 2 + exp(0)', scope).code).toBe('(Math.pow(Math.max(x[0], 2), 2) + Math.exp(0))');
    expect(() => translateExpression('evaluate(X)', scope)).toThrow(/unknown function 'evaluate'/);
    expect(() => translateExpression('X = 3', scope)).toThrow(ModelSyntaxError);
  });
});
