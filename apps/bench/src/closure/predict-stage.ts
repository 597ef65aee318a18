/**
 * The predict stage: θ(t) from the learned F (forward solve from θ(0)), its low-pass filtered version, the model's
 * moments at every t for raw and filtered θ (spec 7.1), the closure channels (spec 7.2) and the mean-field and
 * pair-approximation baselines. Writes DIR/predict/{theta.csv, moments-raw.csv, moments-filtered.csv,
 * baselines.csv, channels.csv, layers.json, stage.json}.
 */
import { join } from 'node:path';
import { createRng, type Rng } from '@srn/gillespie/rng';
import { writeFileAtomic } from '../io.ts';
import { createChains, createProbabilities, gibbs, randomizeChains } from '@srn/boltzmann';
import type { ClosureChannels } from '@srn/closure';
import { type ClosureApi, type LearnedDbd, loadClosure, type PredictedMomentsLike } from './closure.ts';
import { layerTime, type LvConfig } from './config.ts';
import { type ClosureConfig, isLv, readExperimentConfig } from './experiment.ts';
import { predictLadder } from './ladder.ts';
import { checkTrainedCoverage, runClosurePredictStage } from './predict-generic.ts';
import type { StageContext } from './context.ts';
import { writeColumnsCsv } from './csv.ts';
import { LvInterruptedError } from './errors.ts';
import { OBSERVABLES } from './simulate-stage.ts';
import { requireStage, type StageRecord, startStageOutput, writeStageRecord } from './stage.ts';
import { modelTimes, readModel } from './train-stage.ts';

type MomentPrediction = PredictedMomentsLike;

/** The baselines' parameters from the settings (rates, lattice, initial counts). */
export function baselineParameters(config: LvConfig): Record<string, number> {
  const s = config.settings.simulate;
  const initial = Math.round((s.size * s.size) / 16);
  // The paper scheme's per-hop-attempt probability p is the exact scheme's rate λ = 2 · (hopRate / 4) · p per X–Y pair.
  return { kr1: s.preyBirth, kr2: s.predatorDeath, predationRate: 2 * (1 / 4) * s.predationProbability, hopRate: 1, L: s.size, X0: initial, Y0: initial };
}

function momentColumns(prediction: PredictedMomentsLike): Record<string, Float64Array> {
  const columns: Record<string, Float64Array> = {};
  for (const name of OBSERVABLES) {
    if (!prediction.mean[name]) continue;
    columns[`${name}-mean`] = prediction.mean[name];
    if (prediction.standardError?.[name]) columns[`${name}-se`] = prediction.standardError[name];
  }
  return columns;
}

/**
 * Runs the predict stage on DIR (train must have finished).
 *
 * @example
 * ```ts
 * await runPredictStage(quietContext('out/lv'));
 * ```
 */
