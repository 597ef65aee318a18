/**
 * Evidence for issue #16 item 6 (README, "Baselines: derivation for the operator-split scheme"): the LV paper preset
 * simulated with m hop sweeps per unit time (paper scheme, dt = 1/m, p = 0.4/m: the same predation rate 0.2 per X–Y
 * pair) and the exact scheme with hop rate m (k = 0.2 per pair), against the generated mean field and pair
 * approximation of the same configuration. Prints a Markdown table: the first prey peak (the first peak of the
 * ensemble mean by the report's definition, `findSimulatedPeaks`; height @ time) of the simulation, mean field and pair approximation, and the simulated prey
 * count at t = 5, 20, 80 with its standard error next to the mean field's.
 *
 *   npx tsx --conditions=@srn/source bench/baseline-limits.ts [runs=50] [T=300] [paper ms=1,4,16,64] [exact ms=1,4,16]
 *
 * BENCH_SELECTION=row-biased runs the paper-scheme cases with the original's row-biased picks (as the bundled
 * model file and `srn-bench lv` do); the default is uniform picks. Pass an empty list ('') to skip a scheme.
 */
import { type LatticeConfig, lotkaVolterraLattice, runLatticeReplicates, summarizeLatticeEnsemble } from '@srn/gillespie/lattice';
import { findSimulatedPeaks, generateMeanField, generatePairApproximation } from '../src/baselines/index.ts';

const runs = Number(process.argv[2] ?? 50);
const T1 = Number(process.argv[3] ?? 300);
const list = (arg: string | undefined, fallback: string): number[] => (arg ?? fallback).split(',').filter((x) => x !== '').map(Number);
const paperMs = list(process.argv[4], '1,4,16,64');
const exactMs = list(process.argv[5], '1,4,16');
const selection = process.env.BENCH_SELECTION === 'row-biased' ? 'row-biased' : undefined;

/** The first peak (`findSimulatedPeaks`, the report's peak definition), else the largest value. */
const peak = (x: ArrayLike<number>, t: ArrayLike<number>): string => {
  let k = findSimulatedPeaks(x)[0] ?? -1;
  if (k < 0) {
    k = 0;
    for (let i = 0; i < x.length; i++) if (x[i]! > x[k]!) k = i;
  }
  return `${x[k]!.toFixed(0)} @ ${t[k]!.toFixed(0)}`;
};

console.log(`| scheme | sweeps (or hop rate) per unit time | first prey peak: simulation | mean field | pair approx. | X(5) sim ± SE / MF | X(20) | X(80) |`);
console.log('|---|---|---|---|---|---|---|---|');
const cases: [string, number, LatticeConfig][] = [
  ...paperMs.map((m): [string, number, LatticeConfig] => ['paper', m, lotkaVolterraLattice({ dt: 1 / m, predationProbability: 0.4 / m, steps: T1 * m + 1, ...(selection ? { selection } : {}) })]),
  ...exactMs.map((m): [string, number, LatticeConfig] => ['exact', m, lotkaVolterraLattice({ scheme: 'exact', hopRate: m, predationRate: 0.2, steps: T1 + 1 })]),
];
for (const [scheme, m, config] of cases) {
  // all runs, extinct or not (the learned closure's training data keep them too)
  const s = summarizeLatticeEnsemble(config, runLatticeReplicates(config, { seed: 7, start: 0, end: runs }));
  const mf = generateMeanField(config);
  const pa = generatePairApproximation(config);
  if (!mf.applies || !pa.applies) throw new Error('baseline does not apply');
  const pm = mf.predict(s.times);
  const pp = pa.predict(s.times);
  const at = (t: number): string => {
    const k = s.times.findIndex((x) => x >= t);
    const se = s.sd[0]![k]! / Math.sqrt(s.runsUsed);
    return `${s.mean[0]![k]!.toFixed(1)} ± ${se.toFixed(1)} / ${pm.columns.X![k]!.toFixed(1)}`;
  };
  console.log(`| ${scheme}${scheme === 'paper' && selection ? ' (row-biased)' : ''} | ${m} | ${peak(s.mean[0]!, s.times)} (${s.runsUsed} runs) | ${peak(pm.columns.X!, s.times)} | ${peak(pp.columns.X!, s.times)} | ${at(5)} | ${at(20)} | ${at(80)} |`);
}
