import { describe, expect, it } from 'vitest';
import {
  createDbd,
  createDbdTrainer,
  type DbdTrainerConfig,
  integrateParameters,
  paperMachineSpec,
  resolveDbdConfig,
  serializeLearnedDbd,
} from '../src/index.ts';
import { createRng, randomTrajectories, twoLayerSpec } from './helpers.ts';

const data = { trajectories: randomTrajectories(6, 15, 4, createRng(1)) };

describe('configuration defaults', () => {
  it('are the paper values of spec 6.8 (θ(0) and offsets from the data)', () => {
    const c = resolveDbdConfig({}, data);
    expect(c).toMatchObject({
      steps: 980,
      window: 10,
      horizonStart: 10,
      moveEvery: 2,
      batchSize: 5,
      asleepChains: 5,
      awakeSweeps: 10,
      asleepSweeps: 10,
      learningRate: 2.5e-6,
      optimizer: 'sgd',
      substeps: 1,
      dt: 1,
      psiDerivScale: 'fractional',
      lambda: 0.5,
      domain: ['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2'],
      spacing: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1],
      moments: 'sampled',
    });
    // No Lotka-Volterra constants: θ(0) is fitted from the t = 0 data and the offsets come from the data.
    expect(c.theta0).toBeNull();
    expect(c.initialOffsets).toBeNull();
    expect(c.theta0Fit).toBeNull();
    expect(resolveDbdConfig({ theta0Fit: {} }, data).theta0Fit).toEqual({ iterations: 300, batchSize: 6, learningRate: 0.02, sweeps: 10, trainable: null });
    const m = createDbd({ machine: paperMachineSpec(40) });
    expect(Array.from(m.origin)).toEqual([m.theta0[0] - 0.05, m.theta0[1] - 0.05, -0.05, -0.05, -0.05, -0.05]);
  });

  it('the curriculum moves the window every 2 steps from step 3 on', () => {
    const t = createDbdTrainer({ steps: 7, window: 3, horizonStart: 3, batchSize: 2, awakeSweeps: 1, asleepSweeps: 1 }, data, createRng(2));
    const seen: [number, number][] = [];
    while (!t.done) {
      const i = t.step();
      seen.push([i.horizon, i.windowStart]);
      expect(i.awakeMoments.length).toBe(4 * 10);
      // The awake visible moments are data counts: integers averaged over the 2-trajectory batch.
      expect(Number.isInteger(2 * i.awakeMoments[0])).toBe(true);
    }
    expect(seen).toEqual([
      [3, 0],
      [3, 0],
      [4, 1],
      [4, 1],
      [5, 2],
      [5, 2],
      [6, 3],
    ]);
    expect(() => t.step()).toThrow(/the trainer is done/);
    // Progress output: θ(0..H) from the live model equals the integration of a model copy.
    const traj = t.parameterTrajectory();
    const again = integrateParameters(t.model(), Float64Array.from({ length: 7 }, (_, k) => k));
    expect(traj.theta.length).toBe(7 * 10);
    expect(Array.from(traj.theta)).toEqual(Array.from(again.theta));
    expect(() => t.parameterTrajectory(99)).toThrow(/horizon must be an integer in \[0, 14\]/);
  });

  it('further passes of the curriculum start over at the first window and keep the learned F', () => {
    const t = createDbdTrainer(
      { steps: 5, passes: 2, window: 3, horizonStart: 3, batchSize: 2, awakeSweeps: 1, asleepSweeps: 1, learningRate: 1e-3 },
      data,
      createRng(2),
    );
    expect(t.totalSteps).toBe(10);
    const seen: [number, number, number][] = [];
    let verticesAfterPass1 = 0;
    while (!t.done) {
      const i = t.step();
      seen.push([i.step, i.horizon, i.windowStart]);
      if (i.step === 5) verticesAfterPass1 = i.vertices;
    }
    expect(seen).toEqual([
      [1, 3, 0],
      [2, 3, 0],
      [3, 4, 1],
      [4, 4, 1],
      [5, 5, 2],
      [6, 3, 0],
      [7, 3, 0],
      [8, 4, 1],
      [9, 4, 1],
      [10, 5, 2],
    ]);
    expect(verticesAfterPass1).toBeGreaterThan(0);
    expect(() => createDbdTrainer({ passes: 0 }, data, createRng(2))).toThrow(/config.passes/);
  });

  it('averageFrom: model() is the mean of the iterates after that step (F is linear in its coefficients)', () => {
    const config: DbdTrainerConfig = { steps: 4, passes: 2, window: 3, horizonStart: 3, batchSize: 2, awakeSweeps: 1, asleepSweeps: 1, learningRate: 1e-3 };
    // The average consumes no randomness, so both trainers take the same steps.
    const plain = createDbdTrainer(config, data, createRng(4));
    const averaged = createDbdTrainer({ ...config, averageFrom: 3 }, data, createRng(4));
    const iterates: ReturnType<typeof plain.model>[] = [];
    while (!plain.done) {
      plain.step();
      averaged.step();
      if (plain.stepIndex > 3) iterates.push(plain.model());
      if (plain.stepIndex <= 3) expect(serializeLearnedDbd(averaged.model())).toEqual(serializeLearnedDbd(plain.model()));
    }
    expect(iterates.length).toBe(5);
    const mean = averaged.model();
    const live = plain.model();
    // Probe F along the learned trajectory θ(t), where the coefficients are non-zero.
    const traj = integrateParameters(live, Float64Array.from({ length: 6 }, (_, k) => k));
    const P = live.names.length;
    let moved = 0;
    for (let t = 0; t < 6; t++) {
      const point = Array.from(live.domainIndex, (k) => traj.theta[t * P + k]);
      for (let j = 0; j < P; j++) {
        const expected = iterates.reduce((acc, m) => acc + m.functions[j].value(point), 0) / iterates.length;
        expect(mean.functions[j].value(point)).toBeCloseTo(expected, 12);
        moved = Math.max(moved, Math.abs(live.functions[j].value(point) - expected));
      }
    }
    // The mean differs from the last iterate, so the comparison above can fail.
    expect(moved).toBeGreaterThan(1e-8);
    expect(() => createDbdTrainer({ ...config, averageFrom: 8 }, data, createRng(4))).toThrow(/config.averageFrom must be an integer in \[0, 7\]; got 8/);
  });
});

