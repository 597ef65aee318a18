/**
 * From a model file to a runnable configuration: the scheme chosen (the file's, or an override), its numbers
 * checked (never converted between schemes), the time grid resolved, the initial condition and observables taken
 * from the file or from overrides, and the memory a run needs estimated before anything is allocated.
 */
import type { LatticeInitialCondition } from '../initial.ts';
import type { LatticeObservable } from '../observables.ts';
import type { LatticeConfig, LatticeScheme } from '../simulate.ts';
import type { LatticeSnapshot } from '../snapshot.ts';
import { LatticeModelFileError, LatticeSchemeError } from './errors.ts';
import { formatLatticeReaction } from './format.ts';
import type { ParsedLatticeModel } from './parse.ts';
import type { LatticeFileInitialCondition } from './schema.ts';

/** Changes to a file's settings for one run (the command line's options). */
export interface LatticeRunOverrides {
  /** Scheme instead of the file's `scheme.name`. */
  scheme?: LatticeScheme;
  /** Pick rule of the paper scheme instead of the file's `scheme.selection`. */
  selection?: 'uniform' | 'row-biased';
  /** Number of snapshots instead of the file's. */
  steps?: number;
  /** Initial condition instead of the file's. */
  initial?: LatticeFileInitialCondition;
  /** Observables instead of the file's. */
  observables?: LatticeObservable[];
  /** The snapshot of a `snapshot` initial condition, read from its file by the caller (node layer / CLI). */
  snapshot?: LatticeSnapshot;
}

/** What {@link latticeConfigFromFile} returns: the configuration plus the ensemble settings of the file. */
export interface LatticeFileRun {
  /** The configuration (its `initial` is the file's initial condition, a snapshot already read). */
  config: LatticeConfig;
  /** The initial condition (also in `config.initial`); pass it to the ensemble, which draws K conditions × M samples. */
  initialCondition: LatticeInitialCondition;
  /** Number of initial conditions K (1 unless a Boltzmann IC draws several). */
  conditions: number;
  /** The observables to measure (undefined: the defaults of the species and lattice). */
  observables: LatticeObservable[] | undefined;
  /** The pick rule in force (`uniform` or `row-biased`; `uniform` on the exact scheme, which has no picks to bias). */
  selection: 'uniform' | 'row-biased';
}

/**
 * Builds the configuration of a parsed model file for one scheme. Throws {@link LatticeSchemeError} (naming the
 * reaction, its line and what is missing) when a contact reaction gives no number for the scheme, and
 * {@link LatticeModelFileError} for overrides that do not fit the file.
 *
 * @example
 * ```ts
 * const parsed = parseLatticeModel(text, { source: 'lv.lattice' });
 * const { config } = latticeConfigFromFile(parsed, { scheme: 'exact' });
 * simulateLattice(config, createRng(1, 0));
 * ```
 */
