/**
 * The predict stage of a model-file experiment. For the training set (its first initial conditions, at most
 * {@link TRAIN_CONDITIONS}, each from the θ(0) the trainer fitted) and for every held-out initial condition (θ(0) fitted from that condition's own t = 0 lattices): θ(t) from the learned
 * F, raw and low-pass filtered, the model's moments of the model file's observables (sampled lattices measured by
 * the simulator's own observable code), and the generated mean-field and pair-approximation baselines from the same
 * t = 0 lattices; a baseline that does not apply is recorded with its reason. Writes DIR/predict/{theta.csv,
 * moments-raw.csv, moments-filtered.csv, baselines.csv, baselines.json, heldout/condition-NNN.csv, stage.json}.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createChains, gibbs, type Machine, randomizeChains } from '@srn/boltzmann';
import type { ParameterTrajectory } from '@srn/closure';
import { createRng, type Rng } from '@srn/gillespie/rng';
import {
  compileObservables,
  createLatticeGeometry,
  type LatticeTrajectory,
  latticeConfigFromFile,
  measureObservablesUnchecked,
} from '@srn/gillespie/lattice';
import { capMessage } from '../args.ts';
import { loadLatticeModel } from '../commands/lattice-run.ts';
import { writeFileAtomic } from '../io.ts';
import { type ClosureApi, type LearnedDbd, loadClosure } from './closure.ts';
import { predictLadder } from './ladder.ts';
import type { StageContext } from './context.ts';
import { writeColumnsCsv } from './csv.ts';
import { LvInterruptedError } from './errors.ts';
import type { ClosureConfig } from './experiment.ts';
import { theta0From } from './forms.ts';
import { type ExperimentModel, experimentModel, simulationTimes } from './model.ts';
import { loadTrainingTrajectories } from './simulate-stage.ts';
import { requireStage, type StageRecord, startStageOutput, writeStageRecord } from './stage.ts';
import { initialLattices, modelTimes, readModel } from './train-stage.ts';

/** Training initial conditions predicted (the report's training-set rows are their mean; each costs a full prediction). */
export const TRAIN_CONDITIONS = 5;

/** The baselines of the report, in order. */
export const BASELINES = ['mean-field', 'pair'] as const;

/** Whether a generated baseline applies to the experiment's model, and why not. */
export interface BaselineStatus {
  kind: (typeof BASELINES)[number];
  applies: boolean;
  reason?: string;
  notes?: readonly string[];
}

/** Mean and standard error of every observable at every row. */
export interface SampledMoments {
  mean: Record<string, Float64Array>;
  se: Record<string, Float64Array>;
}

/**
 * The model's moments of the experiment's observables at every row of θ (T × P): per row `chains` chains from noise,
 * `sweeps` Gibbs sweeps plus one, the visible layer measured with the simulator's observable code (so the model and
 * the data share one definition of every observable, boundary included).
 *
 * @example
 * ```ts
 * const m = sampleModelMoments(model.machine, theta, T, experimentModel(config), { chains: 100, sweeps: 9, rng });
 * ```
 */
