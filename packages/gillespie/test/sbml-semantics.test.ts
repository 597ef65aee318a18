import { describe, expect, it } from 'vitest';
import { createRng, ModelError, SimulationError, simulate, simulateEnsemble } from '../src/index.ts';
import { simulateEnsembleParallel } from '../src/node.ts';
import { loadSbml, SbmlError, SbmlUnsupportedError } from '../src/sbml.ts';
import { apply, ci, cn, compartmentAndSpecies, event, math, reaction, sbml, time } from './sbml-helpers.ts';

const rng = (seed = 1) => createRng(seed);
const params = (p: Record<string, number>, constant = true) =>
  `<listOfParameters>${Object.entries(p).map(([id, v]) => `<parameter id="${id}" value="${v}" constant="${constant}"/>`).join('')}</listOfParameters>`;
/** Column of species s in a single trajectory. */
const column = (run: { values: Float64Array; species: readonly string[]; times: Float64Array }, s: string) => {
  const i = run.species.indexOf(s);
  return Array.from(run.times, (_, g) => run.values[g * run.species.length + i]);
};

describe('loadSbml: MathML and values', () => {
  it('reads cn types, constants, functions, piecewise and operators into the propensity', () => {
    const f = `<listOfFunctionDefinitions><functionDefinition id="twice">${math(`<lambda><bvar>${ci('a')}</bvar>${apply('times', cn(2), ci('a'))}</lambda>`)}</functionDefinition></listOfFunctionDefinitions>`;
    const law = apply('plus',
      '<cn type="e-notation"> 1.5 <sep/> 1 </cn>', // 15
      '<cn type="rational"> 1 <sep/> 4 </cn>', // 0.25
      `<apply><root/><degree>${cn(3)}</degree>${cn(27)}</apply>`, // 3
      `<apply><log/><logbase>${cn(2)}</logbase>${cn(8)}</apply>`, // 3
      `<apply><ci> twice </ci>${cn(1)}</apply>`, // 2
      `<piecewise><piece>${cn(100)}${apply('gt', ci('X'), cn(10))}</piece><otherwise>${cn(1000)}</otherwise></piecewise>`, // X = 5 -> 1000
      apply('power', cn(2), cn(3)), // 8
      apply('minus', cn(1)), // -1
      apply('and', '<true/>', apply('not', '<false/>')), // 1
      apply('xor', '<true/>', '<true/>'), // 0
      apply('exp', apply('ln', cn(2))), // 2
    );
    const model = loadSbml(sbml(`${f}${compartmentAndSpecies({ X: 5 })}<listOfReactions>${reaction('R', {}, { X: 1 }, law)}</listOfReactions>`));
    const fn = new Function('x', 'p', `return ${model.plan.propensitySource[0]};`);
    expect(fn(model.plan.initial, model.plan.parameterValues)).toBeCloseTo(15 + 0.25 + 3 + 3 + 2 + 1000 + 8 - 1 + 1 + 0 + 2, 10);
  });

  it('converts initial concentrations to amounts and lets concentration species mean amount / size', () => {
    const xml = sbml(`<listOfCompartments><compartment id="C" size="2" constant="true"/></listOfCompartments>
      <listOfSpecies><species id="X" compartment="C" initialConcentration="50" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/></listOfSpecies>
      ${params({ k: 3 })}
      <listOfReactions>${reaction('R', { X: 1 }, {}, apply('times', ci('k'), ci('X')))}</listOfReactions>`);
    const model = loadSbml(xml, { concentrations: ['X'] });
    expect(Array.from(model.plan.initial)).toEqual([100]);
    const fn = new Function('x', 'p', `return ${model.plan.propensitySource[0]};`);
    expect(fn(Float64Array.of(100), model.plan.parameterValues)).toBe(3 * 50);
    // Reported as a concentration: 100 molecules in size 2 -> 50 at t = 0.
    const run = simulate(model.plan, { tEnd: 1, steps: 1, rng: rng() });
    expect(run.values[0]).toBe(50);
  });

  it('applies initial assignments in dependency order and evaluates assignment rules at every output time', () => {
    const xml = sbml(`${compartmentAndSpecies({ X: 0, Y: 0 })}${params({ k: 4, j: 0 })}
      <listOfInitialAssignments>
        <initialAssignment symbol="X">${math(apply('times', ci('j'), cn(10)))}</initialAssignment>
        <initialAssignment symbol="j">${math(apply('plus', ci('k'), cn(1)))}</initialAssignment>
      </listOfInitialAssignments>
      <listOfRules><assignmentRule variable="Y">${math(apply('plus', apply('times', cn(2), ci('X')), time))}</assignmentRule></listOfRules>
      <listOfReactions>${reaction('death', { X: 1 }, {}, apply('times', cn(0.1), ci('X')))}</listOfReactions>`);
    const model = loadSbml(xml);
    expect(model.species.map((s) => s.initialAmount)).toEqual([50, 100]);
    const run = simulate(model.plan, { tEnd: 10, steps: 10, rng: rng(3) });
    const x = column(run, 'X');
    const y = column(run, 'Y');
    for (let g = 0; g < x.length; g++) expect(y[g]).toBe(2 * x[g] + run.times[g]);
  });

  it('treats boundary and constant species as fixed, applies non-unit stoichiometry and local parameters', () => {
    const xml = sbml(`<listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
      <listOfSpecies>
        <species id="S" compartment="C" initialAmount="7" hasOnlySubstanceUnits="true" boundaryCondition="true" constant="false"/>
        <species id="K" compartment="C" initialAmount="2" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="true"/>
        <species id="X" compartment="C" initialAmount="0" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>
      </listOfSpecies>${params({ k: 1000 })}
      <listOfReactions>${reaction('R', { S: 1 }, { X: 3 }, apply('times', ci('k'), ci('K')), `<listOfLocalParameters><localParameter id="k" value="0.5"/></listOfLocalParameters>`)}</listOfReactions>`);
    const model = loadSbml(xml);
    expect(model.features).toEqual(expect.arrayContaining(['boundary species', 'constant species', 'local parameters', 'non-unit stoichiometry']));
    const stats = simulateEnsemble(model.plan, { runs: 400, seed: 5, tEnd: 10, steps: 2, keepFinalStates: true });
    const finals = stats.finalStates!;
    for (let r = 0; r < 400; r++) {
      expect(finals[r * 3]).toBe(7);
      expect(finals[r * 3 + 1]).toBe(2);
      expect(finals[r * 3 + 2] % 3).toBe(0);
    }
    // X/3 is Poisson with mean 0.5 * 2 * 10 = 10: z-score of the mean over 400 runs (SD of the mean 3·√10/20).
    const mean = stats.mean[2 * 3 + 2];
    expect(Math.abs(mean - 30) / ((3 * Math.sqrt(10)) / 20)).toBeLessThan(4);
  });

  it('gives the same plan for the L2V4, L3V1 and L3V2 encodings of a case', () => {
    const body = (l3: boolean) => `${compartmentAndSpecies({ X: 10 })}${params({ k: 0.3 })}
      <listOfReactions><reaction id="R" reversible="false"${l3 ? ' fast="false"' : ''}><listOfReactants><speciesReference species="X" ${l3 ? 'stoichiometry="1" constant="true"' : ''}/></listOfReactants>
      <kineticLaw>${math(apply('times', ci('k'), ci('X')))}</kineticLaw></reaction></listOfReactions>`;
    const plans = [sbml(body(false), 2, 4), sbml(body(true), 3, 1), sbml(body(true), 3, 2), sbml(body(false), 2, 1)].map((x) => loadSbml(x).plan);
    for (const plan of plans.slice(1)) expect(plan).toEqual(plans[0]);
  });
});

