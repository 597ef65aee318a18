/**
 * Learned closures in the page: the `model.bin` that `srn-bench lv train` writes (DIR/train/model.bin, a
 * `serializeLearnedDbd` container) is read by `@srn/closure` itself, which is platform-neutral: θ(t) is integrated
 * from θ(0), moments are sampled from the machine at each chosen time (as the predict stage does), and the
 * mean-field and pair-approximation baselines are evaluated for the Lotka-Volterra rates of the model on the page.
 */
import {
  deserializeLearnedDbd,
  integrateParameters,
  type LotkaVolterraRates,
  meanFieldLotkaVolterra,
  pairApproximationLotkaVolterra,
  predictMoments,
} from '@srn/closure';
import { createRng, type Seed } from '@srn/gillespie/rng';
import type { LatticeFileRun } from '@srn/gillespie/lattice';
import { PlaygroundInputError } from './engine.ts';

/** A predicted moment curve. */
export interface Curve {
  /** Observable name (the ensemble's column names: `X`, `NN_XY`, ...). */
  name: string;
  /** Which predictor: `DBD (learned)`, `mean-field`, `pair approximation`. */
  source: string;
  times: number[];
  values: number[];
}

/**
 * The baselines' rates of a lattice Lotka-Volterra model file (prey birth anywhere, predator death, predation on
 * contact), or null when the model is not of that form. The paper scheme's probability p per hop attempt is the
 * exact scheme's rate 2 · (hopRate / 4) · p per pair, as in the pipeline's predict stage.
 *
 * @example
 * ```ts
 * lotkaVolterraRatesOf(readLatticeModel(lvText)); // { kr1: 0.025, kr2: 0.06, predationRate: 0.2, hopRate: 1, L: 40, X0: 100, Y0: 100 }
 * ```
 */
export function lotkaVolterraRatesOf(run: LatticeFileRun): LotkaVolterraRates | null {
  const { model, shape } = run.config;
  if (shape.length !== 2 || shape[0] !== shape[1] || model.species.length !== 2) return null;
  const [X, Y] = model.species;
  const birth = model.reactions.find((r) => r.type === 'birth' && r.parent === X);
  const death = model.reactions.find((r) => r.type === 'decay' && r.reactant === Y);
  const predation = model.reactions.find((r) => r.type === 'contact' && r.reactants[0] === X && r.reactants[1] === Y);
  if (!birth || !death || !predation || model.reactions.length !== 3 || predation.type !== 'contact') return null;
  const hopRate = model.diffusion?.[X] ?? 1;
  const rate = run.config.scheme === 'paper' ? 2 * (hopRate / 4) * (predation.probability ?? Number.NaN) : (predation.rate ?? Number.NaN);
  const ic = run.initialCondition;
  if (ic.type !== 'counts') return null;
  return { kr1: birth.rate, kr2: death.rate, predationRate: rate, hopRate, L: shape[0], X0: ic.counts[X] ?? 0, Y0: ic.counts[Y] ?? 0 };
}

/** Options of {@link predictClosure}. */
export interface ClosureRequest {
  /** The bytes of DIR/train/model.bin. */
  bytes: Uint8Array;
  /** Simulation grid times (θ is integrated on it; moments are sampled at `rows` of them). */
  times: number[];
  /** Chains per sampled time (the predict stage's `chains`). */
  chains: number;
  /** Gibbs sweeps (the predict stage's `sweeps`, default 9). */
  sweeps?: number;
  /** At most this many sampled times (evenly spaced, first and last included). */
  maxRows: number;
  seed: Seed;
  /** Baseline rates (null: no baselines). */
  rates: LotkaVolterraRates | null;
}

/**
 * Reads a trained model and returns its predicted moments and the baselines as curves.
 *
 * @example
 * ```ts
 * const curves = predictClosure({ bytes, times: [0, 1, 2], chains: 20, maxRows: 3, seed: 1, rates: null });
 * ```
 */
export function predictClosure(request: ClosureRequest): { curves: Curve[]; parameters: string[] } {
  let model: ReturnType<typeof deserializeLearnedDbd>;
  try {
    model = deserializeLearnedDbd(request.bytes);
  } catch (error) {
    throw new PlaygroundInputError(`closure file: ${(error as Error).message} (expected DIR/train/model.bin written by 'srn-bench lv train')`);
  }
  const times = Float64Array.from(request.times);
  const T = times.length;
  const trajectory = integrateParameters(model, times);
  const count = Math.max(2, Math.min(T, request.maxRows));
  const rows = [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (T - 1)) / (count - 1))))];
  const prediction = predictMoments(model, trajectory, {
    chains: request.chains,
    sweeps: request.sweeps ?? 9,
    rng: createRng(request.seed, 0),
    times,
    rows,
    covariance: false,
    channels: false,
  });
  const curves: Curve[] = [];
  const sampled = Array.from(prediction.times);
  for (const name of prediction.names) {
    const mean = prediction.mean[name];
    if (mean) curves.push({ name, source: 'DBD (learned)', times: sampled, values: Array.from(mean) });
  }
  if (request.rates) {
    for (const [source, fn] of [
      ['mean-field', meanFieldLotkaVolterra],
      ['pair approximation', pairApproximationLotkaVolterra],
    ] as const) {
      const result = fn(request.rates, times);
      for (const [name, values] of Object.entries(result.mean)) curves.push({ name, source, times: request.times, values: Array.from(values as Float64Array) });
    }
  }
  return { curves, parameters: [...model.names] };
}