export function sampleModelMoments(
  machine: Machine,
  theta: Float64Array,
  T: number,
  model: ExperimentModel,
  options: { chains: number; sweeps: number; rng: Rng },
): SampledMoments {
  const compiled = compileObservables(createLatticeGeometry(model.shape, model.boundary), model.species, model.observables);
  const names = compiled.names;
  const O = names.length;
  const P = theta.length / T;
  const V = machine.layers[0];
  const N = V.size;
  const { chains, sweeps, rng } = options;
  const states = createChains(machine, chains);
  const occupancy = new Uint8Array(N);
  const row = new Float64Array(O);
  const sum = new Float64Array(O);
  const sumSq = new Float64Array(O);
  const mean: Record<string, Float64Array> = {};
  const se: Record<string, Float64Array> = {};
  for (const name of names) {
    mean[name] = new Float64Array(T);
    se[name] = new Float64Array(T);
  }
  const th = new Float64Array(P);
  for (let t = 0; t < T; t++) {
    th.set(theta.subarray(t * P, (t + 1) * P));
    randomizeChains(machine, states, rng);
    gibbs(machine, th, states, rng, { sweeps: sweeps + 1 });
    sum.fill(0);
    sumSq.fill(0);
    for (let c = 0; c < chains; c++) {
      const base = c * machine.unitCount + V.unitOffset;
      for (let i = 0; i < N; i++) occupancy[i] = states[base + i];
      measureObservablesUnchecked(compiled, occupancy, row, 0);
      for (let k = 0; k < O; k++) {
        sum[k] += row[k];
        sumSq[k] += row[k] * row[k];
      }
    }
    for (let k = 0; k < O; k++) {
      const m = sum[k] / chains;
      const variance = Math.max(0, (sumSq[k] - chains * m * m) / (chains - 1));
      mean[names[k]][t] = m;
      se[names[k]][t] = Math.sqrt(variance / chains);
    }
  }
  return { mean, se };
}

/**
 * The generated baselines' input for the experiment's model (its training-set configuration).
 *
 * @example
 * ```ts
 * generatePairApproximation(baselineInput(experimentModel(config)));
 * ```
 */
export function baselineInput(model: ExperimentModel) {
  const parsed = loadLatticeModel(model.path);
  const file = model.adjust('train')(structuredClone(parsed.file));
  const run = latticeConfigFromFile({ ...parsed, file }, { scheme: model.scheme, steps: model.T });
  return { model: run.config.model, shape: run.config.shape, boundary: run.config.boundary, scheme: run.config.scheme, dt: run.config.dt };
}

/** The generated baselines of the experiment's model (or why they do not apply). */
async function generatedBaselines(model: ExperimentModel) {
  const closure = await loadClosure('predict', ['generateMeanField', 'generatePairApproximation']);
  const input = baselineInput(model);
  return BASELINES.map((kind) => {
    try {
      return (kind === 'mean-field' ? closure.generateMeanField : closure.generatePairApproximation)(input);
    } catch (error) {
      return { applies: false as const, kind, reason: capMessage((error as Error).message, 200) };
    }
  });
}

/** Where one prediction's θ(t) left the region F was trained on (recorded in predict/stage.json as `untrained`). */
export interface UntrainedRecord {
  /** Which prediction (`training IC 1/5`, `held-out IC 2/3`, `θ(0) of the training data`). */
  label: string;
  /** Fraction of the time points whose θ lies in a trained FE cell. */
  fraction: number;
  /** The first time (simulation units) outside, or null. */
  firstUntrainedTime: number | null;
}

/**
 * Checks that θ(t) of one prediction stays in FE cells training touched. F is a sparse FE function, 0 in cells no
 * training trajectory visited, so there θ stalls and the prediction goes flat: instead of leaving that unexplained,
 * this logs a warning and returns the record for the stage file (null when θ(t) never leaves the trained region).
 * `simTime` maps a model time to the simulation's time unit for the message.
 *
 * @example
 * ```ts
 * const trajectory = closure.integrateParameters(learned, times);
 * const untrained = checkTrainedCoverage(ctx, closure, learned, trajectory, 'held-out IC 1/3', (t) => t);
 * if (untrained) records.push(untrained);
 * ```
 */
export function checkTrainedCoverage(
  ctx: Pick<StageContext, 'log'>,
  closure: Pick<ClosureApi, 'trainedCoverage'>,
  learned: LearnedDbd,
  trajectory: ParameterTrajectory,
  label: string,
  simTime: (t: number) => number,
): UntrainedRecord | null {
  const covered = closure.trainedCoverage(learned, trajectory);
  if (covered.fraction >= 1) return null;
  const at = covered.firstUntrainedTime === null ? null : simTime(covered.firstUntrainedTime);
  ctx.log(
    `predict: warning: ${label}: θ(t) is outside the region F was trained on for ${((1 - covered.fraction) * 100).toFixed(0)} % of the times (from t = ${at}); F is 0 there, so θ stalls (a coarser --spacing, or training ICs that cover this one, help)`,
  );
  return { label, fraction: covered.fraction, firstUntrainedTime: at };
}