describe('loadSbml: events, time steps and the SBML kernel', () => {
  it('fires a time-triggered event exactly at its time (time > 5 fires at 5)', () => {
    for (const op of ['gt', 'geq']) {
      const xml = sbml(`${compartmentAndSpecies({ X: 0 })}<listOfEvents>${event('e', apply(op, time, cn(5)), { X: cn(100) })}</listOfEvents>`);
      const run = simulate(loadSbml(xml).plan, { tEnd: 10, steps: 10, rng: rng() });
      expect(column(run, 'X')).toEqual([0, 0, 0, 0, 0, 100, 100, 100, 100, 100, 100]);
    }
  });

  it('stops the SSA at a step change of a propensity (piecewise in time) and stays exact', () => {
    const law = `<piecewise><piece>${cn(10)}${apply('lt', time, cn(5))}</piece><otherwise>${cn(0)}</otherwise></piecewise>`;
    const model = loadSbml(sbml(`${compartmentAndSpecies({ X: 0 })}<listOfReactions>${reaction('R', {}, { X: 1 }, law)}</listOfReactions>`));
    expect(model.features).toContain('time-dependent rates');
    const run = simulate(model.plan, { tEnd: 10, steps: 10, rng: rng(2) });
    const x = column(run, 'X');
    for (let g = 6; g <= 10; g++) expect(x[g]).toBe(x[5]);
    // X(10) is Poisson(50): z-score of the mean of 2000 runs with SD √(50/2000).
    const stats = simulateEnsemble(model.plan, { runs: 2000, seed: 9, tEnd: 10, steps: 2 });
    expect(Math.abs(stats.mean[2] - 50) / Math.sqrt(50 / 2000)).toBeLessThan(4);
  });

  it('fires species-triggered events on the rising edge only, with cascades and values from trigger time', () => {
    // Immigration makes X and T; when X reaches 5, X is reset and the counter N incremented (N = N + 1 read at
    // trigger time). Invariants in every run: X = T mod 5 and N = floor(T / 5).
    const xml = sbml(`${compartmentAndSpecies({ X: 0, T: 0, N: 0 })}
      <listOfReactions>${reaction('R', {}, { X: 1, T: 1 }, cn(20))}</listOfReactions>
      <listOfEvents>${event('reset', apply('geq', ci('X'), cn(5)), { X: cn(0), N: apply('plus', ci('N'), cn(1)) })}</listOfEvents>`);
    const model = loadSbml(xml);
    expect(model.features).toContain('events (species)');
    for (const seed of [1, 2, 3]) {
      const run = simulate(model.plan, { tEnd: 5, steps: 50, rng: rng(seed) });
      const [x, t, c] = ['X', 'T', 'N'].map((s) => column(run, s));
      for (let g = 0; g < x.length; g++) {
        expect(x[g]).toBe(t[g] % 5);
        expect(c[g]).toBe(Math.floor(t[g] / 5));
      }
    }
  });

  it('fires at t0 only when initialValue is false (L3) and never at t0 in L2', () => {
    const body = (attrs: string) =>
      `${compartmentAndSpecies({ X: 0 })}<listOfEvents>${event('e', apply('geq', time, cn(0)), { X: cn(3) }, '', attrs)}</listOfEvents>`;
    const first = (xml: string) => simulate(loadSbml(xml).plan, { tEnd: 1, steps: 1, rng: rng() }).values[0];
    expect(first(sbml(body('initialValue="false" persistent="true"')))).toBe(3);
    expect(first(sbml(body('initialValue="true" persistent="true"')))).toBe(0);
    expect(first(sbml(body(''), 2, 4).replace(' useValuesFromTriggerTime="true"', ''))).toBe(0);
  });

  it('orders simultaneous events by priority and chains events through parameters', () => {
    const priority = (v: number) => `<priority>${math(cn(v))}</priority>`;
    const xml = sbml(`${compartmentAndSpecies({ X: 0, Y: 0 })}${params({ flag: 0 }, false)}<listOfEvents>
      ${event('low', apply('geq', time, cn(2)), { X: cn(1) }, priority(1))}
      ${event('high', apply('geq', time, cn(2)), { X: cn(2), flag: cn(1) }, priority(5))}
      ${event('chained', apply('gt', ci('flag'), cn(0.5)), { Y: apply('plus', ci('X'), cn(10)) }, priority(0))}
      </listOfEvents>`);
    const run = simulate(loadSbml(xml).plan, { tEnd: 4, steps: 4, rng: rng() });
    // At t = 2: high (X = 2, flag = 1) triggers chained, whose value X + 10 = 12 is taken at its trigger time
    // (useValuesFromTriggerTime); low (priority 1) runs before chained (priority 0) and sets X = 1.
    expect(column(run, 'X')).toEqual([0, 0, 1, 1, 1]);
    expect(column(run, 'Y')).toEqual([0, 0, 12, 12, 12]);
    const later = simulate(loadSbml(xml.replaceAll('useValuesFromTriggerTime="true"', 'useValuesFromTriggerTime="false"')).plan, {
      tEnd: 4, steps: 4, rng: rng(),
    });
    expect(column(later, 'Y')).toEqual([0, 0, 11, 11, 11]);
  });

  it('runs SBML plans with events on worker threads with identical statistics', async () => {
    const xml = sbml(`${compartmentAndSpecies({ X: 0 })}${params({ a: 5 })}
      <listOfReactions>${reaction('in', {}, { X: 1 }, ci('a'))}${reaction('out', { X: 1 }, {}, apply('times', cn(0.2), ci('X')))}</listOfReactions>
      <listOfEvents>${event('reset', apply('geq', time, cn(3)), { X: cn(50) })}</listOfEvents>`);
    const plan = loadSbml(xml).plan;
    const options = { runs: 64, seed: 4, tEnd: 6, steps: 6, batchSize: 16 };
    const inThread = simulateEnsemble(plan, options);
    const parallel = await simulateEnsembleParallel(plan, { ...options, workers: 2 });
    expect(Array.from(parallel.mean)).toEqual(Array.from(inThread.mean));
    expect(inThread.mean[3]).toBeGreaterThan(40);
  });
});