export function latticeConfigFromFile(parsed: ParsedLatticeModel, overrides: LatticeRunOverrides = {}): LatticeFileRun {
  const { file, source, positions } = parsed;
  const scheme = overrides.scheme ?? file.scheme.name;
  if (scheme !== 'paper' && scheme !== 'exact') {
    throw new LatticeModelFileError(`scheme must be 'paper' or 'exact'; got ${JSON.stringify(scheme)}`, { source });
  }
  const selection = scheme === 'exact' ? 'uniform' : (overrides.selection ?? file.scheme.selection ?? 'uniform');
  if (overrides.selection === 'row-biased' && scheme === 'exact') {
    throw new LatticeModelFileError("selection 'row-biased' needs the paper scheme (the exact scheme picks nothing to bias)", { source });
  }
  file.reactions.forEach((reaction, i) => {
    if (reaction.type !== 'contact') return;
    const missing = scheme === 'paper' ? reaction.probability === undefined : reaction.rate === undefined;
    if (!missing) return;
    const position = positions.get(`reactions.${i}`) ?? null;
    const other = scheme === 'paper' ? 'exact' : 'paper';
    const what = scheme === 'paper' ? "a probability per hop attempt 'p = ...'" : "a rate per adjacent pair 'k = ...'";
    throw new LatticeSchemeError(
      `reaction ${i + 1} '${formatLatticeReaction(reaction)}' gives no number for the ${scheme} scheme: add ${what}, or run the ${other} scheme it has numbers for (a probability and a rate are not converted into each other)`,
      { source, position, path: `reactions[${i}]`, reaction: i, scheme },
    );
  });
  const steps = overrides.steps ?? file.time.steps ?? Math.round(file.time.tEnd! / file.time.dt) + 1;
  if (!Number.isSafeInteger(steps) || steps < 1) throw new LatticeModelFileError(`steps must be a positive integer; got ${steps}`, { source });
  const fileInitial = overrides.initial ?? file.initial;
  let initialCondition: LatticeInitialCondition;
  if (fileInitial.type === 'snapshot') {
    if (!overrides.snapshot) {
      throw new LatticeModelFileError(`initial snapshot '${fileInitial.file}' must be read by the caller and passed as overrides.snapshot`, { source });
    }
    const snap = overrides.snapshot;
    const shape = file.lattice.shape;
    if (snap.shape.join('x') !== shape.join('x')) {
      throw new LatticeModelFileError(`snapshot '${fileInitial.file}' has shape ${snap.shape.join(' x ')}; the lattice is ${shape.join(' x ')}`, {
        source,
        position: positions.get('initial.file') ?? null,
        path: 'initial.file',
      });
    }
    const unknown = snap.species.filter((s) => !file.species.includes(s));
    if (unknown.length > 0 || snap.species.join(',') !== file.species.join(',')) {
      throw new LatticeModelFileError(
        `snapshot '${fileInitial.file}' has species [${snap.species.join(', ')}]; the model declares [${file.species.join(', ')}]${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
        { source, position: positions.get('initial.file') ?? null, path: 'initial.file' },
      );
    }
    initialCondition = { type: 'snapshot', snapshot: snap };
  } else initialCondition = structuredClone(fileInitial);
  const conditions = initialCondition.type === 'boltzmann' ? (initialCondition.conditions ?? 1) : 1;
  const config: LatticeConfig = {
    model: { species: file.species.slice(), diffusion: { ...(file.hop ?? {}) }, reactions: structuredClone(file.reactions) },
    shape: file.lattice.shape.slice(),
    boundary: file.lattice.boundary ?? 'periodic',
    // Plain counts keep the placement of the original Lotka-Volterra preset (row-biased too), so a model file of the
    // preset reproduces its runs exactly.
    initial: initialCondition.type === 'counts' ? { ...initialCondition.counts } : initialCondition,
    scheme,
    dt: file.time.dt,
    steps,
    ...(scheme === 'paper' ? { selection } : {}),
  };
  return { config, initialCondition, conditions, observables: overrides.observables ?? file.observables, selection };
}

/** Inputs of {@link estimateLatticeMemory}. */
export interface LatticeMemoryInput {
  shape: readonly number[];
  speciesCount: number;
  /** Snapshots per run. */
  steps: number;
  /** Runs whose full trajectories are held in memory at once (0 when trajectories are not kept). */
  trajectoriesHeld: number;
  /** Runs simulated at the same time (worker threads). */
  concurrent: number;
  /** Observable columns. */
  observables: number;
  /** Runs whose observables are held until the ensemble is reduced. */
  runs: number;
}

/**
 * Bytes an ensemble needs, estimated from the data structures (per simulated lattice: occupancy 1 B, list
 * position 4 B, one 4 B list slot per class and site, 4 B per neighbour link, sweep order 4 B and stamp 1 B per
 * site; plus 1 B per site and snapshot of every held trajectory and 8 B per observable value of every run).
 * Compare it with the memory available before allocating anything.
 *
 * @example
 * ```ts
 * estimateLatticeMemory({ shape: [1000], speciesCount: 1, steps: 201, trajectoriesHeld: 0, concurrent: 2, observables: 4, runs: 2500 });
 * ```
 */
export function estimateLatticeMemory(input: LatticeMemoryInput): number {
  const sites = input.shape.reduce((a, b) => a * b, 1);
  const perSite = 1 + 4 + 4 * (input.speciesCount + 1) + 4 * 2 * input.shape.length + 4 + 1;
  return (
    input.concurrent * sites * perSite + input.trajectoriesHeld * input.steps * sites + 8 * input.runs * input.steps * input.observables
  );
}