/** Runs the predict stage of a model-file experiment (see the module comment). */
export async function runClosurePredictStage(ctx: StageContext, config: ClosureConfig): Promise<StageRecord> {
  const dir = ctx.dir;
  requireStage(dir, 'simulate', config);
  const closure = await loadClosure('predict', ['deserializeLearnedDbd', 'integrateParameters', 'lowPassColumns', 'trainedCoverage']);
  const started = performance.now();
  const learned = readModel(dir, config, closure);
  const model = experimentModel(config);
  const train = loadTrainingTrajectories(dir, config, Number.POSITIVE_INFINITY, 'train');
  const heldout = loadTrainingTrajectories(dir, config, Number.POSITIVE_INFINITY, 'heldout');
  const out = startStageOutput(dir, 'predict');
  const p = config.settings.predict;
  const times = modelTimes(config);
  const simTimes = simulationTimes(model);
  const T = times.length;
  const machine = learned.machine;
  const P = learned.names.length;
  const filter = { cutoff: p.cutoff, taps: p.taps };
  const baselines = await generatedBaselines(model);
  const statuses: BaselineStatus[] = baselines.map((b) => (b.applies ? { kind: b.kind, applies: true, notes: b.notes } : { kind: b.kind, applies: false, reason: b.reason }));

  /** θ(t) raw and filtered, sampled moments of both and the baselines, from one set of t = 0 lattices. */
  const coverage: UntrainedRecord[] = [];
  const predictFrom = (lattices: Uint8Array[], theta0: Float64Array, stream: number, label: string) => {
    const trajectory = closure.integrateParameters(learned, times, { theta0 });
    const { names, theta } = trajectory;
    const untrained = checkTrainedCoverage(ctx, closure, learned, trajectory, label, (t) => simTimes[times.indexOf(t)] ?? t);
    if (untrained) coverage.push(untrained);
    const filtered = closure.lowPassColumns(theta, T, P, filter);
    const progress = ctx.progress(`predict ${label}`, 2 * T);
    const moments: Record<string, Record<string, Float64Array>> = {};
    const se: Record<string, Record<string, Float64Array>> = {};
    try {
      for (const [variant, th, k] of [['learned-raw', theta, 0], ['learned-filtered', filtered, 1]] as const) {
        if (ctx.signal?.aborted) throw new LvInterruptedError(`prediction interrupted; rerun 'srn-bench closure predict --out ${dir}'`);
        const sampled = sampleModelMoments(machine, th, T, model, { chains: p.chains, sweeps: p.sweeps, rng: createRng(config.streams.predict, stream + k) });
        moments[variant] = sampled.mean;
        se[variant] = sampled.se;
        progress.update((k + 1) * T);
      }
    } finally {
      progress.stop();
    }
    baselines.forEach((b) => {
      if (!b.applies) return;
      const prediction = b.predict(simTimes, { initial: { occupancies: lattices }, observables: model.observables });
      moments[b.kind] = {};
      for (const name of model.names) if (prediction.columns[name]) moments[b.kind][name] = prediction.columns[name];
    });
    return { names, theta, filtered, moments, se };
  };

  const timings: Record<string, number> = {};
  let t0 = performance.now();
  // Training set: its first conditions, each from the θ(0) the trainer fitted to it; the mean over them.
  const trainK = Math.min(model.conditions.train, TRAIN_CONDITIONS);
  const trainM = model.samples.train;
  const trainParts = Array.from({ length: trainK }, (_, c) =>
    predictFrom(initialLattices(train.slice(c * trainM, (c + 1) * trainM)), learned.conditionTheta0?.[c] ?? learned.theta0, 2 * c, `training IC ${c + 1}/${trainK}`),
  );
  const pooled = trainParts[0];
  pooled.moments = Object.fromEntries(Object.keys(pooled.moments).map((p) => [p, meanSeries(trainParts.map((part) => part.moments[p]), T)]));
  pooled.se = Object.fromEntries(Object.keys(pooled.se).map((p) => [p, meanSeries(trainParts.map((part) => part.se[p]), T, true)]));
  timings.train = (performance.now() - t0) / 1000;
  const thetaColumns: Record<string, Float64Array> = {};
  pooled.names.forEach((name, k) => {
    thetaColumns[name] = Float64Array.from({ length: T }, (_, t) => pooled.theta[t * P + k]);
  });
  pooled.names.forEach((name, k) => {
    thetaColumns[`${name}-filtered`] = Float64Array.from({ length: T }, (_, t) => pooled.filtered[t * P + k]);
  });
  writeColumnsCsv(join(out, 'theta.csv'), simTimes, thetaColumns);
  for (const variant of ['raw', 'filtered'] as const) {
    const columns: Record<string, Float64Array> = {};
    for (const name of model.names) {
      columns[`${name}-mean`] = pooled.moments[`learned-${variant}`][name];
      columns[`${name}-se`] = pooled.se[`learned-${variant}`][name];
    }
    writeColumnsCsv(join(out, `moments-${variant}.csv`), simTimes, columns);
  }
  const baselineColumns: Record<string, Float64Array> = {};
  for (const kind of BASELINES) for (const [name, series] of Object.entries(pooled.moments[kind] ?? {})) baselineColumns[`${kind}:${name}`] = series;
  writeColumnsCsv(join(out, 'baselines.csv'), simTimes, baselineColumns);
  writeFileAtomic(join(out, 'baselines.json'), `${JSON.stringify({ baselines: statuses }, null, 2)}\n`);
  ctx.log(`predict: training set (${trainK} initial condition${trainK > 1 ? 's' : ''}), ${T} time points x ${p.chains} chains in ${timings.train.toFixed(1)} s`);

  // Held-out initial conditions: M samples each, run r belongs to condition floor(r / M).
  t0 = performance.now();
  mkdirSync(join(out, 'heldout'), { recursive: true });
  const K = model.conditions.heldout;
  const M = model.samples.heldout;
  for (let c = 0; c < K; c++) {
    const lattices = initialLattices(heldout.slice(c * M, (c + 1) * M) as LatticeTrajectory[]);
    const prediction = predictFrom(lattices, theta0From(machine, lattices, createRng(config.streams.predict, 1_000_000 + c)), 2 * (TRAIN_CONDITIONS + c), `held-out IC ${c + 1}/${K}`);
    const columns: Record<string, Float64Array> = {};
    for (const [predictor, series] of Object.entries(prediction.moments)) for (const [name, values] of Object.entries(series)) columns[`${predictor}:${name}`] = values;
    writeColumnsCsv(join(out, 'heldout', conditionFileName(c, K)), simTimes, columns);
  }
  timings.heldout = (performance.now() - t0) / 1000;
  ctx.log(`predict: ${K} held-out initial condition${K > 1 ? 's' : ''} in ${timings.heldout.toFixed(1)} s`);
  // The ladder reuses the trajectories read above instead of reading DIR/simulate a second time.
  const ladder = await predictLadder(ctx, config, out, { train, heldout });
  return writeStageRecord(dir, 'predict', config, (performance.now() - started) / 1000, { timings, parameters: pooled.names, baselines: statuses, trainConditions: trainK, ladder, untrained: coverage });
}

/** Mean over parts of series (the standard error of a mean of independent estimates with `se`). */
function meanSeries(parts: Record<string, Float64Array>[], T: number, se = false): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const name of Object.keys(parts[0])) {
    out[name] = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      let acc = 0;
      for (const part of parts) acc += se ? part[name][t] ** 2 : part[name][t];
      out[name][t] = se ? Math.sqrt(acc) / parts.length : acc / parts.length;
    }
  }
  return out;
}

/** File name of held-out initial condition c's predictions. */
export function conditionFileName(c: number, K: number): string {
  return `condition-${String(c).padStart(Math.max(3, String(K - 1).length), '0')}.csv`;
}
