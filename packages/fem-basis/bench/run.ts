/**
 * Benchmark of @srn/fem-basis: 6-D Q3 C1 evaluation throughput (single thread) and memory.
 * Run: npx tsx --conditions=@srn/source bench/run.ts [--quick]
 *
 * Two access patterns: "trajectory" (a slow random walk like θ(t) in a training loop: consecutive points mostly share a
 * cell) and "random" (independent uniform points over a fully populated block of 6^6 = 46,656 vertices = 23 MB of
 * coefficients, so most look-ups miss the CPU caches).
 */
import { createFunction, fitLeastSquares } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const D = 6;
const SPACING = 0.1;
const NPTS = 4096;

// Deterministic LCG (the benchmark needs reproducibility, not statistical quality).
let state = 12345;
function rand(): number {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
}

let peakRss = 0;
function sampleMemory(): void {
  const r = process.memoryUsage().rss;
  if (r > peakRss) peakRss = r;
}

/** Calls per second of `body`, best of three timed rounds after a warm-up. */
function rate(body: () => void, reps = 1000): number {
  for (let i = 0; i < reps; i++) body();
  let best = 0;
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    let n = 0;
    let elapsed = 0;
    do {
      for (let i = 0; i < reps; i++) body();
      n += reps;
      elapsed = performance.now() - t0;
    } while (elapsed < (quick ? 150 : 600));
    best = Math.max(best, (n / elapsed) * 1000);
  }
  sampleMemory();
  return best;
}

const fn = createFunction({ spacing: SPACING, origin: 0, dims: D });
fn.setFromDerivatives([-3, -3, -3, -3, -3, -3], [2, 2, 2, 2, 2, 2], (_x, out) => {
  for (let t = 0; t < out.length; t++) out[t] = rand() - 0.5;
});
sampleMemory();

const random = new Float64Array(NPTS * D);
for (let i = 0; i < random.length; i++) random[i] = (rand() * 4 - 2) * SPACING; // in [-0.2, 0.2)^6, all corners stored
const walk = new Float64Array(NPTS * D);
for (let k = 0; k < D; k++) walk[k] = 0.01;
for (let i = 1; i < NPTS; i++) {
  for (let k = 0; k < D; k++) {
    let v = walk[(i - 1) * D + k] + (rand() - 0.5) * 0.01 * SPACING;
    if (Math.abs(v) > 0.2) v = Math.sign(v) * 0.2;
    walk[i * D + k] = v;
  }
}

const x = new Float64Array(D);
const buf = fn.createBasisBuffers(1);
const grad = new Float64Array(D);
const cell = new Int32Array(D);
const factors = new Float64Array(fn.factorsPerPoint);
let sink = 0;
let p = 0;
function stepper(pts: Float64Array): () => Float64Array {
  return () => {
    for (let k = 0; k < D; k++) x[k] = pts[p * D + k];
    p = (p + 1) % NPTS;
    return x;
  };
}

const rows: [string, number, number][] = [];
function both(name: string, make: (next: () => Float64Array) => () => void, reps = 1000): void {
  const t = rate(make(stepper(walk)), reps);
  const r = rate(make(stepper(random)), reps);
  rows.push([name, t, r]);
}
both('value + basis, 4096 weights materialised (`basisAt`)', (next) => () => {
  sink += fn.basisAt(next(), buf.vertices, buf.weights);
});
both('value + factored basis, 24 factors (`basisFactorsAt`)', (next) => () => {
  sink += fn.basisFactorsAt(next(), cell, factors);
});
both('value only (`value`)', (next) => () => {
  sink += fn.value(next());
});
both('value + gradient (`valueAndGradient`)', (next) => () => {
  sink += fn.valueAndGradient(next(), grad);
});
both('scatter-add of a cached 4096-weight basis (`addToCoefficients`)', (next) => {
  const xs = next();
  fn.basisAt(xs, buf.vertices, buf.weights);
  return () => fn.addToCoefficients(buf.vertices, buf.weights, 1e-12);
});
both('scatter-add of a cached factored basis (`addFactoredToCoefficients`)', (next) => {
  fn.basisFactorsAt(next(), cell, factors);
  return () => fn.addFactoredToCoefficients(cell, factors, 1e-12);
});
const batch = fn.createBasisBuffers(256);
const values = new Float64Array(256);
const chunk = new Float64Array(256 * D);
both('batched value + basis (`basisMany`, 256 points per call; per point)', (next) => {
  return () => {
    for (let i = 0; i < 256; i++) chunk.set(next(), i * D);
    fn.basisMany(chunk, batch.vertices, batch.weights, values);
  };
}, 4);
const last = rows[rows.length - 1];
last[1] *= 256;
last[2] *= 256;
const empty = createFunction({ spacing: SPACING, origin: 0, dims: D });
rows.push([
  'value + basis on an empty (all-zero, unallocated) function',
  rate(() => {
    sink += empty.basisAt(stepper(random)(), buf.vertices, buf.weights);
  }),
  Number.NaN,
]);

const fitFn = createFunction({ spacing: 0.25, dims: 2 });
const fp = new Float64Array(2 * 2000).map(() => rand());
const fy = new Float64Array(2000).map((_, i) => Math.sin(3 * fp[2 * i]) * Math.cos(2 * fp[2 * i + 1]));
const t0 = performance.now();
const fit = fitLeastSquares(fitFn, fp, fy, { regularization: 1e-12 });
const fitMs = performance.now() - t0;
sampleMemory();

const fmt = (v: number) => (Number.isNaN(v) ? '–' : Math.round(v).toLocaleString('en-US'));
console.log(`@srn/fem-basis benchmark: Node ${process.version}, 6-D Q3 C1 (m = 64 coefficients per vertex), ${fn.store.size} stored vertices`);
console.log('| operation (6-D Q3 C1) | trajectory [1/s] | random [1/s] |');
console.log('|---|---:|---:|');
for (const [name, t, r] of rows) console.log(`| ${name} | ${fmt(t)} | ${fmt(r)} |`);
console.log('');
console.log(`coefficient store: ${(fn.store.memoryBytes() / 2 ** 20).toFixed(1)} MiB allocated for ${fn.store.size} vertices (${((fn.store.size * (64 * 8 + 24)) / 2 ** 20).toFixed(1)} MiB used; capacity grows by half)`);
console.log(`evaluation workspace: ${((fn.memoryBytes() - fn.store.memoryBytes()) / 1024).toFixed(1)} KiB per function`);
console.log(`peak RSS of the benchmark process: ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
console.log(`fitLeastSquares (2-D, 2000 samples, ${fit.unknowns} unknowns): ${fitMs.toFixed(0)} ms, ${fit.iterations} CG iterations, rmse ${fit.rmse.toExponential(2)}`);
if (sink === Math.PI) console.log('');
