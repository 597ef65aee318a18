import type { MachineSpec } from '@srn/boltzmann';
import { describe, expect, it } from 'vitest';
import { createDbdTrainer, integrateParameters, type MomentPrediction, predictMoments } from '../src/index.ts';
import { createRng, equilibriumTrajectories, noiseFloor, relativeRms, SHORT_CURRICULUM, twoLayerSpec } from './helpers.ts';

// Cross-species couplings (X–Y1, Y–X1) as parameters that are outputs of F but not FE inputs (spec P15: ψ = 0 for
// them). Data: visible layers of a 6 × 6 + 6 × 6 machine with all species pairs coupled, whose cross weights fall
// linearly from 0 to −1.5 (prey and predators avoid each other's hidden units: segregation, NN_XY falls) while the
// same-species parameters stay put. A same-species machine cannot express that anti-correlation; the cross machine,
// with the same 4-D domain (hX, hY, wXX1, wYY1), learns it.
const L = 6;
const T = 21;
const crossSpec = (): MachineSpec => ({ ...twoLayerSpec(L), connections: [{ lower: 0, upper: 1, field: '2x2', couplings: 'all' }] });
// Parameter order of the 'all' machine: hX hY bX1 bY1 wXX1 wXY1 wYX1 wYY1.
const names = ['hX', 'hY', 'bX1', 'bY1', 'wXX1', 'wXY1', 'wYX1', 'wYY1'];
const start = [-1.6, -1.6, -0.5, -0.5, 0.6, 0, 0, 0.6];
const truth = (t: number) => start.map((s, k) => (k === 5 || k === 6 ? s - 0.075 * t : s));
const domain = ['hX', 'hY', 'wXX1', 'wYY1'];

const sample = (count: number, seed: number) => equilibriumTrajectories(crossSpec(), truth, count, T, seed);

describe('cross-species couplings outside the FE domain', () => {
  it('are trained through their own F and reproduce the X–Y anti-correlation a same-species machine misses', () => {
    const trajectories = sample(200, Number(process.env.SRN_TEST_SEED ?? 1));
    const times = Float64Array.from({ length: T }, (_, t) => t);
    const common = {
      ...SHORT_CURRICULUM,
      domain,
    };
    const train = (machine: MachineSpec, theta0: Record<string, number>) => {
      const trainer = createDbdTrainer({ ...common, machine, theta0 }, { trajectories }, createRng(2));
      expect(trainer.config.domain).toEqual(domain);
      while (!trainer.done) trainer.step();
      const model = trainer.model();
      return { model, traj: integrateParameters(model, times) };
    };
    const cross = train(crossSpec(), Object.fromEntries(names.map((n, k) => [n, start[k]])));
    const same = train(twoLayerSpec(L), { hX: start[0], hY: start[1], bX1: start[2], bY1: start[3], wXX1: start[4], wYY1: start[7] });
    expect(cross.model.names).toEqual(names);
    expect(cross.model.domain).toEqual(domain);
    // The cross weights moved in the right direction through their (non-input) F.
    const P = names.length;
    const last = (k: number) => cross.traj.theta[(T - 1) * P + k];
    expect(last(5)).toBeLessThan(-0.5);
    expect(last(6)).toBeLessThan(-0.5);

    const rows = [0, 5, 10, 15, 20];
    const opts = { chains: 1000, rows, filter: false as const, covariance: false };
    const trueTraj = { times, names, theta: Float64Array.from(Array.from({ length: T }, (_, t) => truth(t)).flat()) };
    const ref = predictMoments(cross.model, trueTraj, { ...opts, rng: createRng(4) });
    const a = predictMoments(cross.model, cross.traj, { ...opts, rng: createRng(3) });
    const b = predictMoments(same.model, same.traj, { ...opts, rng: createRng(5) });
    const relRms = (p: MomentPrediction, k: string) => relativeRms(p, ref, k);
    // The truth's NN_XY falls by about half over the run.
    expect(ref.mean.NN_XY[4]).toBeLessThan(0.7 * ref.mean.NN_XY[0]);
    const crossErr = relRms(a, 'NN_XY');
    const sameErr = relRms(b, 'NN_XY');
    // Against the noise floor computed from the same predictions (Monte Carlo error of both 1000-chain estimates plus
    // the sampling error of 200 training snapshots per time, 0.011 here). The learned error is mostly bias, not
    // noise: hidden-layer parameters are only weakly identified from visible data and the cross weights reach about
    // −1.0 of the true −1.5, giving 0.12-0.13 (11-13× the floor) on data seeds 1 and 3, against 0.68 (65×) for the
    // same-species machine that cannot express the anti-correlation. 20× the floor separates the two; the cross
    // machine must also remove at least 60 % of the same-species machine's error.
    expect(crossErr).toBeLessThan(20 * noiseFloor(a, ref, 'NN_XY', 200));
    expect(crossErr).toBeLessThan(0.4 * sameErr);
  });
});
