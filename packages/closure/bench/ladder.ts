/**
 * The ladder's closed-form and diagnostic rungs on the LV paper preset (issue #16 item 1), as `srn-bench closure`
 * would wire them: a training ensemble and a held-out ensemble (same size, different seeds), then every rung scored
 * against the held-out mean by `scorePrediction` (mean relative error per moment, %): the noise floor (the training
 * ensemble's own mean), mean field, pair approximation, the learned feed-forward closure (trained on the training
 * runs' triplet statistics at every time, integrated from the held-out t = 0 lattices) and the maximum-entropy
 * NNN read-off (every `every`-th time, scored on those times only). If the feed-forward closure's ODE stops (it can
 * leave the range of its training states), it is scored on the times before, next to the others on the same times.
 *
 *   npx tsx --conditions=@srn/source bench/ladder.ts [runs=100] [steps=500] [every=25]
 *
 * BENCH_SELECTION=row-biased simulates with the original's row-biased picks (the bundled model file's setting).
 */
import { createRng } from '@srn/gillespie';
import { createLatticeGeometry, defaultObservables, lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice';
import { compileObservables, measureObservablesUnchecked } from '@srn/gillespie/lattice';
import { OdeIntegrationError } from '../src/ode.ts';
import {
  generateMeanField,
  generatePairApproximation,
  maxEntDiagnostic,
  scorePrediction,
  trainFeedForwardClosure,
  trajectoryStatistics,
} from '../src/baselines/index.ts';

const runs = Number(process.argv[2] ?? 100);
const steps = Number(process.argv[3] ?? 500);
const every = Number(process.argv[4] ?? 25);
const selection = process.env.BENCH_SELECTION === 'row-biased' ? 'row-biased' : undefined;
const config = lotkaVolterraLattice({ steps, ...(selection ? { selection } : {}) });
const geometry = createLatticeGeometry(config.shape, 'periodic');
const species = config.model.species;
const N = geometry.size;
const observables = defaultObservables(species, 2);
const compiled = compileObservables(geometry, species, observables);
const K = compiled.names.length;

const clock = (label: string, t0: number): void => console.error(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
function ensemble(seed: number) {
  const t0 = performance.now();
  const trajectories = Array.from({ length: runs }, (_, r) => simulateLattice(config, createRng(seed, r)).trajectory!);
  const mean: Record<string, Float64Array> = Object.fromEntries(compiled.names.map((n) => [n, new Float64Array(steps)]));
  const row = new Float64Array(K);
  for (const tr of trajectories) {
    for (let t = 0; t < steps; t++) {
      measureObservablesUnchecked(compiled, tr.occupancy.subarray(t * N, (t + 1) * N), row, 0);
      for (let k = 0; k < K; k++) mean[compiled.names[k]!]![t] += row[k]! / runs;
    }
  }
  clock(`ensemble seed ${seed}`, t0);
  return { trajectories, mean };
}
const training = ensemble(1);
const heldout = ensemble(2);
const times = training.trajectories[0]!.times;
const t0lattices = heldout.trajectories.map((tr) => tr.occupancy.subarray(0, N));

const predictions: Record<string, Record<string, ArrayLike<number>>> = { 'noise floor': training.mean };
const mf = generateMeanField(config);
const pa = generatePairApproximation(config);
if (mf.applies) predictions['mean field'] = mf.predict(times, { initial: { occupancies: t0lattices } }).columns;
if (pa.applies) predictions['pair approximation'] = pa.predict(times, { initial: { occupancies: t0lattices } }).columns;

let t0 = performance.now();
const stats = trajectoryStatistics(geometry, training.trajectories);
clock('triplet statistics', t0);
t0 = performance.now();
const ff = trainFeedForwardClosure(stats, { rng: createRng(3) });
clock(`feed-forward training (loss ${ff.loss.toExponential(2)})`, t0);
const learned = generatePairApproximation(config, { tripletClosure: ff.closure });
const prefixScores: Record<string, { until: number; columns: Record<string, ArrayLike<number>> }> = {};
if (learned.applies) {
  try {
    predictions['feed-forward closure'] = learned.predict(times, { initial: { occupancies: t0lattices } }).columns;
  } catch (error) {
    if (!(error instanceof OdeIntegrationError)) throw error;
    // the closed ODE stopped: score the times before the failure, and say so
    console.error(`feed-forward closure: ${error.message}`);
    const before = times.filter((t) => t < error.time);
    prefixScores[`feed-forward closure (t < ${Math.floor(error.time)})`] = {
      until: before.length,
      columns: learned.predict(before, { initial: { occupancies: t0lattices } }).columns,
    };
  }
}
t0 = performance.now();
const maxent = maxEntDiagnostic(geometry, species, training.trajectories.map((tr) => tr.occupancy), times, { rng: createRng(4), every });
clock('maximum entropy', t0);

const moments = compiled.names;
console.log(`| predictor (mean relative error, %) | ${moments.join(' | ')} |`);
console.log(`|---|${moments.map(() => '---').join('|')}|`);
for (const [name, columns] of Object.entries(predictions)) {
  const cells = moments.map((m) => (columns[m] ? (100 * scorePrediction(heldout.mean[m]!, columns[m]!, times).meanRelError).toFixed(1) : '–'));
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
for (const [name, { until, columns }] of Object.entries(prefixScores)) {
  const cells = moments.map((m) => (100 * scorePrediction(heldout.mean[m]!.subarray(0, until), columns[m]!, times.subarray(0, until)).meanRelError).toFixed(1));
  console.log(`| ${name} | ${cells.join(' | ')} |`);
  for (const [other, cols] of Object.entries(predictions)) {
    const c = moments.map((m) => (100 * scorePrediction(heldout.mean[m]!.subarray(0, until), (cols[m] as Float64Array).subarray(0, until)).meanRelError).toFixed(1));
    console.log(`| ${other} (same times) | ${c.join(' | ')} |`);
  }
}
// maximum entropy: on its own times, next to the noise floor on the same times
const picked = Array.from(maxent.times, (t) => times.indexOf(t));
const sub = (x: ArrayLike<number>) => Float64Array.from(picked, (k) => x[k]!);
for (const [name, columns] of [['maximum entropy (its times)', maxent.columns], ['noise floor (same times)', training.mean]] as const) {
  const cells = moments.map((m) => (100 * scorePrediction(sub(heldout.mean[m]!), name.startsWith('max') ? columns[m]! : sub(columns[m]!)).meanRelError).toFixed(1));
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
