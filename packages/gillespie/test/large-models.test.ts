import { describe, expect, it } from 'vitest';
import { compileModel, createRng, ModelSyntaxError, parseModel, simulate } from '../src/index.ts';
import { instantiateModel } from '../src/kernels/ssa.ts';
import { loadSbml, SbmlError } from '../src/sbml.ts';
import { apply, ci, cn, compartmentAndSpecies, math, reaction, sbml, time } from './sbml-helpers.ts';

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
  it.each([20, 200, 1000])('a chain of %i rules loads, with the right propensity and initial values, and runs', (n) => {
    const model = loadSbml(ruleChain(n));
    const km = instantiateModel(model.plan);
    expect(km.propensityFunctions[0]!(Float64Array.of(10), km.parameterValues)).toBeCloseTo(0.1 * (10 + n - 1), 9);
    // Initial values of the rule targets: a_i = X + (n - 1 - i).
    const a0 = model.plan.parameterNames.indexOf('a0');
    expect(model.plan.parameterValues[a0]).toBe(10 + n - 1);
    const tr = simulate(model.plan, { tEnd: 100, steps: 1, rng: createRng(5) });
    expect(tr.values[1]).toBe(0);
  });

  it('reports a rule chain in the SBML kernel (a species set by the end of a long chain)', () => {
    // Y = a0 is reported at every grid time; with X = 0 at the end, Y = n - 1.
    const n = 500;
    const text = ruleChain(n)
      .replace('</listOfSpecies>', '<species id="Y" compartment="C" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>')
      .replace('</listOfRules>', `<assignmentRule variable="Y">${math(ci('a0'))}</assignmentRule></listOfRules>`);
    const model = loadSbml(text);
    const tr = simulate(model.plan, { tEnd: 200, steps: 1, rng: createRng(6) });
    expect(Array.from(tr.values)).toEqual([10, 10 + n - 1, 0, n - 1]);
  });

  it('compares time with a value at the end of a long chain (thresholds are closed expressions too)', () => {
    // gate = 1 while time < a30 = X + 29, else 0; R fires at 0.1 * a0 * gate. The gate closes by t = 39 at the latest
    // (X <= 10), so the state at t = 50 and t = 100 must agree; an unresolved rule local would throw instead. a30 heads
    // a chain of 30 rules, so its value is computed as locals, not pasted.
    const n = 60;
    const gate = `<piecewise><piece>${cn(1)}${apply('lt', time, ci('a30'))}</piece><otherwise>${cn(0)}</otherwise></piecewise>`;
    const text = ruleChain(n)
      .replace('</listOfParameters>', '<parameter id="gate" constant="false"/></listOfParameters>')
      .replace('</listOfRules>', `<assignmentRule variable="gate">${math(gate)}</assignmentRule></listOfRules>`)
      .replace(apply('times', cn(0.1), ci('a0')), apply('times', cn(0.1), ci('a0'), ci('gate')));
    const model = loadSbml(text);
    expect(model.plan.sbml?.thresholds.length).toBe(1);
    for (let run = 0; run < 5; run++) {
      const tr = simulate(model.plan, { tEnd: 100, steps: 2, rng: createRng(7, run) });
      expect(tr.values[2]).toBe(tr.values[1]);
    }
  });

  it('still names a rule on a circular chain', () => {
    const text = ruleChain(50).replace(`<assignmentRule variable="a49">${math(ci('X'))}`, `<assignmentRule variable="a49">${math(ci('a0'))}`);
    expect(() => loadSbml(text)).toThrow(SbmlError);
    expect(() => loadSbml(text)).toThrow(/assignmentRule 'a\d+': is part of a circular chain of assignment rules/);
  });
});
