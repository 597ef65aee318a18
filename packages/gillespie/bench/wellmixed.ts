/**
 * Well-mixed SSA throughput: events per second for the Lotka-Volterra model (10,000 runs, t_end = 10) and for a
 * network of about 2,000 reactions, single thread and all cores, with peak memory (max RSS).
 *
 *   npx tsx --conditions=@srn/source bench/wellmixed.ts [--runs 10000]
 */
import { availableParallelism } from 'node:os';
import { resourceUsage } from 'node:process';
import { compileModel, ModelBuilder, parseModel, type SsaMethod, simulateEnsemble } from '../src/index.ts';
import { simulateEnsembleParallel } from '../src/node.ts';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10_000;
const cores = availableParallelism();

const lv = compileModel(parseModel('X -> 2 X @ 1\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100'));

// A ring of 1,000 species with reversible conversions A_i <-> A_{i+1} (2,000 reactions) plus 100 molecules each.
const ringSize = 1000;
const ringBuilder = new ModelBuilder();
for (let i = 0; i < ringSize; i++) ringBuilder.species(`A${i}`, 100);
for (let i = 0; i < ringSize; i++) {
  const next = (i + 1) % ringSize;
  ringBuilder.reaction({ reactants: { [`A${i}`]: 1 }, products: { [`A${next}`]: 1 }, rate: 1 + (i % 7) * 0.5 });
  ringBuilder.reaction({ reactants: { [`A${next}`]: 1 }, products: { [`A${i}`]: 1 }, rate: 0.7 + (i % 5) * 0.3 });
}
const ring = compileModel(ringBuilder.build());

interface Row {
  model: string;
  method: string;
  threads: number;
  runs: number;
  events: number;
  seconds: number;
}
const rows: Row[] = [];

function timeInThread(model: string, plan: typeof lv, method: SsaMethod, options: { runs: number; tEnd: number }) {
  const started = performance.now();
  const stats = simulateEnsemble(plan, { ...options, seed: 1, steps: 10, method, maxPopulation: 1e7 });
  rows.push({ model, method, threads: 1, runs: options.runs, events: stats.events, seconds: (performance.now() - started) / 1000 });
  console.error(`done: ${model} ${method}`);
}

async function timeParallel(model: string, plan: typeof lv, method: SsaMethod, options: { runs: number; tEnd: number }) {
  const started = performance.now();
  const stats = await simulateEnsembleParallel(plan, { ...options, seed: 1, steps: 10, method, workers: cores, maxPopulation: 1e7 });
  rows.push({ model, method, threads: cores, runs: options.runs, events: stats.events, seconds: (performance.now() - started) / 1000 });
}

for (const method of ['direct', 'nrm', 'cr'] as const) timeInThread('Lotka-Volterra', lv, method, { runs, tEnd: 10 });
await timeParallel('Lotka-Volterra', lv, 'direct', { runs, tEnd: 10 });
for (const method of ['direct', 'nrm', 'cr'] as const) timeInThread('ring, 2000 reactions', ring, method, { runs: 2, tEnd: 2 });
await timeParallel('ring, 2000 reactions', ring, 'cr', { runs: 8, tEnd: 2 });

console.log('| model | method | threads | runs | events | seconds | M events/s |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.model} | ${r.method} | ${r.threads} | ${r.runs} | ${r.events} | ${r.seconds.toFixed(2)} | ${(r.events / r.seconds / 1e6).toFixed(2)} |`);
}
console.log(`\npeak memory (max RSS of the main thread's process): ${(resourceUsage().maxRSS / 1024).toFixed(0)} MB; ${cores} cores`);
