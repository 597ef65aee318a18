import { fc, test as fcTest } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { compileModel, type CompiledModel, formatModel, ModelError, parseModel, type ReactionModel, simulateEnsemble } from '../src/index.ts';
import {
  loadSbml,
  modelToSbml,
  parseResultsCsv,
  parseSettingsFile,
  reactionModelFromSbml,
  runOptionsFromSettings,
  SbmlUnsupportedError,
} from '../src/sbml.ts';
import { cases, readCase, scoreCase } from './dsmts.ts';

/** The model without DSL line numbers (which a round trip through SBML cannot keep). */
const plain = (m: ReactionModel): ReactionModel => ({ ...m, reactions: m.reactions.map(({ line: _line, ...r }) => r) });

/** Propensity of reaction r of a plan at amounts x, from the plan alone. */
function propensity(plan: CompiledModel, r: number, x: Float64Array): number {
  const source = plan.propensitySource[r];
  if (source !== null) return new Function('x', 'p', 't', `return ${source};`)(x, plan.parameterValues, 0) as number;
  let a = plan.massActionConstant[r];
  for (let i = plan.reactantStart[r]; i < plan.reactantStart[r + 1]; i++) {
    for (let j = 0; j < plan.reactantCount[i]; j++) a *= x[plan.reactantSpecies[i]] - j;
  }
  return a;
}

/** Net change of species s by reaction r. */
function change(plan: CompiledModel, r: number, s: number): number {
  for (let i = plan.changeStart[r]; i < plan.changeStart[r + 1]; i++) if (plan.changeSpecies[i] === s) return plan.changeDelta[i];
  return 0;
}

/** Both plans describe the same jump process: same species, initial state, changes and propensities at `states`. */
function expectSameProcess(a: CompiledModel, b: CompiledModel, states: readonly Float64Array[]): void {
  expect(b.species).toEqual(a.species);
  expect(b.reactionNames).toEqual(a.reactionNames);
  expect(Array.from(b.initial)).toEqual(Array.from(a.initial));
  for (let r = 0; r < a.reactionNames.length; r++) {
    for (let s = 0; s < a.species.length; s++) expect(change(b, r, s)).toBe(change(a, r, s));
    for (const x of states) {
      const pa = propensity(a, r, x);
      expect(Math.abs(propensity(b, r, x) - pa)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(pa)));
    }
  }
}

const FEATURES = `
# every rate form of the DSL
k = 0.5
A = 100
species G = 1
dimerise: 2 A -> B @ 0.01
trimerise: 3 A -> C @ k / 100
X -> 0 @ 2 * k
0 -> X @ 3
A + X -> A @ 1e-3
gene: G -> G + P @ 10 * G / (k + G)
P -> 0 @ P > 3 ? log(P) + max(P, 2) - min(P, 1) : 0
P -> 2 P @ exp(-k) * sqrt(P) + abs(sin(P)) * floor(P / 2) + ceil(log10(P + 1)) + pow(P, 0.5) + tanh(P) + cos(0) + tan(0)
B -> 0 @ (B >= 2 and not (B == 5)) or B != B ? B * pi / e : log(B + 1, 2)
`;

describe('SBML Level 3 export', () => {
  it('DSL -> SBML -> DSL gives the same model and the same DSL text', () => {
    const model = parseModel(FEATURES);
    const xml = modelToSbml(model, { id: 'features', name: 'all <rate> forms & more' });
    const back = reactionModelFromSbml(xml);
    expect(back).toEqual(plain(model));
    expect(formatModel(back)).toBe(formatModel(model));
    expect(parseModel(formatModel(back))).toEqual(parseModel(formatModel(model)));
  });

  it('the exported document loads in the importer as the same jump process', () => {
    const model = parseModel(FEATURES);
    const loaded = loadSbml(modelToSbml(model));
    expect(loaded.level).toBe(3);
    expect(loaded.version).toBe(2);
    expect(loaded.plan.sbml).toBeUndefined();
    expect(loaded.species.every((s) => s.hasOnlySubstanceUnits)).toBe(true);
    const plan = compileModel(model);
    const states = [0, 1, 2, 3, 7].map((k) => Float64Array.from(plan.species, (_, s) => (k * 5 + s * 3) % 17));
    expectSameProcess(plan, loaded.plan, states);
  });

  fcTest.prop(
    [
      fc.integer({ min: 1, max: 4 }).chain((species) =>
        fc.record({
          initial: fc.array(fc.nat(500), { minLength: species, maxLength: species }),
          reactions: fc.array(
            fc.record({
              reactants: fc.array(fc.nat(3), { minLength: species, maxLength: species }),
              products: fc.array(fc.nat(3), { minLength: species, maxLength: species }),
              constant: fc.double({ min: 0, max: 1e6, noNaN: true }),
            }),
            { minLength: 1, maxLength: 5 },
          ),
        }),
      ),
    ],
    { numRuns: 60 },
  )('random mass-action networks survive the round trip and keep their propensities', ({ initial, reactions }) => {
    const names = initial.map((_, i) => `S${i}`);
    const side = (counts: number[]) => counts.flatMap((c, i) => (c > 0 ? [{ species: names[i], count: c }] : []));
    const model: ReactionModel = {
      species: names.map((name, i) => ({ name, initial: initial[i] })),
      parameters: [],
      reactions: reactions.map((r, j) => ({
        name: `r${j + 1}`,
        reactants: side(r.reactants),
        products: side(r.products),
        rate: { kind: 'mass-action', constant: String(r.constant) },
      })),
    };
    const xml = modelToSbml(model);
    expect(reactionModelFromSbml(xml)).toEqual(model);
    const plan = compileModel(model);
    expectSameProcess(plan, loadSbml(xml).plan, [Float64Array.from(initial), Float64Array.from(initial, (n) => n + 3)]);
  });

  it('falls back to the kinetic law when it no longer matches the recorded DSL rate', () => {
    const xml = modelToSbml(parseModel('decay: X -> 0 @ 0.5\nX = 10'));
    const edited = xml.replace('<cn>0.5</cn>', '<cn>0.25</cn>');
    expect(edited).not.toBe(xml);
    const back = reactionModelFromSbml(edited);
    expect(back.reactions[0].rate.kind).toBe('propensity');
    const plan = compileModel(back);
    expect(propensity(plan, 0, Float64Array.of(8))).toBeCloseTo(2, 12);
  });

  it('reads SBML written by other tools: concentrations become amount / compartment size', () => {
    const back = reactionModelFromSbml(readCase('00011', 'sbml-l3v2.xml'));
    const original = loadSbml(readCase('00011', 'sbml-l3v2.xml')).plan;
    const states = [Float64Array.of(100), Float64Array.of(37)];
    expectSameProcess(original, compileModel(back), states);
    expect(formatModel(back)).toContain('param Cell = 2');
  });

  it('names what it cannot convert or export', () => {
    expect(() => reactionModelFromSbml(readCase('00029', 'sbml-l3v2.xml'))).toThrow(SbmlUnsupportedError);
    expect(() => reactionModelFromSbml(readCase('00019', 'sbml-l3v2.xml'))).toThrow(/rules/);
    const model = parseModel('X -> 0 @ 1\nX = 1');
    expect(() => modelToSbml(model, { id: '9bad' })).toThrow(/options.id must be an SBML id .*"9bad"/);
    expect(() => modelToSbml(model, { name: 3 as unknown as string })).toThrow(TypeError);
    expect(() => modelToSbml({ ...model, reactions: [{ ...model.reactions[0], rate: { kind: 'propensity', expression: 'X +' } }] })).toThrow(ModelError);
    expect(() => modelToSbml({ species: [], parameters: [], reactions: [] })).toThrow(/no species/);
  });

  it('keeps the compartment id clear of model names', () => {
    const xml = modelToSbml(parseModel('compartment -> 0 @ 1\ncompartment = 5'));
    expect(xml).toContain('<compartment id="compartment_"');
    expect(reactionModelFromSbml(xml).species).toEqual([{ name: 'compartment', initial: 5 }]);
  });
});

