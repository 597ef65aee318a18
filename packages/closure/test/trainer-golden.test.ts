import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createMachine } from '@srn/boltzmann';
import { describe, expect, it } from 'vitest';
import {
  createDbdTrainer,
  type DbdTrainerConfig,
  paperMachineSpec,
  paperTheta0,
  restoreDbdTrainer,
  serializeLearnedDbd,
} from '../src/index.ts';
import { createRng, randomTrajectories, twoLayerSpec, visibleOnlySpec } from './helpers.ts';

// Golden digests of small trainer runs recorded from the code before the trainer was split into src/train/* (main at
// d5405a8). Every refactoring of the trainer must reproduce them byte for byte: the θ trajectory, the FE
// coefficients (serialised model, iterate average included), the per-step reports and the checkpoint bytes, for SGD
// and Adam, sampled (tabulated and generic Gibbs) and exact moments, several passes and iterate averaging; and a
// resume from the mid-run checkpoint must land on the same final checkpoint. θ(0) and the initial offsets are given
// explicitly (the library no longer has Lotka-Volterra defaults for them). Record with RECORD_GOLDEN=1 (only ever
// from a commit whose behaviour is the reference).
const FIXTURE = new URL('./fixtures/trainer-golden.json', import.meta.url);

const paper6 = paperMachineSpec(6);
const paperTheta = Array.from(paperTheta0(createMachine(paper6)));
const small: DbdTrainerConfig = { window: 3, horizonStart: 3, batchSize: 3, asleepChains: 3, awakeSweeps: 2, asleepSweeps: 2 };

interface Case {
  readonly config: DbdTrainerConfig;
  readonly L: number;
  readonly T: number;
}

const cases: Record<string, Case> = {
  'sgd, sampled (table), paper machine, 2 passes, average': {
    L: 6,
    T: 9,
    config: { ...small, steps: 5, passes: 2, averageFrom: 4, learningRate: 2e-3, theta0: paperTheta, initialOffsets: [0.0625, 0.33, 0.33] },
  },
  'adam, sampled (table), two layers, theta0 fit, 2 passes, average': {
    L: 4,
    T: 9,
    config: {
      ...small,
      machine: twoLayerSpec(4),
      steps: 5,
      passes: 2,
      averageFrom: 6,
      optimizer: 'adam',
      learningRate: 0.01,
      theta0: { hX: -1.4, hY: -1.7 },
      initialOffsets: [0.2, 0.3],
      theta0Fit: { iterations: 12, batchSize: 3, sweeps: 2 },
    },
  },
  'sgd, sampled (generic), visible only, substeps': {
    L: 4,
    T: 9,
    config: {
      ...small,
      machine: visibleOnlySpec(4),
      sampler: 'generic',
      steps: 8,
      substeps: 3,
      psiDerivScale: 'physical',
      learningRate: 5e-3,
      theta0: [-1.2, -1.5],
      initialOffsets: [0.15],
    },
  },
  'sgd, exact, two layers 2 x 2, 2 passes, average': {
    L: 2,
    T: 8,
    config: {
      ...small,
      machine: twoLayerSpec(2),
      moments: 'exact',
      spacing: 0.5,
      steps: 4,
      passes: 2,
      averageFrom: 3,
      learningRate: 0.05,
      theta0: { hX: -1.2, hY: -1.5 },
      initialOffsets: [0.2, 0.4],
    },
  },
  'adam, exact, two layers 2 x 2, 2 passes': {
    L: 2,
    T: 8,
    config: {
      ...small,
      machine: twoLayerSpec(2),
      moments: 'exact',
      spacing: 0.5,
      steps: 4,
      passes: 2,
      optimizer: 'adam',
      learningRate: 0.02,
      theta0: { hX: -1.2, hY: -1.5 },
      initialOffsets: [0.2, 0.4],
    },
  },
};

const sha = (...parts: ArrayBufferView[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex');
};

interface Digest {
  steps: string;
  thetaTrajectory: string;
  model: string;
  checkpointMid: string;
  checkpointEnd: string;
  resumedEnd: string;
}

function digest(c: Case, seed: number): Digest {
  const data = { trajectories: randomTrajectories(6, c.T, c.L, createRng(seed), 0.3, 0.2) };
  const t = createDbdTrainer(c.config, data, createRng(seed + 1));
  const mid = Math.floor(t.totalSteps / 2) + 1;
  const steps = createHash('sha256');
  let checkpointMid: Uint8Array | null = null;
  while (!t.done) {
    const info = t.step();
    for (const a of [info.batch, info.momentDifference, info.costate, info.awakeMoments, info.asleepMoments]) {
      steps.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    steps.update(`${info.horizon} ${info.windowStart} ${info.vertices};`);
    if (t.stepIndex === mid) checkpointMid = t.checkpoint();
  }
  const end = t.checkpoint();
  const r = restoreDbdTrainer(checkpointMid!, data, { config: c.config });
  while (!r.done) r.step();
  return {
    steps: steps.digest('hex'),
    thetaTrajectory: sha(t.parameterTrajectory().theta),
    model: sha(serializeLearnedDbd(t.model())),
    checkpointMid: sha(checkpointMid!),
    checkpointEnd: sha(end),
    resumedEnd: sha(r.checkpoint()),
  };
}

describe('trainer golden runs (bit-identical to the reference implementation)', () => {
  const record = process.env.RECORD_GOLDEN === '1';
  const golden: Record<string, Digest> = !record && existsSync(FIXTURE) ? JSON.parse(readFileSync(FIXTURE, 'utf8')) : {};
  const recorded: Record<string, Digest> = {};
  Object.entries(cases).forEach(([name, c], i) => {
    it(name, () => {
      const d = digest(c, 100 + 10 * i);
      // Resume from the mid-run checkpoint reaches the uninterrupted end state.
      expect(d.resumedEnd).toBe(d.checkpointEnd);
      if (record) recorded[name] = d;
      else expect(d).toEqual(golden[name]);
    });
  });
  if (record) {
    it('writes the fixture', () => {
      writeFileSync(FIXTURE, `${JSON.stringify(recorded, null, 2)}\n`);
    });
  }
});
