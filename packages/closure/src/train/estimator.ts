/**
 * The moment estimator of the trainer: awake (data) and asleep (model) moment means at one time point, by wake/sleep
 * Gibbs sampling (`'sampled'`, tabulated or generic kernel) or by exact enumeration (`'exact'`, tiny machines).
 *
 * @packageDocumentation
 */

import {
  createChains,
  exactMoments,
  gibbs,
  type GibbsOptions,
  type Machine,
  randomizeChains,
  sufficientStatistics,
} from '@srn/boltzmann';
import type { Rng } from '@srn/gillespie/rng';
import { type PreparedData, snapshotInto } from '../data.ts';
import { type TablePlan, tableGibbs, tablePlan } from '../kernels/table-gibbs.ts';
import type { ResolvedDbdConfig } from './config.ts';
import { columnVariance } from './precondition.ts';

/**
 * Estimates the raw moment means of one time point.
 *
 * @example
 * ```ts
 * const est = createMomentEstimator(config, machine, prepared, rng);
 * est.estimate(theta, t, batch, awakeChains, awakeMean, asleepMean);
 * ```
 */
export interface MomentEstimator {
  /**
   * Awake means (data snapshots of the trajectories `batch` at time point t, hidden units sampled given them in the
   * persistent `chains`, one chain per batch entry) and asleep means (free model) under θ, into `awake` / `asleep`;
   * with `asleepVariance`, also the model variance of every sufficient statistic (the asleep chains' unbiased sample
   * variance, or the exact variance).
   */
  estimate(
    theta: Float64Array,
    t: number,
    batch: Int32Array,
    chains: Uint8Array,
    awake: Float64Array,
    asleep: Float64Array,
    asleepVariance?: Float64Array,
  ): void;
}

/**
 * The estimator of `config.moments` (and `config.sampler`) for a machine and its data; `rng` drives the sampling.
 *
 * @example
 * ```ts
 * const est = createMomentEstimator(resolveDbdConfig({}, data), machine, prepareData(data, machine, 1), rng);
 * ```
 */
export function createMomentEstimator(config: ResolvedDbdConfig, machine: Machine, data: PreparedData, rng: Rng): MomentEstimator {
  return config.moments === 'exact' ? new ExactEstimator(config, machine, data) : new SampledEstimator(config, machine, data, rng);
}

/** Copies the batch's data snapshots at time point t into the visible units of `chains`. */
function clampVisible(machine: Machine, data: PreparedData, t: number, batch: Int32Array, chains: Uint8Array): void {
  const V = machine.layers[0];
  const U = machine.unitCount;
  for (let b = 0; b < batch.length; b++) {
    const tr = batch[b];
    snapshotInto(data, tr, t, chains, b * U + V.unitOffset, data.maps[tr]);
  }
}

function meanInto(perChain: Float64Array, chains: number, P: number, out: Float64Array): void {
  out.fill(0);
  for (let c = 0; c < chains; c++) for (let k = 0; k < P; k++) out[k] += perChain[c * P + k];
  for (let k = 0; k < P; k++) out[k] /= chains;
}

/** Exact enumeration (`exactMoments`): awake = mean of the conditional moments given each snapshot. */
class ExactEstimator implements MomentEstimator {
  private readonly visible: Uint8Array;

  constructor(
    private readonly config: ResolvedDbdConfig,
    private readonly machine: Machine,
    private readonly data: PreparedData,
  ) {
    this.visible = new Uint8Array(machine.layers[0].size);
  }

  estimate(theta: Float64Array, t: number, batch: Int32Array, _chains: Uint8Array, aw: Float64Array, as: Float64Array, asVar?: Float64Array): void {
    const { machine, data } = this;
    const P = machine.parameters.count;
    const B = this.config.batchSize;
    aw.fill(0);
    const vis = this.visible;
    for (let b = 0; b < B; b++) {
      const tr = batch[b];
      snapshotInto(data, tr, t, vis, 0, data.maps[tr]);
      const r = exactMoments(machine, theta, { visible: vis });
      for (let k = 0; k < P; k++) aw[k] += r.mean[k] / B;
    }
    const model = exactMoments(machine, theta, asVar === undefined ? undefined : { covariance: true });
    as.set(model.mean);
    if (asVar !== undefined) for (let k = 0; k < P; k++) asVar[k] = model.covariance![k * P + k];
  }
}

