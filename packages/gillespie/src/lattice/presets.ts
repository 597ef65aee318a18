/**
 * The lattice Lotka–Volterra model of Ernst et al. (arXiv 1905.12122), spec section 1, on both schemes.
 */
import type { LatticeBoundary } from './geometry.ts';
import type { LatticeConfig, LatticeScheme } from './simulate.ts';

/** Options of {@link lotkaVolterraLattice}; every default is the paper's value. */
export interface LotkaVolterraLatticeOptions {
  /** `paper` (default) or `exact`. */
  scheme?: LatticeScheme;
  /** Side length L of the square lattice (default 40). */
  size?: number;
  /** Number of snapshots, t = 0 … steps − 1 (default 500). */
  steps?: number;
  /** Step / snapshot interval (default 1). */
  dt?: number;
  /** Prey birth rate kr1 (default 0.025; offspring on a random free site anywhere, propensity kr1 · max(n_X, 1)). */
  preyBirth?: number;
  /** Predator death rate kr2 (default 0.06). */
  predatorDeath?: number;
  /** Predation probability per hop attempt onto a partner (paper scheme; default 0.4). */
  predationProbability?: number;
  /** Hop rate per particle in the exact scheme (default 1: one hop attempt per unit time, as one sweep per step). */
  hopRate?: number;
  /**
   * Predation rate per adjacent X–Y pair in the exact scheme. Default `2 · (hopRate / 4) · predationProbability`
   * = 0.2: in a sweep an adjacent pair reacts when X picks the direction of Y (1/4) and passes the test (0.4), or Y
   * picks X and passes, about 2 · 0.25 · 0.4 = 0.2 per step; in the exact scheme the same hop attempts arrive at
   * rate 1/4 per direction and succeed with the same probability.
   */
  predationRate?: number;
  /** Initial prey and predator counts (default round(L² / 16) each: 100 on 40 × 40). */
  initialPrey?: number;
  initialPredators?: number;
  /** Default `periodic`. */
  boundary?: LatticeBoundary;
  /** Paper scheme: `uniform` (default) or `row-biased` (emulates the original's picks; see LatticeConfig). */
  selection?: 'uniform' | 'row-biased';
}

function positive(value: number, name: string, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a non-negative ${integer ? 'integer' : 'number'}; got ${String(value)}`);
  }
  return value;
}

/**
 * The lattice Lotka–Volterra configuration: X (prey) and Y (predators) on an L × L periodic lattice; 0 → X at
 * kr1 · max(n_X, 1) onto a random free site anywhere, Y → 0 at kr2, X + Y → Y + Y on contact, every particle
 * hopping. With no options it is the paper's setting (40 × 40, 100 + 100, dt = 1, 500 snapshots, paper scheme).
 *
 * @example
 * ```ts
 * const paper = lotkaVolterraLattice();
 * const exact = lotkaVolterraLattice({ scheme: 'exact', size: 1000, steps: 50 });
 * ```
 */
export function lotkaVolterraLattice(options: LotkaVolterraLatticeOptions = {}): LatticeConfig {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const size = positive(options.size ?? 40, 'options.size', true);
  if (size < 1) throw new RangeError(`options.size must be at least 1; got ${size}`);
  const steps = positive(options.steps ?? 500, 'options.steps', true);
  const hopRate = positive(options.hopRate ?? 1, 'options.hopRate');
  const probability = positive(options.predationProbability ?? 0.4, 'options.predationProbability');
  if (probability > 1) throw new RangeError(`options.predationProbability must be in [0, 1]; got ${probability}`);
  const rate = positive(options.predationRate ?? 2 * (hopRate / 4) * probability, 'options.predationRate');
  const density = Math.round((size * size) / 16);
  return {
    model: {
      species: ['X', 'Y'],
      diffusion: { X: hopRate, Y: hopRate },
      reactions: [
        { type: 'birth', parent: 'X', offspring: 'X', rate: positive(options.preyBirth ?? 0.025, 'options.preyBirth'), placement: 'anywhere', floor: 1 },
        { type: 'decay', reactant: 'Y', rate: positive(options.predatorDeath ?? 0.06, 'options.predatorDeath') },
        { type: 'contact', reactants: ['X', 'Y'], products: ['Y', 'Y'], probability, rate },
      ],
    },
    shape: [size, size],
    boundary: options.boundary ?? 'periodic',
    initial: {
      X: positive(options.initialPrey ?? density, 'options.initialPrey', true),
      Y: positive(options.initialPredators ?? density, 'options.initialPredators', true),
    },
    scheme: options.scheme ?? 'paper',
    ...(options.selection ? { selection: options.selection } : {}),
    dt: options.dt ?? 1,
    steps,
  };
}
