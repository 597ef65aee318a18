/**
 * Gibbs throughput for the paper's machine (three 40 × 40 layers, 3 states, 2 × 2 fields, homogeneous weights).
 * Run: npx tsx --conditions=@srn/source bench/run.ts
 */
import { createRng } from '@srn/gillespie/rng';
import {
  createChains,
  createParameters,
  createProbabilities,
  gibbs,
  meanField,
  paperMachine,
  randomizeChains,
  statesToProbabilities,
  sufficientStatistics,
} from '../src/index.ts';

const machine = paperMachine();
// A representative mid-training parameter set (spec Fig. 2b ranges).
const theta = createParameters(machine, {
  hX: -3,
  hY: -3,
  bX1: -0.3,
  bY1: 0.1,
  bX2: 0.8,
  bY2: -0.1,
  wXX1: 1.3,
  wYY1: 0.5,
  wX1X2: -1.5,
  wY1Y2: -1,
});

interface Row {
  case: string;
  chains: number;
  sweepsPerSecond: number;
  unitUpdatesPerSecond: number;
  msPerSweep: number;
}

function time(fn: () => void, minMs = 1500): number {
  fn(); // warm-up
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    reps++;
    t = performance.now();
  }
  return (t - t0) / reps;
}

const rows: Row[] = [];
let peakRss = process.memoryUsage().rss;
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

for (const chains of [5, 100]) {
  const rng = createRng(1);
  const states = createChains(machine, chains);
  randomizeChains(machine, states, rng);
  const sweeps = 10;
  const ms = time(() => gibbs(machine, theta, states, rng, { sweeps })) / sweeps;
  sample();
  const units = chains * machine.unitCount;
  rows.push({
    case: 'Gibbs sweep (free)',
    chains,
    sweepsPerSecond: 1000 / ms,
    unitUpdatesPerSecond: (units * 1000) / ms,
    msPerSweep: ms,
  });
  const msAwake = time(() => gibbs(machine, theta, states, rng, { sweeps, clamped: [0] })) / sweeps;
  const hidden = chains * (machine.unitCount - machine.layers[0].size);
  rows.push({
    case: 'Gibbs sweep (visible clamped)',
    chains,
    sweepsPerSecond: 1000 / msAwake,
    unitUpdatesPerSecond: (hidden * 1000) / msAwake,
    msPerSweep: msAwake,
  });
  const probs = createProbabilities(machine, chains);
  statesToProbabilities(machine, states, probs);
  const msMf = time(() => meanField(machine, theta, probs, { iterations: 5 })) / 5;
  rows.push({
    case: 'mean-field pass',
    chains,
    sweepsPerSecond: 1000 / msMf,
    unitUpdatesPerSecond: (units * 1000) / msMf,
    msPerSweep: msMf,
  });
  const msStats = time(() => sufficientStatistics(machine, states));
  rows.push({
    case: 'sufficient statistics (all chains)',
    chains,
    sweepsPerSecond: 1000 / msStats,
    unitUpdatesPerSecond: (units * 1000) / msStats,
    msPerSweep: msStats,
  });
  sample();
}

const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`node ${process.version}, ${machine.unitCount} units per chain, single thread`);
console.log('| case | chains | sweeps/s | unit updates/s | ms/sweep |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.case} | ${r.chains} | ${fmt(r.sweepsPerSecond)} | ${fmt(r.unitUpdatesPerSecond / 1e6, 2)} M | ${fmt(r.msPerSweep, 3)} |`,
  );
}
console.log(`peak RSS ${fmt(peakRss / 2 ** 20)} MiB, heap used ${fmt(process.memoryUsage().heapUsed / 2 ** 20)} MiB`);
