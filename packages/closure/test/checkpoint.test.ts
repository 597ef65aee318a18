import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  createDbdTrainer,
  type DbdTrainerConfig,
  deserializeLearnedDbd,
  paperMachineSpec,
  restoreDbdTrainer,
  serializeLearnedDbd,
  serializeLearnedDbdChunks,
} from '../src/index.ts';
import { createRng, randomTrajectories } from './helpers.ts';

const data = { trajectories: randomTrajectories(6, 20, 6, createRng(5)) };
// θ(0) given (fitting it to the data, the default, costs about a second per trainer); the 'sgd' case keeps the default.
const base: DbdTrainerConfig = {
  steps: 12,
  window: 4,
  horizonStart: 4,
  batchSize: 3,
  asleepChains: 3,
  awakeSweeps: 3,
  asleepSweeps: 3,
  theta0: { hX: -1.4, hY: -1.7 },
};
const configs: Record<string, DbdTrainerConfig> = {
  sgd: { ...base, theta0: undefined, learningRate: 2e-3 },
  adam: { ...base, optimizer: 'adam', learningRate: 0.01, theta0Fit: { iterations: 20, batchSize: 3, sweeps: 2 } },
  'sgd + substeps': { ...base, learningRate: 2e-3, substeps: 3, psiDerivScale: 'physical' },
  // 2 passes of 6 steps: the interruptions fall in the first pass and across the restart of the curriculum.
  'sgd, 2 passes': { ...base, steps: 6, passes: 2, learningRate: 2e-3 },
  // The iterate average starts between the two interruptions (after step 6).
  'sgd, iterate average': { ...base, learningRate: 2e-3, averageFrom: 6 },
};

function runStraight(config: DbdTrainerConfig): Uint8Array {
  const t = createDbdTrainer(config, data, createRng(9));
  while (!t.done) t.step();
  return t.checkpoint();
}