describe('loadSbml: errors name the element and its id', () => {
  const base = compartmentAndSpecies({ X: 10 });
  const expectError = (xml: string, type: typeof SbmlError, pattern: RegExp, id?: string) => {
    let caught: unknown;
    try {
      loadSbml(xml);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(type);
    expect(caught).toBeInstanceOf(ModelError);
    expect((caught as Error).message).toMatch(pattern);
    if (id !== undefined) expect((caught as SbmlError).elementId).toBe(id);
  };

  it('rejects malformed XML and non-SBML documents', () => {
    expectError('<sbml level="3" version="2"><model>', SbmlError, /malformed XML/);
    expectError('', SbmlError, /empty/);
    expectError('<notsbml/>', SbmlError, /expected <sbml>/);
    expectError('<sbml level="1" version="2"><model/></sbml>', SbmlUnsupportedError, /Level 1 Version 2/);
    expect(() => loadSbml(42 as unknown as string)).toThrow(TypeError);
  });

  it('rejects missing ids and references to undefined species, parameters and functions', () => {
    expectError(sbml(`${base}<listOfParameters><parameter value="1"/></listOfParameters>`), SbmlError, /parameter number 1 has no id/);
    expectError(sbml(`${base}<listOfReactions>${reaction('R', { Z: 1 }, {}, cn(1))}</listOfReactions>`), SbmlError, /undefined species 'Z'/, 'R');
    expectError(sbml(`${base}<listOfReactions>${reaction('R', { X: 1 }, {}, ci('kk'))}</listOfReactions>`), SbmlError, /undefined identifier 'kk'/, 'R');
    expectError(sbml(`${base}<listOfReactions>${reaction('R', { X: 1 }, {}, `<apply><ci> f </ci>${cn(1)}</apply>`)}</listOfReactions>`), SbmlError, /undefined function 'f'/, 'R');
    expectError(sbml(`${base}${params({ k: 1 })}<listOfParameters/>`), SbmlError, /2 <listOfParameters>/);
    expectError(sbml(`${base}<listOfParameters><parameter id="X" value="1"/></listOfParameters>`), SbmlError, /already used by a species/, 'X');
    expectError(sbml(`${base}<listOfReactions><reaction id="R"><listOfReactants><speciesReference species="X"/></listOfReactants></reaction></listOfReactions>`), SbmlError, /no kineticLaw/, 'R');
    expectError(sbml(`${base}<listOfParameters><parameter id="k" constant="true"/></listOfParameters><listOfReactions>${reaction('R', { X: 1 }, {}, ci('k'))}</listOfReactions>`), SbmlError, /has no value/, 'k');
  });

  it('rejects unsupported constructs with SbmlUnsupportedError', () => {
    const delay = `<delay>${math(cn(1))}</delay>`;
    expectError(sbml(`${base}<listOfEvents>${event('late', apply('geq', time, cn(1)), { X: cn(0) }, delay)}</listOfEvents>`), SbmlUnsupportedError, /delayed events/, 'late');
    expectError(sbml(`${base}<listOfRules><algebraicRule>${math(ci('X'))}</algebraicRule></listOfRules>`), SbmlUnsupportedError, /algebraic rules/);
    expectError(sbml(`${base}<listOfRules><rateRule variable="X">${math(cn(1))}</rateRule></listOfRules>`), SbmlUnsupportedError, /rate rules/, 'X');
    expectError(sbml(`${base}<listOfReactions>${reaction('R', { X: 1 }, {}, apply('sin', time))}</listOfReactions>`), SbmlUnsupportedError, /varies continuously with time/, 'R');
    expectError(sbml(`${base}<listOfReactions>${reaction('R', { X: 1 }, {}, '<apply><csymbol definitionURL="http://www.sbml.org/sbml/symbols/delay"/><ci>X</ci><cn>1</cn></apply>')}</listOfReactions>`), SbmlUnsupportedError, /delay/, 'R');
    expectError(sbml(`${base}<listOfReactions>${reaction('R', { X: 1 }, {}, ci('X')).replace('reversible="false"', 'reversible="false" fast="true"')}</listOfReactions>`), SbmlUnsupportedError, /fast reactions/, 'R');
    expectError(sbml(`${base}<listOfReactions>${reaction('R', { X: 1 }, { X: 2.5 }, ci('X'))}</listOfReactions>`), SbmlUnsupportedError, /needs integers/, 'R');
    expectError(
      sbml(base).replace('version="2">', 'version="2" xmlns:distrib="http://www.sbml.org/sbml/level3/version1/distrib/version1" distrib:required="true">'),
      SbmlUnsupportedError, /distrib/,
    );
    expectError(sbml(`${base}<listOfEvents>${event('e', apply('gt', apply('times', cn(2), time), cn(1)), { X: cn(0) })}</listOfEvents>`), SbmlUnsupportedError, /trigger varies continuously/, 'e');
  });

  it('reports division by zero and negative propensities at run time as SimulationError naming the reaction', () => {
    const divide = loadSbml(sbml(`${base}<listOfReactions>${reaction('R1', { X: 1 }, {}, apply('divide', ci('X'), apply('minus', ci('X'), cn(10))))}</listOfReactions>`));
    expect(() => simulate(divide.plan, { tEnd: 1, rng: rng() })).toThrow(SimulationError);
    expect(() => simulate(divide.plan, { tEnd: 1, rng: rng() })).toThrow(/reaction 'R1' has propensity Infinity/);
    const negative = loadSbml(sbml(`${base}<listOfReactions>${reaction('Rneg', { X: 1 }, {}, apply('minus', ci('X'), cn(12)))}</listOfReactions>`));
    expect(() => simulate(negative.plan, { tEnd: 1, rng: rng() })).toThrow(/reaction 'Rneg' has propensity -2/);
    // The same through the SBML kernel (an event makes the plan use it).
    const withEvent = loadSbml(sbml(`${base}<listOfReactions>${reaction('Rev', {}, { X: 2 }, apply('minus', cn(15), ci('X')))}</listOfReactions>
      <listOfEvents>${event('e', apply('geq', time, cn(100)), { X: cn(0) })}</listOfEvents>`));
    expect(() => simulate(withEvent.plan, { tEnd: 50, rng: rng() })).toThrow(/reaction 'Rev' has propensity -1/);
  });

  it('validates the options', () => {
    expect(() => loadSbml(sbml(base), { concentrations: ['Q'] })).toThrow(RangeError);
    expect(() => loadSbml(sbml(base), null as never)).toThrow(TypeError);
  });
});

describe('looksLikeSbml', () => {
  it('detects SBML documents for format detection', async () => {
    const { looksLikeSbml } = await import('../src/sbml.ts');
    expect(looksLikeSbml(sbml(''))).toBe(true);
    expect(looksLikeSbml('<!-- c -->\n<sbml:sbml xmlns:sbml="x">')).toBe(true);
    expect(looksLikeSbml('X -> 0 @ 1\nX = 10')).toBe(false);
    expect(looksLikeSbml('<html>')).toBe(false);
  });
});
