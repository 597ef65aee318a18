import { describe, expect, it } from 'vitest';
import { compileModel, createRng, ModelSyntaxError, parseModel, simulate } from '../src/index.ts';
import { instantiateModel } from '../src/kernels/ssa.ts';
import { loadSbml, SbmlError, SbmlUnsupportedError } from '../src/sbml.ts';
import { apply, ci, cn, compartmentAndSpecies, math, reaction, sbml } from './sbml-helpers.ts';

// Issue #20: a rate summing 2,000 terms or a chain of 1,000 assignment rules crashed with an untyped
// "RangeError: Maximum call stack size exceeded". Valid large models must load and run; what cannot be translated
// must fail with the package's typed error naming the reaction or rule.

describe('large rate laws', () => {
  it.each([2000, 10_000])('DSL: a rate summing %i terms compiles to the right propensity and runs', (n) => {
    // n terms (k/n) * X with k = 1 sum to X, so the propensity at X = 7 is 7 (up to round-off of n additions).
    const rate = Array.from({ length: n }, () => `${1 / n} * X`).join(' + ');
    const model = parseModel(`X -> 0 @ ${rate}\nX = 7`);
    const km = instantiateModel(compileModel(model));
    expect(km.propensityFunctions[0]!(Float64Array.of(7), km.parameterValues)).toBeCloseTo(7, 9);
    for (const specialise of [true, false]) {
      const tr = simulate(model, { tEnd: 100, steps: 1, rng: createRng(1), specialise });
      expect(tr.values[1]).toBe(0);
    }
  });

  it('DSL: a rate constant summing 2,000 numbers is evaluated, left to right as written', () => {
    const model = parseModel(`X -> 0 @ ${Array.from({ length: 2000 }, () => '0.001').join(' + ')} - 1\nX = 1`);
    const km = instantiateModel(compileModel(model));
    let expected = 0.001;
    for (let i = 1; i < 2000; i++) expected += 0.001;
    expect(km.massActionConstant[0]).toBe(expected - 1);
  });

  it('SBML: a kinetic law of 2,000 terms loads and runs', () => {
    const law = apply('plus', ...Array.from({ length: 2000 }, () => apply('times', cn(0.0005), ci('X'))));
    const model = loadSbml(sbml(`${compartmentAndSpecies({ X: 10 })}<listOfReactions>${reaction('R', { X: 1 }, {}, law)}</listOfReactions>`));
    const km = instantiateModel(model.plan);
    expect(km.propensityFunctions[0]!(Float64Array.of(10), km.parameterValues)).toBeCloseTo(10, 9);
    expect(simulate(model.plan, { tEnd: 100, steps: 1, rng: createRng(2) }).values[1]).toBe(0);
  });

  it('refuses pathological nesting with a typed error that does not echo the whole input', () => {
    const deep = `X -> 0 @ ${'('.repeat(5000)}X${')'.repeat(5000)}\nX = 1`;
    expect(() => parseModel(deep)).toThrow(ModelSyntaxError);
    expect(() => parseModel(deep)).toThrow(/\.\.\. \(10001 characters\)' is nested too deeply/);
    const negations = `X -> 0 @ ${'-'.repeat(400)}X\nX = 1`;
    expect(() => parseModel(negations)).toThrow(/nested more than 300 levels deep/);
  });
});

/** A chain a0 = a1 + 1, a1 = a2 + 1, ..., a(n-1) = X, and R: X -> 0 at rate 0.1 * a0 = 0.1 (X + n - 1). */
function ruleChain(n: number): string {
  const params = Array.from({ length: n }, (_, i) => `<parameter id="a${i}" constant="false"/>`).join('');
  const rules = Array.from({ length: n }, (_, i) =>
    `<assignmentRule variable="a${i}">${math(i === n - 1 ? ci('X') : apply('plus', ci(`a${i + 1}`), cn(1)))}</assignmentRule>`).join('');
  return sbml(`${compartmentAndSpecies({ X: 10 })}<listOfParameters>${params}</listOfParameters><listOfRules>${rules}</listOfRules>
    <listOfReactions>${reaction('R', { X: 1 }, {}, apply('times', cn(0.1), ci('a0')))}</listOfReactions>`);
}

describe('chains of assignment rules', () => {
  it('translates a chain of 200 rules', () => {
    const model = loadSbml(ruleChain(200));
    const km = instantiateModel(model.plan);
    expect(km.propensityFunctions[0]!(Float64Array.of(10), km.parameterValues)).toBeCloseTo(0.1 * (10 + 199), 9);
  });

  it('refuses a chain of 1,000 rules with a typed error naming the rule', () => {
    expect(() => loadSbml(ruleChain(1000))).toThrow(SbmlUnsupportedError);
    expect(() => loadSbml(ruleChain(1000))).toThrow(/assignmentRule 'a\d+': is reached through a chain of more than 200 assignment rules/);
    expect(() => loadSbml(ruleChain(1000))).not.toThrow(RangeError);
    expect(SbmlUnsupportedError.prototype).toBeInstanceOf(SbmlError);
  });
});