describe('checkpoints', () => {
  for (const [name, config] of Object.entries(configs)) {
    it(`resume is bit-identical (${name})`, () => {
      const straight = runStraight(config);
      const t = createDbdTrainer(config, data, createRng(9));
      for (let i = 0; i < 5; i++) t.step();
      let bytes = t.checkpoint();
      // Two interruptions, the second across a window move.
      let r = restoreDbdTrainer(bytes, data);
      expect(r.stepIndex).toBe(5);
      r.step();
      r.step();
      bytes = r.checkpoint();
      r = restoreDbdTrainer(bytes, data, { config });
      while (!r.done) r.step();
      const resumed = r.checkpoint();
      expect(r.stepIndex).toBe(12);
      expect(resumed.length).toBe(straight.length);
      expect(Buffer.from(resumed).equals(Buffer.from(straight))).toBe(true);
      // The training actually moved the model and the window.
      expect(r.horizon).toBe(config.passes === 2 ? 6 : 9);
      expect(r.windowStart).toBe(config.passes === 2 ? 2 : 5);
      expect(r.model().functions.some((f) => f.store.count > 0)).toBe(true);
    });
  }

  // The chunked checkpoint must be the same bytes as the single buffer, padding and CRC included (Adam moments and the
  // iterate average add sections; odd section lengths need padding).
  for (const name of ['adam', 'sgd, iterate average']) {
    const config = configs[name];
    it(`checkpointChunks() concatenates to checkpoint() (${name})`, () => {
      const t = createDbdTrainer(config, data, createRng(9));
      for (let i = 0; i < 8; i++) t.step();
      const chunks = t.checkpointChunks();
      expect(chunks.length).toBeGreaterThan(2);
      expect(Buffer.concat(chunks).equals(Buffer.from(t.checkpoint()))).toBe(true);
      expect(restoreDbdTrainer(Buffer.concat(chunks), data).stepIndex).toBe(8);
      expect(Buffer.concat(serializeLearnedDbdChunks(t.model())).equals(Buffer.from(serializeLearnedDbd(t.model())))).toBe(true);
    });
  }

  it('serialised models round-trip bit for bit', () => {
    const t = createDbdTrainer(configs.sgd, data, createRng(9));
    t.step();
    t.step();
    const m = t.model();
    const bytes = serializeLearnedDbd(m);
    const back = deserializeLearnedDbd(bytes);
    expect(Buffer.from(serializeLearnedDbd(back)).equals(Buffer.from(bytes))).toBe(true);
    expect(back.names).toEqual(m.names);
    expect(Array.from(back.theta0)).toEqual(Array.from(m.theta0));
    // trainer.modelView() is the same model without the copy
    expect(Buffer.from(serializeLearnedDbd(t.modelView())).equals(Buffer.from(bytes))).toBe(true);
    expect(t.modelView().functions[0]).not.toBe(m.functions[0]);
    // { share: true }: the functions use the bytes in place (the serialised container is 8-byte aligned), same model
    const shared = deserializeLearnedDbd(bytes, { share: true });
    expect(Buffer.from(serializeLearnedDbd(shared)).equals(Buffer.from(bytes))).toBe(true);
    expect(shared.functions.every((f) => f.store.coeffs.buffer === bytes.buffer)).toBe(true);
    expect(back.functions.some((f) => f.store.coeffs.buffer === bytes.buffer)).toBe(false);
    expect(() => deserializeLearnedDbd(bytes, 'share' as unknown as object)).toThrow(/options must be an object/);
  });

  describe('errors', () => {
    const t = createDbdTrainer(configs.adam, data, createRng(9));
    t.step();
    const good = t.checkpoint();
    const expectError = (f: () => unknown, reason: CheckpointError['reason'], pattern?: RegExp) => {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CheckpointError);
      expect((caught as CheckpointError).reason).toBe(reason);
      if (pattern) expect((caught as Error).message).toMatch(pattern);
    };

    it('corruption, truncation, foreign bytes, wrong version', () => {
      for (const at of [30, Math.floor(good.length / 2), good.length - 1]) {
        const bad = good.slice();
        bad[at] ^= 0x40;
        expectError(() => restoreDbdTrainer(bad, data), 'checksum', /CRC-32/);
      }
      expectError(() => restoreDbdTrainer(good.slice(0, good.length - 9), data), 'truncated');
      expectError(() => restoreDbdTrainer(good.slice(0, 10), data), 'truncated');
      const magic = good.slice();
      magic[0] = 0x58;
      expectError(() => restoreDbdTrainer(magic, data), 'format', /magic/);
      const version = good.slice();
      version[8] = 7;
      expectError(() => restoreDbdTrainer(version, data), 'version');
      const extra = new Uint8Array(good.length + 4);
      extra.set(good);
      expectError(() => restoreDbdTrainer(extra, data), 'format', /trailing/);
      expectError(() => restoreDbdTrainer(serializeLearnedDbd(t.model()), data), 'format', /kind/);
      expectError(() => deserializeLearnedDbd(good), 'format', /kind/);
      expect(() => restoreDbdTrainer('nope' as unknown as Uint8Array, data)).toThrow(TypeError);
    });

    it('mismatched data or configuration', () => {
      const other = { trajectories: randomTrajectories(6, 20, 6, createRng(6)) };
      expectError(() => restoreDbdTrainer(good, other), 'mismatch', /different data.*different occupancies/);
      expectError(() => restoreDbdTrainer(good, { trajectories: data.trajectories.slice(0, 5) }), 'mismatch', /5 trajectories/);
      const bigger = { trajectories: randomTrajectories(6, 20, 8, createRng(5)) };
      expectError(() => restoreDbdTrainer(good, bigger), 'mismatch');
      expectError(() => restoreDbdTrainer(good, data, { config: { ...configs.adam, learningRate: 0.02 } }), 'mismatch', /learningRate/);
      expectError(() => restoreDbdTrainer(good, data, { config: configs.sgd }), 'mismatch', /optimizer/);
      expectError(
        () => restoreDbdTrainer(good, data, { config: { ...configs.adam, machine: paperMachineSpec(6, 2) } }),
        'mismatch',
        /machine/,
      );
      // The failed restores changed nothing: the original bytes still restore and continue.
      const r = restoreDbdTrainer(good, data);
      r.step();
      expect(r.stepIndex).toBe(2);
    });
  });
});