describe('validation', () => {
  const bad: [DbdTrainerConfig, RegExp, ErrorConstructor][] = [
    [{ steps: 0 }, /config.steps must be an integer >= 1; got 0/, RangeError],
    [{ window: 1.5 }, /config.window/, RangeError],
    [{ window: 12, horizonStart: 10 }, /config.horizonStart \(10\) must be >= config.window \(12\)/, RangeError],
    [{ horizonStart: 20 }, /must be <= the last data time index 14/, RangeError],
    [{ batchSize: 7 }, /config.batchSize \(7\) must be <= the number of trajectories \(6\)/, RangeError],
    [{ learningRate: Number.NaN }, /config.learningRate must be a finite number > 0; got NaN/, RangeError],
    [{ optimizer: 'rmsprop' as 'sgd' }, /config.optimizer must be one of 'sgd', 'adam'; got "rmsprop"/, RangeError],
    [{ psiDerivScale: 'si' as 'physical' }, /config.psiDerivScale/, RangeError],
    [{ lambda: 2 }, /config.lambda must be a finite number in \[0, 1\]; got 2/, RangeError],
    [{ spacing: [0.1, 0.1] }, /config.spacing must be a positive number or an array of 6/, RangeError],
    [{ domain: ['hX', 'nope'] }, /config.domain\[1\] must name a parameter/, RangeError],
    [{ theta0: { hZ: 1 } }, /config.theta0.hZ names no parameter/, RangeError],
    [{ initialOffsets: [0.1] }, /config.initialOffsets must hold one number per layer \(3\)/, RangeError],
    [{ latticeSize: 5 }, /needs L × L data with L = 5/, RangeError],
    [{ moments: 'magic' as 'exact' }, /config.moments/, RangeError],
    [{ stepz: 3 } as DbdTrainerConfig, /config.stepz is not a DbdTrainerConfig option/, RangeError],
    [{ machine: { ...twoLayerSpec(4), parameterization: 'per-unit' } }, /parameterization must be 'homogeneous'/, RangeError],
  ];
  for (const [config, pattern, type] of bad) {
    it(`rejects ${JSON.stringify(config).slice(0, 60)}`, () => {
      expect(() => createDbdTrainer(config, data, createRng(1))).toThrow(type);
      expect(() => createDbdTrainer(config, data, createRng(1))).toThrow(pattern);
    });
  }

  it('rejects bad data and arguments', () => {
    expect(() => createDbdTrainer({}, { trajectories: [] }, createRng(1))).toThrow(/at least one trajectory/);
    const [a, b] = randomTrajectories(2, 15, 4, createRng(3));
    expect(() => createDbdTrainer({ batchSize: 1 }, { trajectories: [a, { ...b, species: ['Y', 'X'] }] }, createRng(1))).toThrow(
      /data.trajectories\[1\].species must equal \["X", "Y"\]/,
    );
    expect(() => createDbdTrainer({ batchSize: 1 }, { trajectories: [a, { ...b, times: b.times.slice(1) }] }, createRng(1))).toThrow(
      /data.trajectories\[1\].times must be a Float64Array of 15 time points/,
    );
    const occ = b.occupancy.slice();
    occ[7] = 3;
    expect(() => createDbdTrainer({ batchSize: 1 }, { trajectories: [a, { ...b, occupancy: occ }] }, createRng(1))).toThrow(
      /data.trajectories\[1\].occupancy\[7\] = 3 exceeds the species count 2/,
    );
    const uneven = Float64Array.from(a.times);
    uneven[3] = 3.5;
    expect(() => createDbdTrainer({ batchSize: 1 }, { trajectories: [{ ...a, times: uneven }] }, createRng(1))).toThrow(/equally spaced/);
    expect(() => createDbdTrainer({}, data, {} as never)).toThrow(/rng must be an Rng/);
    expect(() => serializeLearnedDbd({} as never)).toThrow(TypeError);
    expect(() => createDbd({ machine: paperMachineSpec(4), spacing: -1 })).toThrow(/options.spacing must be a finite number > 0; got -1/);
    // no library default machine (issue #15: no Lotka-Volterra constant in a default)
    expect(() => createDbd({} as never)).toThrow(/options.machine is required/);
    expect(() => (createDbd as (o?: unknown) => unknown)()).toThrow(TypeError);
  });
});
