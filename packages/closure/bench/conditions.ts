/**
 * Per-step cost of DBD training on many initial conditions (issue #15 item 3), shaped like the 2019 A + A experiment:
 * a 1-D ring of 1000 sites, one species, the fully visible model with h, J, K (`buildMachineSpec({ kind: 'visible',
 * triplets: true })`), K initial conditions with their own θ(0) (fitted by the trainer's default, `fitTheta0`), one
 * shared F; window 5 points sliding every second step, 10 trajectories per condition and step, 10 asleep chains, one
 * sweep each (CD-1), SGD. The data are independent sites whose density decays like A + A (ρ(t) = ρ0 / (1 + ρ0 t / 10)),
 * one density per condition: enough for timing, not for learning.
 *
 *   npx tsx --conditions=@srn/source bench/conditions.ts [conditions] [samples] [steps]
 *
 * Prints one JSON line: seconds for the θ(0) fits, CPU seconds per step over the first steps and per condition, peak
 * RSS, the load average and a digest of the step reports.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { createRng } from '@srn/gillespie';
import { buildMachineSpec, createDbdTrainer } from '../src/index.ts';

const K = Number(process.argv[2] ?? 50);
const M = Number(process.argv[3] ?? 10);
const steps = Number(process.argv[4] ?? 12);
const L = 1000;
const T = 41;
const rng = createRng(7);
const trajectories = [];
const conditions: number[] = [];
for (let k = 0; k < K; k++) {
  const rho0 = 0.2 + (0.6 * k) / Math.max(1, K - 1);
  for (let m = 0; m < M; m++) {
    const occupancy = new Uint8Array(T * L);
    for (let t = 0; t < T; t++) {
      const rho = rho0 / (1 + (rho0 * t) / 10);
      for (let i = 0; i < L; i++) occupancy[t * L + i] = rng.nextFloat64() < rho ? 1 : 0;
    }
    trajectories.push({ shape: [L], species: ['A'], times: Float64Array.from({ length: T }, (_, t) => t * 0.01), occupancy });
    conditions.push(k);
  }
}
const machine = buildMachineSpec({ kind: 'visible', triplets: true }, { shape: [L], species: ['A'] });
let t0 = process.cpuUsage();
const trainer = createDbdTrainer(
  {
    machine,
    dt: 0.01,
    spacing: [0.5, 0.5, 0.05],
    window: 4,
    horizonStart: 4,
    moveEvery: 2,
    steps: 190,
    batchSize: Math.min(10, M),
    asleepChains: 10,
    awakeSweeps: 1,
    asleepSweeps: 1,
    learningRate: 0.01,
  },
  { trajectories, conditions },
  createRng(1),
);
const cpu = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
const fitSeconds = cpu(process.cpuUsage(t0));
const hash = createHash('sha256');
let stepSeconds = 0;
let peakRss = 0;
for (let i = 0; i < steps; i++) {
  t0 = process.cpuUsage();
  const info = trainer.step();
  if (i >= 2) stepSeconds += cpu(process.cpuUsage(t0));
  for (const v of [info.batch, info.momentDifference, info.costate]) hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const perStep = stepSeconds / (steps - 2);
console.log(
  JSON.stringify({
    conditions: K,
    samples: M,
    steps,
    fitCpuSeconds: +fitSeconds.toFixed(2),
    cpuSecondsPerStep: +perStep.toFixed(4),
    cpuMillisecondsPerConditionStep: +((1000 * perStep) / K).toFixed(2),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    loadAverage: loadavg().map((x) => +x.toFixed(1)),
    digest: hash.digest('hex').slice(0, 16),
  }),
);
