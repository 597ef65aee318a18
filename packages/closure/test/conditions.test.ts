import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { createMachine } from '@srn/boltzmann';
import {
  CheckpointError,
  createDbdTrainer,
  type DbdTrainerConfig,
  deserializeLearnedDbd,
  fitTheta0,
  initialOffsetsFromData,
  integrateParameters,
  resolveDbdConfig,
  restoreDbdTrainer,
  serializeLearnedDbd,
} from '../src/index.ts';
import { createRng, randomTrajectories, twoLayerSpec, visibleOnlySpec } from './helpers.ts';

// Many initial conditions (the 2019 protocol): K conditions × M samples, one θ(0) per condition, one shared F.

// A tiny 1D model with a known dynamics: L independent sites, one species A, bias h, so that the density is
// p = σ(h); h(t) = h* + (h(0) − h*)·e^{−r t}, i.e. F(h) = −r (h − h*). The lattices are deterministic: of the M·L
// sites of a time point, the first round(p(t)·M·L) (striped across the samples) hold A, so the data moments equal
// the exact ones up to the quantisation 1/(2 M L) in density, and the moments are exact (`moments: 'exact'`, batch =
// all samples): training is deterministic gradient descent on the windowed KL objective.
const L = 8;
const M = 10;
const T = 13;
const dt = 0.5;
const hStar = -0.5;
const rate = 0.5;
const spec = { layers: [{ name: 'visible', shape: [L], states: ['A'] }], parameterization: 'homogeneous' as const };
const hOf = (h0: number, t: number) => hStar + (h0 - hStar) * Math.exp(-rate * t);
const sigma = (h: number) => 1 / (1 + Math.exp(-h));

function condition(h0: number): LatticeTrajectory[] {
  const runs = Array.from({ length: M }, () => ({
    shape: [L],
    species: ['A'],
    times: Float64Array.from({ length: T }, (_, t) => t * dt),
    occupancy: new Uint8Array(T * L),
  }));
  for (let t = 0; t < T; t++) {
    const occupied = Math.round(sigma(hOf(h0, t * dt)) * M * L);
    for (let s = 0; s < occupied; s++) runs[s % M].occupancy[t * L + Math.floor(s / M)] = 1;
  }
  return runs;
}