export async function runPredictStage(ctx: StageContext): Promise<StageRecord> {
  const dir = ctx.dir;
  const experiment = readExperimentConfig(dir);
  if (!isLv(experiment)) return runClosurePredictStage(ctx, experiment as ClosureConfig);
  const config = experiment;
  requireStage(dir, 'simulate', config);
  const closure: ClosureApi = await loadClosure('predict', [
    'deserializeLearnedDbd',
    'integrateParameters',
    'lowPassColumns',
    'predictMoments',
    'meanFieldLotkaVolterra',
    'pairApproximationLotkaVolterra',
    'closureChannels',
    'trainedCoverage',
  ]);
  const started = performance.now();
  const model = readModel(dir, config, closure);
  const out = startStageOutput(dir, 'predict');
  const p = config.settings.predict;
  const times = modelTimes(config);
  const T = times.length;
  const trajectory = closure.integrateParameters(model, times);
  const { names, theta } = trajectory;
  const untrained = checkTrainedCoverage(ctx, closure, model, trajectory, 'θ(0) of the training data', (t) => t);
  const P = names.length;
  const filter = { cutoff: p.cutoff, taps: p.taps };
  const filtered = closure.lowPassColumns(theta, T, P, filter);
  const thetaColumns: Record<string, Float64Array> = {};
  names.forEach((name, k) => {
    thetaColumns[name] = Float64Array.from({ length: T }, (_, t) => theta[t * P + k]);
  });
  names.forEach((name, k) => {
    thetaColumns[`${name}-filtered`] = Float64Array.from({ length: T }, (_, t) => filtered[t * P + k]);
  });
  writeColumnsCsv(join(out, 'theta.csv'), times, thetaColumns);

  const timings: Record<string, number> = {};
  const predictions: Record<string, MomentPrediction> = {};
  const chunk = Math.max(1, Math.ceil(T / 50));
  for (const [variant, stream] of [
    ['raw', 0],
    ['filtered', 1],
  ] as const) {
    const t0 = performance.now();
    const progress = ctx.progress(`predict ${variant}`, T);
    const rng = createRng(config.streams.predict, stream);
    const parts: MomentPrediction[] = [];
    try {
      // Row chunks share one generator in row order, so the result does not depend on the chunking; they only
      // let the progress bar move.
      for (let start = 0; start < T; start += chunk) {
        if (ctx.signal?.aborted) throw new LvInterruptedError(`prediction interrupted; rerun 'srn-bench lv predict --out ${dir}'`);
        const rows = Array.from({ length: Math.min(chunk, T - start) }, (_, i) => start + i);
        parts.push(
          closure.predictMoments(model, trajectory, {
            chains: p.chains,
            sweeps: p.sweeps,
            filter: variant === 'filtered' ? filter : false,
            rng,
            times,
            rows,
            covariance: true,
            channels: false,
          }),
        );
        progress.update(start + rows.length);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      progress.stop();
    }
    predictions[variant] = mergePredictions(parts);
    timings[variant] = (performance.now() - t0) / 1000;
    writeColumnsCsv(join(out, `moments-${variant}.csv`), times, momentColumns(predictions[variant]));
    ctx.log(`predict: ${variant} θ, ${T} time points x ${p.chains} chains in ${timings[variant].toFixed(1)} s`);
  }

  const params = baselineParameters(config);
  const baselines: Record<string, Float64Array> = {};
  for (const [key, fn] of [
    ['mean-field', closure.meanFieldLotkaVolterra],
    ['pair', closure.pairApproximationLotkaVolterra],
  ] as const) {
    const result = fn(params, times);
    for (const name of OBSERVABLES) if (result.mean[name]) baselines[`${key}:${name}`] = result.mean[name];
  }
  writeColumnsCsv(join(out, 'baselines.csv'), times, baselines);

  // Closure channels as in the paper's notebook: low-pass filtered covariances times the forward difference of the
  // filtered θ.
  const channels = closure.closureChannels(predictions.filtered, { filterCovariance: filter });
  writeColumnsCsv(join(out, 'channels.csv'), times, channelColumns(channels));

  // Fig. 2c: one chain's unit probabilities in every layer at the chosen time (filtered θ; 9 sweeps from noise, then
  // one parallel update returning probabilities).
  const tLayer = layerTime(config.settings);
  const layers = sampleLayerProbabilities(model, predictions.filtered.theta.subarray(tLayer * P, (tLayer + 1) * P), p.sweeps, createRng(config.streams.predict, 2));
  writeFileAtomic(join(out, 'layers.json'), `${JSON.stringify({ time: tLayer, chain: 0, panels: layers })}\n`);
  const ladder = await predictLadder(ctx, config, out);
  return writeStageRecord(dir, 'predict', config, (performance.now() - started) / 1000, {
    ladder,
    timings,
    parameters: names,
    layerTime: tLayer,
    untrained: untrained ? [untrained] : [],
  });
}

/** The merged rows of chunked predictions (rows in order). */
function mergePredictions(parts: MomentPrediction[]): MomentPrediction {
  const first = parts[0];
  const concat = (pick: (p: MomentPrediction) => Float64Array) => {
    const out = new Float64Array(parts.reduce((a, p) => a + pick(p).length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(pick(p), o);
      o += pick(p).length;
    }
    return out;
  };
  const record = (pick: (p: MomentPrediction) => Record<string, Float64Array> | undefined) => {
    const out: Record<string, Float64Array> = {};
    for (const name of first.names) out[name] = concat((p) => pick(p)![name]);
    return out;
  };
  const rows = new Int32Array(parts.reduce((a, p) => a + p.rows.length, 0));
  let o = 0;
  for (const p of parts) {
    rows.set(p.rows, o);
    o += p.rows.length;
  }
  return {
    ...first,
    times: concat((p) => p.times),
    rows,
    mean: record((p) => p.mean),
    standardError: record((p) => p.standardError),
    covariance: first.covariance ? record((p) => p.covariance) : undefined,
  };
}

/** `observable:parameter` columns (T rows) of the closure channels. */
function channelColumns(ch: ClosureChannels): Record<string, Float64Array> {
  const P = ch.parameters.length;
  const columns: Record<string, Float64Array> = {};
  for (const [observable, values] of Object.entries(ch.channels)) {
    const R = values.length / P;
    ch.parameters.forEach((name, k) => {
      columns[`${observable}:${name}`] = Float64Array.from({ length: R }, (_, r) => values[r * P + k]);
    });
  }
  return columns;
}

/** One chain's conditional unit probabilities in every layer (spec 7.1 step 3, Fig. 2c). */
function sampleLayerProbabilities(model: LearnedDbd, theta: Float64Array, sweeps: number, rng: Rng) {
  const machine = model.machine;
  const states = createChains(machine, 1);
  const probs = createProbabilities(machine, 1);
  randomizeChains(machine, states, rng);
  gibbs(machine, Float64Array.from(theta), states, rng, { sweeps: sweeps + 1, probabilities: probs, final: 'parallel' });
  const panels: { layer: number; species: string; unit: string; shape: number[]; values: number[] }[] = [];
  for (const layer of machine.layers) {
    for (let k = 0; k < layer.stateCount; k++) {
      const values: number[] = [];
      for (let i = 0; i < layer.size; i++) values.push(Number(probs[layer.probabilityOffset + i * layer.stateCount + k].toPrecision(4)));
      panels.push({ layer: layer.index, species: ['prey', 'predator'][k] ?? layer.states[k], unit: layer.states[k], shape: [...layer.shape], values });
    }
  }
  return panels;
}
