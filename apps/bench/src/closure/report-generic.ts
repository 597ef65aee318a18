/**
 * The report stage of a model-file experiment, driven by the model: a metrics row and a figure panel for every
 * observable of the model file and every predictor (learned closure raw and filtered, mean field, pair
 * approximation; "does not apply" rows with the reason for a baseline that does not), the noise floor of the
 * held-out set (standard error of its mean; the second half of its samples scored against the first like a
 * predictor), per-initial-condition metrics, and lattice pictures that suit the dimension (a space-time image in 1D,
 * snapshots in 2D, slices in 3D). Writes DIR/report/{report.md, report.html, metrics.json, figures/}.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileObservables, createLatticeGeometry, type LatticeTrajectory, measureObservablesUnchecked } from '@srn/gillespie/lattice';
import { writeFileAtomic, writeFileAtomicChunks } from '../io.ts';
import type { StageContext } from './context.ts';
import { readColumnsCsv } from './csv.ts';
import { LvInputError } from './errors.ts';
import { reportLadder } from './ladder.ts';
import { scorePrediction } from '@srn/closure';
import { CLOSURE_ROWS, type ClosureConfig } from './experiment.ts';
import { withFigureThread } from './figure-thread.ts';
import { type Figure, latticeImageSpec, momentsSpec, thetaSpec } from './figures.ts';
import { computeMetrics, type MetricsTable, type MomentMetrics, PREDICTOR_LABELS, PREDICTORS, type Predictor } from './metrics.ts';
import { type ExperimentModel, experimentModel } from './model.ts';
import { type BaselineStatus, conditionFileName } from './predict-generic.ts';
import { addHistoryFigure, type Block, fmt, metricsRows, pct, readHistory, toHtmlChunks, toMarkdown, untrainedBlock } from './report-stage.ts';
import { loadTrainingTrajectories, readSimulatedMoments } from './simulate-stage.ts';
import { requireStage, type StageRecord, stageDir, stageTimings, startStageOutput, writeStageRecord } from './stage.ts';
import { closureDomain } from './train-stage.ts';

type Series = Record<string, Float64Array>;

/** Mean over ICs of per-IC series. */
function meanOf(list: Series[], names: readonly string[], T: number): Series {
  const out: Series = {};
  for (const name of names) {
    if (!list.every((s) => s[name])) continue;
    out[name] = new Float64Array(T);
    for (const s of list) for (let t = 0; t < T; t++) out[name][t] += s[name][t] / list.length;
  }
  return out;
}

/**
 * The held-out set's noise floor: per observable, the standard error of the held-out mean (relative to the mean,
 * averaged over t), and the mean of the second half of every IC's samples scored against the mean of the first half.
 */
function noiseFloor(model: ExperimentModel, heldout: readonly LatticeTrajectory[], times: Float64Array) {
  const T = model.T;
  const K = model.conditions.heldout;
  const M = model.samples.heldout;
  const compiled = compileObservables(createLatticeGeometry(model.shape, model.boundary), model.species, model.observables);
  const O = compiled.names.length;
  const N = model.shape.reduce((a, b) => a * b, 1);
  const half = Math.floor(M / 2);
  const sums = [new Float64Array(T * O), new Float64Array(T * O)];
  const all = new Float64Array(T * O);
  const allSq = new Float64Array(T * O);
  const perIcSq = new Float64Array(T * O); // Σ_c Var_c / M, for the SE of the mean over ICs
  const row = new Float64Array(O);
  for (let c = 0; c < K; c++) {
    const icSum = new Float64Array(T * O);
    const icSq = new Float64Array(T * O);
    for (let m = 0; m < M; m++) {
      const trajectory = heldout[c * M + m];
      const h = m < half ? 0 : 1;
      for (let t = 0; t < T; t++) {
        measureObservablesUnchecked(compiled, trajectory.occupancy.subarray(t * N, (t + 1) * N), row, 0);
        for (let k = 0; k < O; k++) {
          const i = t * O + k;
          sums[h][i] += row[k] / ((h === 0 ? half : M - half) * K);
          icSum[i] += row[k];
          icSq[i] += row[k] * row[k];
          all[i] += row[k];
          allSq[i] += row[k] * row[k];
        }
      }
    }
    for (let i = 0; i < T * O; i++) {
      const mean = icSum[i] / M;
      perIcSq[i] += Math.max(0, (icSq[i] - M * mean * mean) / (M - 1)) / M;
    }
  }
  const first: Series = {};
  const second: Series = {};
  const se: Record<string, number> = {};
  const relSe: Record<string, number> = {};
  compiled.names.forEach((name, k) => {
    first[name] = Float64Array.from({ length: T }, (_, t) => sums[0][t * O + k]);
    second[name] = Float64Array.from({ length: T }, (_, t) => sums[1][t * O + k]);
    let seSum = 0;
    let rel = 0;
    let relCount = 0;
    for (let t = 0; t < T; t++) {
      const i = t * O + k;
      const s = Math.sqrt(perIcSq[i]) / K;
      seSum += s / T;
      const mean = all[i] / (K * M);
      if (mean > 0) {
        rel += s / mean;
        relCount++;
      }
    }
    se[name] = seSum;
    relSe[name] = relCount > 0 ? rel / relCount : Number.NaN;
  });
  const halves: Record<string, MomentMetrics> = {};
  for (const name of compiled.names) halves[name] = scorePrediction(first[name], second[name], times);
  return { se, relSe, halves, first, second, half };
}

