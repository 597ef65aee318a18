/**
 * The playground's simulation core, free of DOM and worker code so that the page's worker and Node tests run the
 * same functions: read a lattice model file, step one lattice run live exactly as run r of `srn-bench lattice
 * simulate` does, and run ensembles in chunks (progress between chunks) with the statistics the library's own
 * ensemble functions give. Only light entry points are imported here (`@srn/gillespie/lattice`, `/rng`): the
 * well-mixed DSL and SBML, which need the expression parser (mathjs), are in `engine-wellmixed.ts`, which the worker
 * loads on demand as a separate chunk.
 */
import { createRng, type Seed } from '@srn/gillespie/rng';
import {
  type CompiledObservables,
  compileObservables,
  createBoltzmannSampler,
  defaultObservables,
  type LatticeEnsembleSummary,
  type LatticeFileRun,
  LatticeModelFileError,
  type LatticeReplicate,
  LatticeSimulator,
  latticeConditionParameters,
  latticeConfigFromFile,
  measureObservablesState,
  type PreparedLatticeConfig,
  parseLatticeModel,
  placeInitialCondition,
  prepareLatticeConfig,
  runLatticeReplicates,
  summarizeLatticeEnsemble,
} from '@srn/gillespie/lattice';

/** What kind of model a text is. */
export type ModelKind = 'lattice' | 'wellmixed' | 'sbml';

/**
 * A problem with the user's input, with its 1-based position when the reader knows it (0 otherwise).
 *
 * @example
 * ```ts
 * try { readLatticeModel('species: A\nlattice: 10\nA -> 0 @ -1'); }
 * catch (e) { if (e instanceof PlaygroundInputError) console.log(e.line, e.column, e.message); }
 * ```
 */
export class PlaygroundInputError extends Error {
  override name = 'PlaygroundInputError';
  readonly line: number;
  readonly column: number;
  constructor(message: string, line = 0, column = 0) {
    super(message);
    this.line = line;
    this.column = column;
  }
}

/**
 * Guesses the kind of a model text: SBML starts with `<`, a lattice model file has `species:`/`lattice:` lines or
 * is JSON, anything else is read as the well-mixed DSL.
 *
 * @example
 * ```ts
 * detectModelKind('species: A\nlattice: 10\nA -> 0 @ 1'); // 'lattice'
 * detectModelKind('X -> 0 @ 1\nX = 10');                  // 'wellmixed'
 * ```
 */
export function detectModelKind(text: string): ModelKind {
  const t = text.trimStart();
  if (t.startsWith('<')) return 'sbml';
  if (t.startsWith('{') || /^\s*(species|lattice)\s*:/m.test(text)) return 'lattice';
  return 'wellmixed';
}

/**
 * Converts the lattice reader's errors into {@link PlaygroundInputError}s (position kept), and bad values
 * (RangeError, TypeError) into position-less ones; other errors pass through. `engine-wellmixed.ts` adds the DSL's
 * and SBML's error classes on top.
 *
 * @example
 * ```ts
 * try { parseLatticeModel(text); } catch (e) { throw asInputError(e); }
 * ```
 */
export function asInputError(error: unknown): unknown {
  if (error instanceof LatticeModelFileError) return new PlaygroundInputError(error.message, error.line, error.column);
  if (error instanceof RangeError || error instanceof TypeError) return new PlaygroundInputError(error.message);
  return error;
}

/** Options of a lattice model read in the page (the command line's overrides that the page offers). */
export interface LatticeReadOptions {
  scheme?: 'paper' | 'exact';
  selection?: 'uniform' | 'row-biased';
  steps?: number;
}

/**
 * Reads a lattice model file as `srn-bench lattice simulate` does (same parser, same overrides). A `snapshot`
 * initial condition names a file the page cannot open, so it is refused with its position.
 *
 * @example
 * ```ts
 * const run = readLatticeModel(text, 'lv.lattice');
 * run.config.shape; // [40, 40]
 * ```
 */
export function readLatticeModel(text: string, source = 'model', options: LatticeReadOptions = {}): LatticeFileRun {
  try {
    const parsed = parseLatticeModel(text, { source });
    if (parsed.file.initial.type === 'snapshot') {
      const at = parsed.positions.get('initial.file') ?? parsed.positions.get('initial') ?? null;
      throw new LatticeModelFileError('a snapshot initial condition reads a file; use the command line for it, or counts/densities/boltzmann here', {
        source,
        position: at,
        path: 'initial.file',
      });
    }
    return latticeConfigFromFile(parsed, { scheme: options.scheme, selection: options.selection, steps: options.steps });
  } catch (error) {
    throw asInputError(error);
  }
}

/** Settings of an ensemble, as on the command line (`--runs`, `--seed`). */
export interface EnsembleSettings {
  runs: number;
  seed: Seed;
}

/**
 * The initial condition an ensemble passes to the library for a model file: counts stay in the configuration (the
 * simulator places them under the pick rule), any other condition is drawn per run (as `latticeSimulate` does).
 */
function ensembleInitialCondition(run: LatticeFileRun) {
  return run.initialCondition.type === 'counts' ? undefined : run.initialCondition;
}

/**
 * One lattice run stepped on demand, identical to run `runIndex` of the ensemble with the same seed (same stream,
 * same initial placement, same observables): the page draws `occupancy` and plots the observable rows as they come.
 *
 * @example
 * ```ts
 * const live = new LiveLatticeRun(readLatticeModel(text), 1);
 * live.advance(10); // ten more snapshots; live.rows holds the observables so far
 * ```
 */
