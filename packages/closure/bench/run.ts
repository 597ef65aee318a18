/**
 * Benchmark of DBD training with the paper's settings (spec 6.8): 3 layers of 40 × 40 3-state units, window 10,
 * 5 awake + 5 asleep chains, 10 + 10 sweeps, SGD η = 2.5e-6, 980 steps, on simulated lattice Lotka–Volterra data
 * (`lotkaVolterraLattice` + `simulateLattice`, 500 snapshots per run).
 *
 *   npx tsx --conditions=@srn/source bench/run.ts            # full 980-step training
 *   BENCH_STEPS=60 npx tsx --conditions=@srn/source bench/run.ts   # start only, plus a late-horizon probe
 *
 * Environment: BENCH_TRAJECTORIES (default 100), BENCH_STEPS (default 980), BENCH_SAMPLER ('table' | 'generic').
 */
import { createRng } from '@srn/gillespie';
import { lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice';
import { createMachine } from '@srn/boltzmann';
import {
  createDbdTrainer,
  integrateParameters,
  paperMachineSpec,
  paperTheta0,
  predictMoments,
  restoreDbdTrainer,
  serializeLearnedDbd,
} from '../src/index.ts';

const count = Number(process.env.BENCH_TRAJECTORIES ?? 100);
const steps = Number(process.env.BENCH_STEPS ?? 980);
const sampler = (process.env.BENCH_SAMPLER ?? 'table') as 'table' | 'generic';
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
let peakRss = 0;
let peakHeap = 0;
const sampleRss = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
};
const baseline = process.memoryUsage();

let t0 = performance.now();
const config = lotkaVolterraLattice();
const trajectories = Array.from({ length: count }, (_, i) => simulateLattice(config, createRng(2024, i)).trajectory!);
const data = { trajectories };
console.log(`simulated ${count} LV runs (40 × 40, 500 snapshots) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
sampleRss();

// The paper's θ(0) (density 1/16) and initial offsets, given explicitly (the trainer's defaults come from the data).
const paper = { theta0: Array.from(paperTheta0(createMachine(paperMachineSpec(40)))), initialOffsets: [0.0625, 0.33, 0.33] };
const trainer = createDbdTrainer({ ...paper, steps: 980, sampler }, data, createRng(1));
const perStep: { step: number; horizon: number; seconds: number }[] = [];
t0 = performance.now();
while (trainer.stepIndex < Math.min(steps, 980)) {
  const info = trainer.step();
  perStep.push({ step: info.step, horizon: info.horizon, seconds: info.seconds });
  sampleRss();
  if (info.step % 100 === 0) {
    console.log(`step ${info.step}: horizon ${info.horizon}, ${info.seconds.toFixed(3)} s/step, ${info.vertices} vertices, RSS ${mib(process.memoryUsage().rss)} MiB`);
  }
}
const total = (performance.now() - t0) / 1000;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const start = mean(perStep.slice(0, 10).map((s) => s.seconds));
const model = trainer.model();
const feBytes = model.functions.reduce((a, f) => a + f.store.memoryBytes(), 0);
const feUsed = model.functions.reduce((a, f) => a + f.store.count * (f.coefficientsPerVertex * 9 + f.dims * 4), 0);
const vertices = model.functions.reduce((a, f) => a + f.store.count, 0);
let end: number;
let endNote: string;
if (steps >= 980) {
  end = mean(perStep.slice(-10).map((s) => s.seconds));
  endNote = 'measured: last 10 steps, horizon 495-499';
} else {
  // Probe the late cost: a trainer at horizon 499 with the F learned so far (forward solve over 499 steps).
  const late = createDbdTrainer({ ...paper, steps: 10, horizonStart: 499, sampler }, data, createRng(2), { warmStart: model });
  const xs: number[] = [];
  while (!late.done) xs.push(late.step().seconds);
  end = mean(xs);
  endNote = `probe at horizon 499 with the F of step ${steps}`;
}
console.log('');
console.log(`| quantity | value |`);
console.log(`|---|---:|`);
console.log(`| steps run | ${perStep.length} (sampler '${sampler}') |`);
console.log(`| s/step at the start (horizon 10-14, mean of steps 1-10) | ${start.toFixed(3)} |`);
console.log(`| s/step at the end (${endNote}) | ${end.toFixed(3)} |`);
console.log(`| whole training (${perStep.length} steps) | ${total.toFixed(1)} s |`);
if (perStep.length < 980) {
  const est = ((start + end) / 2) * 980;
  console.log(`| estimated 980 steps (linear in horizon) | ${est.toFixed(0)} s |`);
}
console.log(`| FE vertices (all 10 F) | ${vertices} |`);
console.log(`| FE coefficient store (allocated / in use) | ${mib(feBytes)} / ${mib(feUsed)} MiB |`);
console.log(`| RSS after loading the package under tsx (before any data) | ${mib(baseline.rss)} MiB |`);
console.log(`| peak RSS during training (incl. ${count} trajectories = ${mib(count * 500 * 1600)} MiB of data) | ${mib(peakRss)} MiB |`);
console.log(`| peak JS heap + typed arrays during training (incl. the data) | ${mib(peakHeap)} MiB |`);

// Checkpoint, model bytes, prediction cost.
t0 = performance.now();
const ckpt = trainer.checkpoint();
const ckptSeconds = (performance.now() - t0) / 1000;
t0 = performance.now();
restoreDbdTrainer(ckpt, data);
const restoreSeconds = (performance.now() - t0) / 1000;
console.log(`| checkpoint size / write / restore | ${mib(ckpt.length)} MiB / ${ckptSeconds.toFixed(2)} s / ${restoreSeconds.toFixed(2)} s |`);
console.log(`| serialised model | ${mib(serializeLearnedDbd(model).length)} MiB |`);
const times = Float64Array.from({ length: 500 }, (_, t) => t);
t0 = performance.now();
const traj = integrateParameters(model, times);
const integ = (performance.now() - t0) / 1000;
t0 = performance.now();
predictMoments(model, traj, { rng: createRng(3), chains: 100, sweeps: 9, rows: [0, 100, 200, 300, 400] });
const pred = (performance.now() - t0) / 1000 / 5;
console.log(`| integrate θ(t), 500 points (Euler) | ${(integ * 1000).toFixed(0)} ms |`);
console.log(`| predictMoments per time point (100 chains, 9 + 1 sweeps) | ${pred.toFixed(3)} s |`);
sampleRss();
console.log(`| peak RSS at exit | ${mib(peakRss)} MiB |`);