/** Wake/sleep Gibbs sampling: awake sweeps with the visible layer clamped, asleep chains from noise. */
class SampledEstimator implements MomentEstimator {
  private readonly asleep: Uint8Array;
  private readonly awakeStats: Float64Array;
  private readonly asleepStats: Float64Array;
  private readonly awakeOptions: GibbsOptions;
  private readonly asleepOptions: GibbsOptions;
  private readonly plan: TablePlan | null;
  /**
   * Awake statistics per (trajectory, time point), filled on first use, when the machine has no hidden layers: the
   * awake chains are then the data snapshots themselves, so their statistics never change (null otherwise).
   */
  private readonly awakeCache: Float64Array | null;
  private readonly awakeCached: Uint8Array | null;

  constructor(
    private readonly config: ResolvedDbdConfig,
    private readonly machine: Machine,
    private readonly data: PreparedData,
    private readonly rng: Rng,
  ) {
    const P = machine.parameters.count;
    this.asleep = createChains(machine, config.asleepChains);
    this.awakeStats = new Float64Array(config.batchSize * P);
    this.asleepStats = new Float64Array(config.asleepChains * P);
    this.awakeOptions = { sweeps: config.awakeSweeps, clamped: [0] };
    this.asleepOptions = { sweeps: config.asleepSweeps };
    this.plan = config.sampler === 'table' ? tablePlan(machine) : null;
    const visibleOnly = machine.layers.length === 1;
    this.awakeCache = visibleOnly ? new Float64Array(data.count * data.timePoints * P) : null;
    this.awakeCached = visibleOnly ? new Uint8Array(data.count * data.timePoints) : null;
  }

  estimate(theta: Float64Array, t: number, batch: Int32Array, chains: Uint8Array, aw: Float64Array, as: Float64Array, asVar?: Float64Array): void {
    const { machine, config: cfg, rng } = this;
    const P = machine.parameters.count;
    const U = machine.unitCount;
    const B = cfg.batchSize;
    clampVisible(machine, this.data, t, batch, chains);
    if (this.plan !== null) {
      tableGibbs(this.plan, theta, chains, B, rng, cfg.awakeSweeps, true);
      randomizeChains(machine, this.asleep, rng);
      tableGibbs(this.plan, theta, this.asleep, cfg.asleepChains, rng, cfg.asleepSweeps, false);
    } else {
      gibbs(machine, theta, chains, rng, this.awakeOptions);
      randomizeChains(machine, this.asleep, rng);
      gibbs(machine, theta, this.asleep, rng, this.asleepOptions);
    }
    if (this.awakeCache !== null && this.awakeCached !== null) {
      // No hidden layers: the awake statistics are those of the data snapshot (tr, t), computed once.
      const T = this.data.timePoints;
      for (let b = 0; b < B; b++) {
        const row = batch[b] * T + t;
        const cached = this.awakeCache.subarray(row * P, (row + 1) * P);
        if (this.awakeCached[row] === 0) {
          sufficientStatistics(machine, chains.subarray(b * U, (b + 1) * U), { out: cached });
          this.awakeCached[row] = 1;
        }
        this.awakeStats.set(cached, b * P);
      }
    } else {
      sufficientStatistics(machine, chains, { out: this.awakeStats });
    }
    sufficientStatistics(machine, this.asleep, { out: this.asleepStats });
    meanInto(this.awakeStats, B, P, aw);
    meanInto(this.asleepStats, cfg.asleepChains, P, as);
    if (asVar !== undefined) columnVariance(this.asleepStats, cfg.asleepChains, P, asVar);
  }
}