export class LiveLatticeRun {
  readonly prepared: PreparedLatticeConfig;
  readonly names: string[];
  /** Observables, `steps × names.length`, filled up to `recorded` rows. */
  readonly rows: Float64Array;
  /** Number of snapshots recorded so far (the first is t = 0). */
  recorded = 0;
  private readonly simulator: LatticeSimulator;
  private readonly compiled: CompiledObservables;

  /** `samplesPerCondition` (runs / K of the ensemble) places run `runIndex` in its Boltzmann condition. */
  constructor(run: LatticeFileRun, seed: Seed, runIndex = 0, samplesPerCondition = 1) {
    const prepared = prepareLatticeConfig(run.config);
    const { geometry } = prepared;
    const species = prepared.model.species;
    const { steps } = prepared.config;
    this.compiled = compileObservables(geometry, species, run.observables ?? defaultObservables(species, geometry.shape.length));
    this.names = this.compiled.names.slice();
    const rng = createRng(seed, runIndex);
    const ic = ensembleInitialCondition(run);
    let initialOccupancy: Uint8Array | undefined;
    let runConfig = prepared;
    if (ic === undefined) {
      const counts = run.initialCondition.type === 'counts' ? run.initialCondition.counts : undefined;
      if (counts) runConfig = { ...prepared, config: { ...prepared.config, initial: counts } };
    } else if (ic.type === 'boltzmann') {
      // As runLatticeReplicates: run r belongs to condition floor(r / M); parameters from the condition stream.
      const condition = run.conditions > 1 ? Math.floor(runIndex / samplesPerCondition) : 0;
      const parameters = latticeConditionParameters(ic, seed, condition);
      initialOccupancy = createBoltzmannSampler(geometry, species, parameters).sample(ic.sweeps, rng);
    } else initialOccupancy = placeInitialCondition(ic, geometry, species, rng);
    this.prepared = prepared;
    this.simulator = new LatticeSimulator(runConfig, rng, initialOccupancy);
    this.rows = new Float64Array(steps * this.names.length);
    measureObservablesState(this.compiled, this.simulator.state, this.rows, 0);
    this.recorded = 1;
  }

  /** Total snapshots of the run. */
  get steps(): number {
    return this.prepared.config.steps;
  }

  /** True when every snapshot is recorded. */
  get done(): boolean {
    return this.recorded >= this.steps;
  }

  /** The live occupancy codes (0 empty, k = species k − 1). */
  get occupancy(): Uint8Array {
    return this.simulator.state.occupancy;
  }

  /** Current time. */
  get time(): number {
    return this.simulator.time;
  }

  /** Advances by up to `count` snapshots (stops at the end of the grid); returns how many were recorded. */
  advance(count: number): number {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer; got ${count}`);
    const { dt } = this.prepared.config;
    const K = this.names.length;
    let n = 0;
    while (n < count && this.recorded < this.steps) {
      this.simulator.advanceTo(this.recorded * dt);
      measureObservablesState(this.compiled, this.simulator.state, this.rows, this.recorded * K);
      this.recorded++;
      n++;
    }
    return n;
  }
}

/**
 * A lattice ensemble run in chunks of runs (so a worker can report progress and partial means between chunks).
 * `summary()` equals `simulateLatticeEnsemble` / `srn-bench lattice simulate` with the same runs and seed.
 *
 * @example
 * ```ts
 * const ens = new LatticeEnsembleRun(readLatticeModel(text), { runs: 20, seed: 1 });
 * while (!ens.done) ens.next(5);
 * latticeSummaryToCsv(ens.summary());
 * ```
 */
export class LatticeEnsembleRun {
  readonly prepared: PreparedLatticeConfig;
  readonly replicates: LatticeReplicate[] = [];
  private readonly run: LatticeFileRun;
  private readonly settings: EnsembleSettings;
  private readonly samplesPerCondition: number;

  constructor(run: LatticeFileRun, settings: EnsembleSettings) {
    if (!Number.isSafeInteger(settings.runs) || settings.runs < 1) throw new PlaygroundInputError(`runs must be a positive integer; got ${settings.runs}`);
    if (settings.runs % run.conditions !== 0) {
      throw new PlaygroundInputError(`runs ${settings.runs} must be a multiple of the model's ${run.conditions} initial conditions`);
    }
    this.prepared = prepareLatticeConfig(run.config);
    this.run = run;
    this.settings = settings;
    this.samplesPerCondition = settings.runs / run.conditions;
  }

  /** Runs finished. */
  get completed(): number {
    return this.replicates.length;
  }

  get done(): boolean {
    return this.completed >= this.settings.runs;
  }

  /** Runs the next `count` runs (fewer at the end). */
  next(count: number): void {
    const start = this.completed;
    const end = Math.min(this.settings.runs, start + count);
    const reps = runLatticeReplicates(this.prepared, {
      seed: this.settings.seed,
      start,
      end,
      initialCondition: ensembleInitialCondition(this.run),
      samplesPerCondition: this.samplesPerCondition,
      observables: this.run.observables,
    });
    for (const r of reps) this.replicates.push(r);
  }

  /** Statistics of the runs so far (all of them once `done`). */
  summary(): LatticeEnsembleSummary {
    return summarizeLatticeEnsemble(this.prepared, this.replicates, { observables: this.run.observables });
  }
}