describe('many initial conditions', () => {
  it('a shared F learned from three conditions predicts a held-out condition', () => {
    const train = [-2.5, 1.0, -1.2];
    const data = { trajectories: train.flatMap(condition), conditions: train.flatMap((_, k) => Array(M).fill(k)) };
    const config: DbdTrainerConfig = {
      machine: spec,
      moments: 'exact',
      theta0PerCondition: train.map((h) => [h]),
      initialOffsets: [0.3],
      spacing: 0.5,
      dt,
      window: 4,
      horizonStart: 4,
      moveEvery: 1,
      steps: 12,
      passes: 30,
      batchSize: M,
      optimizer: 'adam',
      learningRate: 0.05,
      psiDerivScale: 'physical',
    };
    const trainer = createDbdTrainer(config, data, createRng(1));
    expect(trainer.conditionCount).toBe(3);
    while (!trainer.done) trainer.step();
    const model = trainer.model();
    expect(model.conditionTheta0?.map((t) => t[0])).toEqual(train);
    // Held-out condition: θ(0) from its own t = 0 lattices (for independent sites the maximum-likelihood bias is the
    // logit of the density), then the shared F.
    const held = condition(-2.0);
    const q0 = held.reduce((a, r) => a + r.occupancy.subarray(0, L).reduce((x, y) => x + y, 0), 0) / (M * L);
    const times = Float64Array.from({ length: T }, (_, t) => t * dt);
    const { theta } = integrateParameters(model, times, { theta0: Float64Array.of(Math.log(q0 / (1 - q0))) });
    let worst = 0;
    let still = 0;
    for (let t = 0; t < T; t++) {
      const truth = sigma(hOf(-2.0, t * dt));
      worst = Math.max(worst, Math.abs(sigma(theta[t]) - truth));
      still = Math.max(still, Math.abs(sigma(theta[0]) - truth));
    }
    // The density moves by 0.24 over the run (the error of not moving at all). The held-out θ(0) comes from quantised
    // lattices (density ±1/(2ML) = ±0.006) and so do the training data; a converged F leaves about that error, and
    // 0.015 (2.5 quantisation steps) fails a model that did not learn the dynamics (0.016 after a third of the steps).
    expect(still).toBeGreaterThan(0.2);
    expect(worst).toBeLessThan(0.015);
  });

  const twoData = {
    trajectories: [...randomTrajectories(4, 9, 4, createRng(3), 0.3, 0.2), ...randomTrajectories(3, 9, 4, createRng(4), 0.1, 0.4)],
    conditions: [0, 0, 0, 0, 1, 1, 1],
  };
  const twoConfig: DbdTrainerConfig = {
    machine: twoLayerSpec(4),
    steps: 8,
    window: 3,
    horizonStart: 3,
    batchSize: 2,
    asleepChains: 2,
    awakeSweeps: 2,
    asleepSweeps: 2,
    optimizer: 'adam',
    learningRate: 0.01,
    averageFrom: 4,
    theta0Fit: { iterations: 10, batchSize: 2, sweeps: 2 },
  };

  it('resume from a checkpoint is bit-identical with two conditions; the model keeps every θ(0)', () => {
    const straight = createDbdTrainer(twoConfig, twoData, createRng(5));
    while (!straight.done) straight.step();
    const t = createDbdTrainer(twoConfig, twoData, createRng(5));
    for (let i = 0; i < 3; i++) t.step();
    const r = restoreDbdTrainer(t.checkpoint(), twoData, { config: twoConfig });
    const info = r.step();
    expect(info.batch.length).toBe(4); // two per condition
    expect(Array.from(info.batch.subarray(0, 2)).every((i) => i < 4)).toBe(true);
    expect(Array.from(info.batch.subarray(2)).every((i) => i >= 4)).toBe(true);
    while (!r.done) r.step();
    expect(Buffer.from(r.checkpoint()).equals(Buffer.from(straight.checkpoint()))).toBe(true);
    const model = r.model();
    expect(model.conditionTheta0?.length).toBe(2);
    // θ(0) fitted per condition from its own t = 0 snapshots: condition 1 has fewer X and more Y.
    const [a, b] = model.conditionTheta0!;
    expect(b[0]).toBeLessThan(a[0]);
    expect(b[1]).toBeGreaterThan(a[1]);
    expect(Array.from(model.theta0)).toEqual(Array.from(a));
    // The offsets start from each condition's t = 0 densities.
    expect(r.offsets(0, 1)[0]).toBeLessThan(r.offsets(0, 0)[0]);
    const bytes = serializeLearnedDbd(model);
    const back = deserializeLearnedDbd(bytes);
    expect(back.conditionTheta0?.map((x) => Array.from(x))).toEqual(model.conditionTheta0!.map((x) => Array.from(x)));
    expect(Buffer.from(serializeLearnedDbd(back)).equals(Buffer.from(bytes))).toBe(true);
    // Each condition integrates from its own θ(0).
    const p1 = r.parameterTrajectory(4, 1);
    expect(Array.from(p1.theta.subarray(0, b.length))).toEqual(Array.from(b));
    const times = Float64Array.from({ length: 5 }, (_, i) => i);
    expect(Array.from(integrateParameters(model, times, { condition: 1 }).theta)).toEqual(
      Array.from(integrateParameters(model, times, { theta0: b }).theta),
    );
    expect(() => integrateParameters(model, times, { condition: 2 })).toThrow(/options.condition must be an integer in \[0, 1\]/);
    expect(() => integrateParameters(model, times, { condition: 1, theta0: b })).toThrow(/exclusive/);
    // Different data conditions do not restore.
    expect(() => restoreDbdTrainer(t.checkpoint(), { ...twoData, conditions: [0, 0, 0, 1, 1, 1, 1] })).toThrow(CheckpointError);
  });

  it('one condition given explicitly is the single-condition run, byte for byte', () => {
    const config: DbdTrainerConfig = { ...twoConfig, theta0: { hX: -1.3, hY: -1.6 }, initialOffsets: [0.2, 0.3], theta0Fit: undefined };
    const data = { trajectories: twoData.trajectories };
    const a = createDbdTrainer(config, data, createRng(6));
    const b = createDbdTrainer(config, { ...data, conditions: new Int32Array(7) }, createRng(6));
    for (let i = 0; i < 4; i++) {
      a.step();
      b.step();
    }
    expect(Buffer.from(b.checkpoint()).equals(Buffer.from(a.checkpoint()))).toBe(true);
    expect(a.model().conditionTheta0).toBeUndefined();
  });

  it('bad conditions and θ(0) lists are typed errors naming the argument', () => {
    const base = { trajectories: twoData.trajectories };
    expect(() => resolveDbdConfig({}, { ...base, conditions: [0, 1] })).toThrow(/data.conditions must be an array of 7/);
    expect(() => resolveDbdConfig({}, { ...base, conditions: [0, 0, 0, 2, 2, 2, 2] })).toThrow(/no trajectory of condition 1/);
    expect(() => resolveDbdConfig({}, { ...base, conditions: [0, 0, 0, 1, 1, 1, 0.5] })).toThrow(/data.conditions\[6\]/);
    const w = { machine: twoLayerSpec(4), window: 3, horizonStart: 3, batchSize: 2 };
    expect(() => resolveDbdConfig({ ...w, theta0PerCondition: [[-1, -1]] }, twoData)).toThrow(/one θ\(0\) per condition \(2\)/);
    expect(() => resolveDbdConfig({ ...w, theta0: [-1, -1], theta0PerCondition: [[-1], [-1]] }, twoData)).toThrow(/exclusive/);
    expect(() => resolveDbdConfig({ ...w, batchSize: 4 }, twoData)).toThrow(/smallest condition \(3\)/);
    expect(() => resolveDbdConfig({ ...w, theta0PerCondition: [{ hX: 1 }, { nope: 1 }] }, twoData)).toThrow(
      /theta0PerCondition\[1\]/,
    );
  });

  it('without θ(0) or offsets in the configuration, each condition gets fitTheta0 and initialOffsetsFromData of its t = 0 lattices', () => {
    const spec = visibleOnlySpec(4);
    const config: DbdTrainerConfig = { machine: spec, steps: 2, window: 3, horizonStart: 3, batchSize: 2, asleepChains: 2 };
    const t = createDbdTrainer(config, twoData, createRng(8));
    const machine = createMachine(spec);
    // Species X, Y are the visible states 1, 2 (same order), so the data codes are the state codes.
    const lattices = (members: number[]) => members.map((i) => twoData.trajectories[i].occupancy.slice(0, 16));
    const groups = [[0, 1, 2, 3], [4, 5, 6]];
    const model = t.model();
    groups.forEach((g, k) => {
      expect(Array.from(model.conditionTheta0![k])).toEqual(Array.from(fitTheta0(machine, lattices(g))));
      const mu = initialOffsetsFromData(machine, lattices(g));
      expect(Array.from(t.offsets(5, k))).toEqual([mu[0], mu[0]]);
    });
  });
});
