/**
 * Classical closure baselines: `npx tsx --conditions=@srn/source bench/baselines.ts [--ensemble[=runs]]`.
 * 1. Wall time of the mean-field and pair-approximation predictions on the paper grid t = 0 … 499 (median of
 *    repeated runs, DOPRI5 at the default rtol 1e-8, atol 1e-12), with step and evaluation counts.
 * 2. The predicted ⟨n_X⟩, ⟨NN_XX⟩, ⟨NNN_XY⟩ at a few times, and with `--ensemble` the same for an `exact`-scheme
 *    ensemble (default 100 runs in this thread; runs with an extinct species left out, as in the paper's figure) plus the RMSE of each baseline over t ∈ [0, 499].
 * Prints Markdown; figures go into README.baselines.md.
 */
import { lotkaVolterraLattice, runLatticeReplicates, summarizeLatticeEnsemble } from '@srn/gillespie/lattice';
import {
  type BaselinePrediction,
  meanFieldLotkaVolterra,
  pairApproximationLotkaVolterra,
} from '../src/baselines/index.ts';
import type { Dopri5Stats } from '../src/ode.ts';

const ensembleArg = process.argv.find((a) => a.startsWith('--ensemble'));
const ensembleRuns = ensembleArg ? Number(ensembleArg.split('=')[1] ?? 100) : 0;
const times = Float64Array.from({ length: 500 }, (_, t) => t);

function time(label: string, f: (stats: Dopri5Stats) => BaselinePrediction, repeats: number): BaselinePrediction {
  const samples: number[] = [];
  let out: BaselinePrediction | undefined;
  const stats: Dopri5Stats = { accepted: 0, rejected: 0, evaluations: 0 };
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    out = f(stats);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  console.log(
    `| ${label} | ${median.toFixed(2)} ms | ${samples[0]!.toFixed(2)} ms | ${stats.accepted} accepted, ${stats.rejected} rejected, ${stats.evaluations} RHS evaluations |`,
  );
  return out!;
}

console.log('| baseline, t = 0 … 499 (500 outputs) | median | best | DOPRI5 work |');
console.log('|---|---|---|---|');
// warm-up so the JIT has compiled both right-hand sides
for (let i = 0; i < 5; i++) {
  meanFieldLotkaVolterra({}, times);
  pairApproximationLotkaVolterra({}, times);
}
const mf = time('mean field (2 ODEs)', (stats) => meanFieldLotkaVolterra({}, times, { stats }), 51);
const pa = time('pair approximation (9 ODEs)', (stats) => pairApproximationLotkaVolterra({}, times, { stats }), 51);
time(
  'pair approximation, rtol 1e-6',
  (stats) => pairApproximationLotkaVolterra({}, times, { stats, rtol: 1e-6, atol: 1e-10 }),
  51,
);

const columns = ['X', 'Y', 'NN_XX', 'NN_XY', 'NNN_XY'] as const;
let sim: { mean: Record<string, Float64Array>; runs: number; extinct: number } | undefined;
if (ensembleRuns > 0) {
  const config = lotkaVolterraLattice({ scheme: 'exact' });
  const start = performance.now();
  const replicates = runLatticeReplicates(config, { seed: 7, start: 0, end: ensembleRuns });
  // as in the paper's figure: leave out runs in which a species is extinct at the last time
  const summary = summarizeLatticeEnsemble(config, replicates, { excludeExtinct: true });
  const mean: Record<string, Float64Array> = {};
  summary.names.forEach((name, c) => {
    mean[name] = summary.mean[c]!;
  });
  sim = { mean, runs: summary.runsUsed, extinct: summary.extinctRuns.length };
  console.log(
    `\nexact ensemble: ${ensembleRuns} runs (seed 7), ${summary.extinctRuns.length} with a species extinct at t = 499 left out (${summary.runsUsed} used); ${((performance.now() - start) / 1000).toFixed(1)} s in this thread`,
  );
}

console.log(`\n| t | ${columns.map((c) => `${c} MF / PA${sim ? ' / sim' : ''}`).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---').join('|')}|`);
for (const t of [0, 1, 2, 5, 10, 20, 50, 100, 135, 160, 200, 300, 400, 499]) {
  const cells = columns.map((c) => {
    const parts = [mf.mean[c][t]!.toFixed(1), pa.mean[c][t]!.toFixed(1)];
    if (sim) parts.push(sim.mean[c]![t]!.toFixed(1));
    return parts.join(' / ');
  });
  console.log(`| ${t} | ${cells.join(' | ')} |`);
}

if (sim) {
  console.log('\n| RMSE over t = 0 … 499 | mean field | pair approximation |');
  console.log('|---|---|---|');
  for (const c of columns) {
    const rmse = (pred: BaselinePrediction): number => {
      let s = 0;
      for (let t = 0; t < 500; t++) s += (pred.mean[c][t]! - sim!.mean[c]![t]!) ** 2;
      return Math.sqrt(s / 500);
    };
    console.log(`| ${c} | ${rmse(mf).toFixed(1)} | ${rmse(pa).toFixed(1)} |`);
  }
}