/** A 2-d picture of a lattice at time t: the whole lattice in 2D, the middle slice along the first axis in 3D. */
function latticePanel(model: ExperimentModel, trajectory: LatticeTrajectory, t: number): { rows: number; cols: number; codes: Uint8Array } {
  const N = model.shape.reduce((a, b) => a * b, 1);
  const snapshot = trajectory.occupancy.subarray(t * N, (t + 1) * N);
  if (model.shape.length === 2) return { rows: model.shape[0], cols: model.shape[1], codes: snapshot };
  const [X, Y, Z] = model.shape;
  const x = Math.floor(X / 2);
  return { rows: Y, cols: Z, codes: snapshot.subarray(x * Y * Z, (x + 1) * Y * Z) };
}

/**
 * Runs the report stage of a model-file experiment (predict must have finished).
 *
 * @example
 * ```ts
 * await runClosureReportStage(quietContext('out/barw'), readExperimentConfig('out/barw') as ClosureConfig);
 * ```
 */
export async function runClosureReportStage(ctx: StageContext, config: ClosureConfig): Promise<StageRecord> {
  const dir = ctx.dir;
  const started = performance.now();
  const records: Partial<Record<string, StageRecord>> = {
    simulate: requireStage(dir, 'simulate', config),
    train: requireStage(dir, 'train', config),
    predict: requireStage(dir, 'predict', config),
  };
  const model = experimentModel(config);
  const T = model.T;
  const names = model.names;
  const rerunPredict = `srn-bench closure predict --out ${dir}`;
  const predictDir = stageDir(dir, 'predict');
  const simTrain = readSimulatedMoments(dir, config, 'train');
  const simHeldout = readSimulatedMoments(dir, config, 'heldout');
  const times = simTrain.times;
  const theta = readColumnsCsv(join(predictDir, 'theta.csv'), { rerun: rerunPredict });
  const parameters = Object.keys(theta.columns).filter((k) => !k.endsWith('-filtered'));
  const required = names.map((n) => `${n}-mean`);
  const raw = readColumnsCsv(join(predictDir, 'moments-raw.csv'), { required, rerun: rerunPredict });
  const filtered = readColumnsCsv(join(predictDir, 'moments-filtered.csv'), { required, rerun: rerunPredict });
  const baselines = readColumnsCsv(join(predictDir, 'baselines.csv'), { rerun: rerunPredict });
  for (const csv of [theta, raw, filtered, baselines]) {
    if (csv.times.length !== T) throw new LvInputError(`${predictDir} holds files with ${csv.times.length} rows, expected ${T}; rerun '${rerunPredict}'`);
  }
  const statusPath = join(predictDir, 'baselines.json');
  let statuses: BaselineStatus[];
  try {
    statuses = (JSON.parse(readFileSync(statusPath, 'utf8')) as { baselines: BaselineStatus[] }).baselines;
    if (!Array.isArray(statuses)) throw new Error('no baselines list');
  } catch (error) {
    throw new LvInputError(`${statusPath} is missing or corrupt (${(error as Error).message}); rerun '${rerunPredict}'`);
  }
  const pick = (columns: Series, suffix: string): Series => Object.fromEntries(names.filter((n) => columns[`${n}${suffix}`]).map((n) => [n, columns[`${n}${suffix}`]]));
  const prefixed = (columns: Series, prefix: string): Series =>
    Object.fromEntries(Object.entries(columns).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  const trainPredictors: Record<Predictor, Series> = {
    'learned-raw': pick(raw.columns, '-mean'),
    'learned-filtered': pick(filtered.columns, '-mean'),
    'mean-field': prefixed(baselines.columns, 'mean-field:'),
    'pair': prefixed(baselines.columns, 'pair:'),
  };
  // Held-out: per IC, then the mean over ICs (every IC has M samples, so the pooled simulated mean is the mean of theirs).
  const K = model.conditions.heldout;
  const perIc: Record<Predictor, Series>[] = [];
  for (let c = 0; c < K; c++) {
    const csv = readColumnsCsv(join(predictDir, 'heldout', conditionFileName(c, K)), { rerun: rerunPredict });
    if (csv.times.length !== T) throw new LvInputError(`${join(predictDir, 'heldout', conditionFileName(c, K))} has ${csv.times.length} rows, expected ${T}; rerun '${rerunPredict}'`);
    perIc.push(Object.fromEntries(PREDICTORS.map((p) => [p, prefixed(csv.columns, `${p}:`)])) as Record<Predictor, Series>);
  }
  const heldoutPredictors = Object.fromEntries(PREDICTORS.map((p) => [p, meanOf(perIc.map((ic) => ic[p]), names, T)])) as Record<Predictor, Series>;
  // Training set: the mean over the initial conditions the predict stage predicted (the first trainK).
  const trainK = Number((records.predict as StageRecord & { trainConditions?: number }).trainConditions ?? 1);
  const trainSim = simTrain.conditions ? meanOf(simTrain.conditions.slice(0, trainK).map((b) => b.mean), names, T) : simTrain.mean;
  const metrics: MetricsTable = {
    ...computeMetrics({ heldout: simHeldout.mean }, heldoutPredictors, names, times),
    ...computeMetrics({ train: trainSim }, trainPredictors, names, times),
  };
  const icSim = simHeldout.conditions?.map((b) => b.mean) ?? [simHeldout.mean];
  const perCondition: MetricsTable[] = perIc.map((predictors, c) => computeMetrics({ [`ic${c}`]: icSim[c] }, predictors, names, times));
  const heldoutTrajectories = loadTrainingTrajectories(dir, config, Number.POSITIVE_INFINITY, 'heldout');
  const floor = noiseFloor(model, heldoutTrajectories, times);
  const trajectories = loadTrainingTrajectories(dir, config, 1, 'train');
  const historyPath = join(stageDir(dir, 'train'), 'history.csv');
  const history = existsSync(historyPath) ? readHistory(historyPath, `srn-bench closure train --out ${dir}`) : undefined;

  // Figures.
  const out = startStageOutput(dir, 'report');
  const figuresDir = join(out, 'figures');
  mkdirSync(figuresDir, { recursive: true });
  const figures: Figure[] = [];
  const shownIcs = Math.min(K, 3);
  const progress = ctx.progress('report figures', 5 + shownIcs);
  await withFigureThread(async (render) => {
    const add = async (name: string, caption: string, spec: Record<string, unknown>) => {
      figures.push(await render(figuresDir, name, caption, spec));
      progress.update(figures.length);
    };
    const d = model.shape.length;
    try {
      const run = trajectories[0];
      if (d === 1) {
        await add('lattice', `Space-time image of training run 0 (time down, ${model.shape[0]} sites across; ${model.species.join(', ')} in colour).`, latticeImageSpec(model.species, [{ label: 'training run 0', rows: T, cols: model.shape[0], codes: run.occupancy, rowTitle: 'snapshot' }]));
      } else {
        const ts = [0, Math.round((T - 1) / 2), T - 1];
        const what = d === 2 ? 'Snapshots' : `Slices (first axis at ${Math.floor(model.shape[0] / 2)})`;
        await add(
          'lattice',
          `${what} of training run 0 at t = ${ts.map((t) => fmt(times[t])).join(', ')} (${model.species.join(', ')} in colour).`,
          latticeImageSpec(model.species, ts.map((t) => ({ label: `t = ${fmt(times[t])}`, ...latticePanel(model, run, t) }))),
        );
      }
      await add('theta', `Learned θ(t) of the training set from the forward solve of the learned F: raw and low-pass filtered (cutoff ${config.settings.predict.cutoff} rad/sample, ${config.settings.predict.taps} taps).`, thetaSpec(times, theta.columns, parameters));
      await add('moments-heldout', `Predicted vs simulated means of every observable on the held-out set (${K} new initial conditions x ${model.samples.heldout} samples; predictions averaged over the ICs, each from its own θ(0)).`, momentsSpec(times, names, { simulation: simHeldout.mean, ...heldoutPredictors }, 'Held-out set'));
      await add('moments-train', `Predicted vs simulated means on the training set (${trainK < model.conditions.train ? `its first ${trainK} of ${model.conditions.train} initial conditions` : `${model.conditions.train} initial condition${trainK > 1 ? 's' : ''}`} x ${model.samples.train} samples; each from the θ(0) the trainer fitted to it).`, momentsSpec(times, names, { simulation: trainSim, ...trainPredictors }, 'Training set'));
      for (let c = 0; c < shownIcs && K > 1; c++) {
        await add(`moments-heldout-ic${c}`, `Held-out initial condition ${c}: ${model.samples.heldout} samples against the predictions from its own t = 0 lattices.`, momentsSpec(times, names, { simulation: icSim[c], ...perIc[c] }, `Held-out IC ${c}`));
      }
      await addHistoryFigure(history, add);
    } finally {
      progress.stop();
    }
  });

  const reportSeconds = (performance.now() - started) / 1000;
  const timings = stageTimings(records, reportSeconds, { withTrainSetup: true });
  const icRmse: Record<string, Record<string, number>> = {};
  for (const predictor of PREDICTORS) {
    icRmse[predictor] = {};
    for (const name of names) {
      const values = perCondition.map((table, c) => table[`ic${c}`]?.[predictor]?.[name]?.rmse).filter((x): x is number => x !== undefined && Number.isFinite(x));
      icRmse[predictor][name] = values.length === K ? values.reduce((a, b) => a + b, 0) / K : Number.NaN;
    }
  }
  const losses = names.flatMap((name) => {
    const learned = metrics.heldout['learned-filtered']?.[name]?.rmse;
    const better = (['mean-field', 'pair'] as const).filter((p) => {
      const other = metrics.heldout[p]?.[name]?.rmse;
      return learned !== undefined && other !== undefined && Number.isFinite(other) && other < learned;
    });
    return better.length > 0 ? [`${name}: ${better.map((p) => PREDICTOR_LABELS[p]).join(' and ')} ${better.length > 1 ? 'are' : 'is'} closer than the learned closure (RMSE ${fmt(learned)} vs ${better.map((p) => fmt(metrics.heldout[p]?.[name]?.rmse)).join(', ')})`] : [];
  });
  const summary = [
    `held-out RMSE per observable (learned filtered θ | mean field | pair approximation | noise floor: second half vs first):`,
    ...names.map((name) => {
      const r = (p: Predictor) => fmt(metrics.heldout[p]?.[name]?.rmse);
      return `  ${name.padEnd(10)} ${r('learned-filtered').padStart(9)} | ${r('mean-field').padStart(9)} | ${r('pair').padStart(9)} | ${fmt(floor.halves[name]?.rmse).padStart(9)}`;
    }),
    ...(losses.length > 0 ? ['the learned closure loses on:', ...losses.map((l) => `  ${l}`)] : ['the learned closure has the smallest held-out RMSE of the predictors on every observable']),
  ];
  const finite = (_: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
  const metricsJson = {
    preset: config.preset,
    seed: config.seed,
    configHash: config.hash,
    model: config.model,
    observables: names,
    datasets: { train: { conditions: model.conditions.train, samples: model.samples.train }, heldout: { conditions: K, samples: model.samples.heldout } },
    predictors: PREDICTORS,
    baselines: statuses,
    metrics,
    perCondition: perCondition.map((table, c) => table[`ic${c}`]),
    perConditionMeanRmse: icRmse,
    noiseFloor: { standardError: floor.se, relativeStandardError: floor.relSe, secondHalfVsFirst: floor.halves },
    timings,
    summary,
  };
  writeFileAtomic(join(out, 'metrics.json'), `${JSON.stringify(metricsJson, finite, 2)}\n`);
  const blocks = closureReportBlocks(config, dir, model, { trainK, metrics, perCondition, icRmse, floor, statuses, timings, figures, losses, records });
  reportLadder(dir, config, out);
  blocks.push({ kind: 'p', text: 'The ladder (noise floor, mean field, pair approximation, learned feed-forward closure, maximum entropy and the learned closure, all on the same held-out ensemble): ladder.md, ladder.csv, ladder.json.' });
  writeFileAtomic(join(out, 'report.md'), toMarkdown(blocks));
  writeFileAtomicChunks(join(out, 'report.html'), toHtmlChunks(blocks, `srn learned moment closure report: ${config.model.description ?? config.model.path} (${config.preset})`));
  ctx.log(`report: ${join(out, 'report.md')}, report.html, metrics.json, ${figures.length} figures in ${reportSeconds.toFixed(1)} s`);
  return writeStageRecord(dir, 'report', config, reportSeconds, { figures: figures.map((f) => f.name) });
}

function closureReportBlocks(
  config: ClosureConfig,
  dir: string,
  model: ExperimentModel,
  r: {
    trainK: number;
    metrics: MetricsTable;
    perCondition: MetricsTable[];
    icRmse: Record<string, Record<string, number>>;
    floor: ReturnType<typeof noiseFloor>;
    statuses: BaselineStatus[];
    timings: { stage: string; seconds: number; peakRssMB: number }[];
    figures: Figure[];
    losses: string[];
    records: Partial<Record<string, StageRecord>>;
  },
): Block[] {
  const s = config.settings;
  const names = model.names;
  const K = model.conditions.heldout;
  const blocks: Block[] = [];
  blocks.push({ kind: 'h', level: 1, text: `Learned moment closure: ${config.model.description ?? config.model.path}` });
  blocks.push({
    kind: 'p',
    text:
      `Preset **${config.preset}**, seed ${config.seed}, config hash \`${config.hash}\`, model file \`${config.model.path}\`, directory \`${dir}\`. ` +
      `Lattice ${model.shape.join(' x ')} (${model.boundary}), species ${model.species.join(', ')}, ${s.simulate.scheme} scheme, ${model.T} snapshots every dt = ${model.dt}. ` +
      `Training set: ${model.conditions.train} initial condition${model.conditions.train > 1 ? 's' : ''} x ${model.samples.train} samples; held-out set: ${K} new initial condition${K > 1 ? 's' : ''} ` +
      `(another random stream, so the model never saw them) x ${model.samples.heldout} samples. ${s.train.steps * s.train.passes} training steps. ` +
      `Regenerate with \`srn-bench closure report --out ${dir}\`; rerun with \`srn-bench closure all --model ${config.model.path} --preset ${config.preset} --seed ${config.seed} --out ${dir}\` (plus the settings below that differ from the preset).`,
  });
  const domain = closureDomain(config);
  blocks.push({
    kind: 'p',
    text:
      `Model: --form ${s.train.form}${s.train.form === 'hidden' ? ` (${s.train.hiddenLayers} hidden layers, 2^d receptive fields, same-species couplings)` : ` (biases h per species, nearest-neighbour couplings n of every species pair${s.train.triplets === 'on' ? ', triplet couplings k' : ''}${s.train.nnn === 'on' ? ', couplings m at distance 2' : ''})`}; ` +
      `FE input domain ${domain.join(', ')}. θ(0) of every initial condition is fitted from its own t = 0 lattices (fitTheta0: pseudo-likelihood for visible forms, CD for hidden ones), ` +
      `the training conditions by the trainer, which shares one F among them; the model's time unit is one snapshot (dt = ${model.dt} of the model file)` +
      `${model.boundary === 'closed' ? '. The lattice has closed ends; the Boltzmann machine is periodic on the same sites' : ''}.`,
  });
  blocks.push({ kind: 'h', level: 2, text: 'Baselines' });
  blocks.push({
    kind: 'table',
    header: ['baseline', 'applies', 'notes'],
    rows: r.statuses.map((b) => [PREDICTOR_LABELS[b.kind], b.applies ? 'yes' : '**does not apply**', b.applies ? (b.notes ?? []).join('; ') || '-' : (b.reason ?? '')]),
  });
  blocks.push({ kind: 'h', level: 2, text: `Held-out set (${K} initial condition${K > 1 ? 's' : ''} x ${model.samples.heldout} samples)` });
  blocks.push({
    kind: 'table',
    header: ['observable', 'predictor', 'mean rel. error', 'max rel. error', 'RMSE', 'pred/sim at the simulated peaks'],
    rows: [
      ...metricsRows(r.metrics, 'heldout', names).map((row) => {
        const status = r.statuses.find((b) => PREDICTOR_LABELS[b.kind] === row[1]);
        return status && !status.applies ? [row[0], row[1], 'does not apply', '', '', ''] : row;
      }),
      ...names.map((name) => {
        const h = r.floor.halves[name];
        return [name, `noise floor: second half of the samples vs the first`, pct(h.meanRelError), `${pct(h.maxRelError)} (t=${fmt(h.maxRelErrorTime)})`, fmt(h.rmse), h.peaks.map((p) => `${fmt(p.ratio)} (t=${fmt(p.t)})`).join(', ') || 'no peak'];
      }),
    ],
  });
  blocks.push({
    kind: 'p',
    text:
      'Noise floor: standard error of the held-out mean (time average, and relative to the mean) ' +
      names.map((n) => `${n} ${fmt(r.floor.se[n])} (${pct(r.floor.relSe[n])})`).join(', ') +
      `. The "second half vs first" rows score the mean of the last ${model.samples.heldout - r.floor.half} samples of every IC against the mean of the first ${r.floor.half}: a predictor cannot be told apart from the simulation below about that error.`,
  });
  blocks.push({ kind: 'p', text: r.losses.length > 0 ? `**Where the learned closure loses (held-out RMSE):** ${r.losses.join('; ')}.` : 'The learned closure (filtered θ) has the smallest held-out RMSE of the predictors on every observable.' });
  const untrained = untrainedBlock(r.records.predict);
  if (untrained) blocks.push(untrained);
  if (K > 1) {
    blocks.push({ kind: 'h', level: 2, text: 'Per held-out initial condition: RMSE' });
    blocks.push({
      kind: 'table',
      header: ['IC', 'observable', ...PREDICTORS.map((p) => PREDICTOR_LABELS[p])],
      rows: [
        ...r.perCondition.flatMap((table, c) => names.map((name) => [String(c), name, ...PREDICTORS.map((p) => fmt(table[`ic${c}`]?.[p]?.[name]?.rmse))])),
        ...names.map((name) => ['mean', name, ...PREDICTORS.map((p) => fmt(r.icRmse[p][name]))]),
      ],
    });
  }
  const trainIcs = `${model.conditions.train} initial condition${model.conditions.train > 1 ? 's' : ''}`;
  blocks.push({ kind: 'h', level: 2, text: `Training set (${r.trainK < model.conditions.train ? `the first ${r.trainK} of ` : ''}${trainIcs} x ${model.samples.train} samples)` });
  blocks.push({ kind: 'table', header: ['observable', 'predictor', 'mean rel. error', 'max rel. error', 'RMSE', 'pred/sim at the simulated peaks'], rows: metricsRows(r.metrics, 'train', names) });
  blocks.push({ kind: 'h', level: 2, text: 'Timings and memory' });
  blocks.push({ kind: 'table', header: ['stage', 'wall time', 'peak RSS of the process'], rows: r.timings.map((t) => [t.stage, `${fmt(t.seconds)} s`, `${fmt(t.peakRssMB)} MB`]) });
  blocks.push({ kind: 'h', level: 2, text: 'Figures' });
  for (const figure of r.figures) blocks.push({ kind: 'figure', figure });
  blocks.push({ kind: 'h', level: 2, text: 'Settings' });
  blocks.push({
    kind: 'table',
    header: ['option', 'value', 'stage', 'meaning'],
    rows: CLOSURE_ROWS.map((row) => [`--${row.flag}`, String((s as unknown as Record<string, Record<string, unknown>>)[row.section][row.key]), row.section, row.option.description]),
  });
  blocks.push({ kind: 'p', text: `Random streams: ${Object.entries(config.streams).map(([k, v]) => `${k} \`${v}\``).join(', ')}.` });
  blocks.push({ kind: 'p', text: `Versions: ${Object.entries(config.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.` });
  return blocks;
}
