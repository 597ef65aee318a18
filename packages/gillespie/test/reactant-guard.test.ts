import { describe, expect, it } from 'vitest';
import { createRng, parseModel, SimulationError, SSA_METHODS, simulate, simulateEnsemble } from '../src/index.ts';
import { loadSbml } from '../src/sbml.ts';
import { apply, ci, cn, compartmentAndSpecies, event, reaction, sbml, time } from './sbml-helpers.ts';

const variants = SSA_METHODS.flatMap((method) => [true, false].map((specialise) => ({ method, specialise })));

describe('a reaction never fires without its reactants', () => {
  // `X -> 0 @ 1 + X` from X = 2: the rate law stays positive at X = 0, so without the guard a third event takes X to
  // -1 (issue #20: a mean of -1 at t = 10). With it, X falls 2 -> 1 -> 0 with rates 3 and 2 and stays at 0.
  const pureDeath = parseModel('X -> 0 @ 1 + X\nX = 2');

  it.each(variants)('keeps counts non-negative and integral ($method, specialise $specialise)', ({ method, specialise }) => {
    for (let run = 0; run < 50; run++) {
      const tr = simulate(pureDeath, { tEnd: 10, steps: 5, rng: createRng(11, run), method, specialise });
      for (const v of tr.values) expect(v === 0 || v === 1 || v === 2).toBe(true);
      expect(tr.values[5]).toBe(0);
    }
  });

  it.each(SSA_METHODS)('matches the exact law of the guarded process (%s)', (method) => {
    // X(t) >= 1 iff T1 + T2 > t with T1 ~ Exp(3), T2 ~ Exp(2): P = 3e^{-2t} - 2e^{-3t}; X(t) = 2 iff T1 > t: e^{-3t}.
    // So E[X] = 3e^{-2t} - e^{-3t} and E[X^2] = 3e^{-2t} + e^{-3t}. With n = 4000 runs the mean has SD sigma/sqrt(n);
    // we accept |z| < 4 at each of 4 grid points (false alarm < 3e-4). The unguarded process loses
    // P(X reached 0 before t) more mass (0.44 at t = 1), a shift of z ~ 40.
    const stats = simulateEnsemble(pureDeath, { runs: 4000, seed: 5, tEnd: 2, steps: 4, method });
    for (let g = 1; g < stats.times.length; g++) {
      const t = stats.times[g];
      const mean = 3 * Math.exp(-2 * t) - Math.exp(-3 * t);
      const variance = 3 * Math.exp(-2 * t) + Math.exp(-3 * t) - mean * mean;
      const z = (Math.sqrt(stats.count[g]) * (stats.mean[g] - mean)) / Math.sqrt(variance);
      expect(Math.abs(z)).toBeLessThan(4);
    }
  });

  it.each(variants)('stops a higher-order reaction when fewer molecules than its stoichiometry remain ($method)', ({ method, specialise }) => {
    // 2 X -> Y with the non-mass-action law k * X: from X = 3 it fires once (X = 1 < 2) and never again.
    const model = parseModel('2 X -> Y @ k * X\nk = 5\nX = 3');
    const tr = simulate(model, { tEnd: 20, steps: 2, rng: createRng(3), method, specialise });
    expect(Array.from(tr.values.slice(4))).toEqual([1, 1]);
  });

  it('recomputes a guarded propensity when only its reactant changes (dependency graph)', () => {
    // The law reads S only; C is consumed. After C reaches 0 the reaction must stop even though S never changes.
    const model = parseModel('C -> P + E @ vmax * S / (Km + S)\nvmax = 10\nKm = 5\nspecies S = 50\nC = 3');
    for (const { method, specialise } of variants) {
      const tr = simulate(model, { tEnd: 10, steps: 1, rng: createRng(8), method, specialise });
      // Rate ~9.1 per event: P(three events take longer than 10) < 1e-30, so the final state is exact.
      expect(model.species.map((s) => s.name)).toEqual(['C', 'P', 'E', 'S']);
      expect(Array.from(tr.values.slice(4))).toEqual([0, 3, 3, 50]);
    }
  });
});

describe('SBML kinetic laws are guarded too', () => {
  // Issue #20's fuzz case: vmax * S / (Km + S) on C -> P + E firing while C = 0.
  const body = (extra: string) => sbml(`${compartmentAndSpecies({ S: 50, Cx: 3, P: 0, E: 0 })}
    <listOfParameters><parameter id="vmax" value="10"/><parameter id="Km" value="5"/></listOfParameters>
    <listOfReactions>${reaction('R', { Cx: 1 }, { P: 1, E: 1 }, apply('divide', apply('times', ci('vmax'), ci('S')), apply('plus', ci('Km'), ci('S'))))}</listOfReactions>
    ${extra}`);

  it.each(variants)('on the plain kernels ($method, specialise $specialise)', ({ method, specialise }) => {
    const model = loadSbml(body(''));
    expect(model.plan.sbml).toBeUndefined();
    const tr = simulate(model.plan, { tEnd: 10, steps: 1, rng: createRng(4), method, specialise });
    expect(Array.from(tr.values.slice(4))).toEqual([50, 0, 3, 3]);
  });

  it('on the SBML kernel (a model with events)', () => {
    const model = loadSbml(body(`<listOfEvents>${event('late', apply('gt', time, cn(100)), { S: cn(50) })}</listOfEvents>`));
    expect(model.plan.sbml).toBeDefined();
    for (let run = 0; run < 20; run++) {
      const tr = simulate(model.plan, { tEnd: 10, steps: 2, rng: createRng(4, run) });
      expect(Array.from(tr.values.slice(8))).toEqual([50, 0, 3, 3]);
    }
  });

  it('rejects an event that assigns a negative amount, naming the event and species', () => {
    const model = loadSbml(sbml(`${compartmentAndSpecies({ X: 5 })}
      <listOfReactions>${reaction('d', { X: 1 }, {}, apply('times', cn(0.1), ci('X')))}</listOfReactions>
      <listOfEvents>${event('drain', apply('gt', time, cn(0.5)), { X: cn(-2) })}</listOfEvents>`));
    expect(() => simulate(model.plan, { tEnd: 1, steps: 2, rng: createRng(1) })).toThrow(SimulationError);
    expect(() => simulate(model.plan, { tEnd: 1, steps: 2, rng: createRng(1) })).toThrow(/event 'drain' assigns the amount -2 to species 'X'/);
  });
});
