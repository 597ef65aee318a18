import { describe, expect, it } from 'vitest';
import { simulateEnsemble } from '../src/index.ts';
import { loadSbml, parseResultsCsv, parseSettingsFile, runOptionsFromSettings } from '../src/sbml.ts';
import { cases, readCase, scoreCase } from './dsmts.ts';

/**
 * n = 1000 runs per case, scored with per-point bands whose false-alarm rate is below 1e-4 per case for any seed
 * (`scoreCase` in dsmts.ts says why the suite's own 3-failure rule is not); the suite's rule at n = 10,000 is
 * bench/sbml-conformance.ts. The seed is arbitrary: SRN_TEST_SEED overrides it.
 */
const RUNS = 1000;
const SEED = Number(process.env.SRN_TEST_SEED ?? 1);

describe.skipIf(cases.length === 0)('SBML discrete stochastic test suite (n = 1000)', () => {
  it('finds the 20 cases', () => {
    expect(cases.length).toBe(20);
  });

  for (const id of cases) {
    it(`case ${id} passes and its L2V4, L3V1 and L3V2 files give the same plan`, () => {
      const read = (suffix: string) => readCase(id, suffix);
      const settings = parseSettingsFile(read('settings.txt'));
      const expected = parseResultsCsv(read('results.csv'));
      const models = ['sbml-l3v2.xml', 'sbml-l3v1.xml', 'sbml-l2v4.xml'].map((f) => loadSbml(read(f), { concentrations: settings.concentration }));
      // Level 2 has no trigger initialValue (taken as true); the cases' triggers are false at t0 either way.
      const normalised = models.map((m) => ({ ...m.plan, sbml: m.plan.sbml && { ...m.plan.sbml, events: m.plan.sbml.events.map((e) => ({ ...e, initialValue: null })) } }));
      for (const other of normalised.slice(1)) expect(other).toEqual(normalised[0]);
      const stats = simulateEnsemble(models[0].plan, { ...runOptionsFromSettings(settings), runs: RUNS, seed: SEED, batchSize: 500, keepTrajectories: true });
      expect(stats.flagged).toEqual([]);
      const score = scoreCase(stats, expected, settings);
      expect(score.points).toBeGreaterThan(0);
      expect(score.failing).toEqual([]);
    });
  }
});