// The DSMTS cases that are reaction networks, read into the DSL form, exported again, loaded by the importer and
// simulated (n = 1000), must pass the per-point bands of scoreCase (dsmts.ts), whose false-alarm rate holds for any seed.
// 00005 and 00023 (the same birth-death and immigration-death networks at populations of 10,000 and 1,000 per unit
// time) are left out to keep the test fast; their networks are exported and checked in the structural test below.
const RUNS = 1000;
const SEED = Number(process.env.SRN_TEST_SEED ?? 1);
const NOT_NETWORKS = ['00019', '00029', '00033']; // an assignment rule, events
describe.skipIf(cases.length === 0)('exported DSMTS models', () => {
  const convertible = cases.filter((id) => !NOT_NETWORKS.includes(id));

  it('every reaction-network case exports to a document the importer reads as the same process', () => {
    expect(convertible.length).toBe(17);
    for (const id of convertible) {
      const original = loadSbml(readCase(id, 'sbml-l3v2.xml')).plan;
      const exported = loadSbml(modelToSbml(reactionModelFromSbml(readCase(id, 'sbml-l3v2.xml')))).plan;
      const states = [original.initial, Float64Array.from(original.initial, (v, s) => v + 5 + s)];
      expectSameProcess(original, exported, states);
    }
  });

  // A negative control: the score must notice a wrong model. With birth rate 0.11 instead of 0.1 the mean of 00001
  // at t = 50 is 100 instead of 100 e^{-0.5} ≈ 61 with SD ≈ 22 (the results file), so Z ≈ √1000 · 39 / 22 ≈ 56,
  // far outside any band, for any seed.
  it('the score rejects a model with a 10% wrong rate constant', () => {
    const settings = parseSettingsFile(readCase('00001', 'settings.txt'));
    const expected = parseResultsCsv(readCase('00001', 'results.csv'));
    const model = reactionModelFromSbml(readCase('00001', 'sbml-l3v2.xml'));
    const wrong = { ...model, parameters: model.parameters.map((p) => (p.name === 'Lambda' ? { ...p, value: 0.11 } : p)) };
    const stats = simulateEnsemble(loadSbml(modelToSbml(wrong)).plan, { ...runOptionsFromSettings(settings), runs: RUNS, seed: SEED, keepTrajectories: true });
    expect(scoreCase(stats, expected, settings).failing.length).toBeGreaterThan(10);
  });

  for (const id of convertible.filter((c) => c !== '00005' && c !== '00023')) {
    it(`case ${id}: the exported model matches the suite's results`, () => {
      const settings = parseSettingsFile(readCase(id, 'settings.txt'));
      const expected = parseResultsCsv(readCase(id, 'results.csv'));
      const xml = modelToSbml(reactionModelFromSbml(readCase(id, 'sbml-l3v2.xml')), { id: `dsmts_${id}` });
      const model = loadSbml(xml, { concentrations: settings.concentration });
      const stats = simulateEnsemble(model.plan, { ...runOptionsFromSettings(settings), runs: RUNS, seed: SEED, batchSize: 500, keepTrajectories: true });
      const score = scoreCase(stats, expected, settings);
      expect(score.points).toBeGreaterThan(0);
      expect(score.failing).toEqual([]);
    });
  }
});
