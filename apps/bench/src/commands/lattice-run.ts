/**
 * The core of `srn-bench lattice simulate` (and of `lv simulate`, which runs the bundled Lotka-Volterra model file):
 * read a lattice model file, apply the command line's overrides, check everything (scheme numbers, snapshot shape,
 * memory) before allocating or writing anything, run the ensemble over workers, and write DIR/moments.csv,
 * DIR/summary.json and the trajectories. Files are written into a staging directory that replaces DIR only when
 * complete, so a failed or interrupted run never leaves a partial output directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Seed } from '@srn/gillespie';
import {
  decodeLattice,
  defaultObservables,
  estimateLatticeMemory,
  type LatticeEnsembleSummary,
  type LatticeFileRun,
  LatticeModelFileError,
  type LatticeModelFile,
  type LatticeReplicate,
  type LatticeSnapshot,
  latticeConditionsToCsv,
  latticeConfigFromFile,
  latticeSummaryToCsv,
  observableNames,
  type ParsedLatticeModel,
  parseLatticeModel,
  snapshotAt,
  withLatticeSections,
} from '@srn/gillespie/lattice';
import { formatSnapshotText, parseSnapshotText, simulateLatticeEnsembleParallel } from '@srn/gillespie/lattice-node';
import { UsageError } from '../args.ts';
import { writeFileAtomic } from '../io.ts';

/**
 * Path of a model file bundled with `@srn/gillespie` (its examples/lattice folder).
 *
 * @example
 * ```ts
 * bundledLatticeModel('lotka-volterra.lattice'); // .../packages/gillespie/examples/lattice/lotka-volterra.lattice
 * ```
 */
export function bundledLatticeModel(name: string): string {
  const pkg = createRequire(import.meta.url).resolve('@srn/gillespie/package.json');
  return join(dirname(pkg), 'examples', 'lattice', name);
}

/**
 * Reads and validates a model file (text, or JSON when it starts with `{`); a missing file is a usage error.
 *
 * @example
 * ```ts
 * const parsed = loadLatticeModel('examples/lattice/barw-1d.lattice');
 * ```
 */
export function loadLatticeModel(path: string): ParsedLatticeModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`MODEL ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseLatticeModel(text, { source: path });
}

/** Options of {@link latticeSimulate}. */
export interface LatticeSimulateOptions {
  /** Path of the model file. */
  model: string;
  out: string;
  runs: number;
  seed: Seed;
  workers: number;
  scheme?: 'paper' | 'exact';
  selection?: 'uniform' | 'row-biased';
  /** Snapshots instead of the file's time grid. */
  steps?: number;
  /** An `initial:` section in the text form replacing the file's. */
  initial?: string;
  /** `observable:` sections separated by `;` replacing the file's. */
  observables?: string;
  trajectories?: 'binary' | 'text' | 'none';
  excludeExtinct?: boolean;
  /** Changes the model data after loading (used by `lv simulate --size`). */
  adjust?: (file: LatticeModelFile) => LatticeModelFile;
  /** Command name recorded in summary.json. */
  command?: string;
  /** Memory the run may use, bytes (default 75 % of the machine's). */
  memoryLimit?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Runs the ensemble instead of the local worker pool (queue mode); same inputs, same results. */
  ensemble?: typeof simulateLatticeEnsembleParallel;
}

/** What {@link prepareLatticeRun} checked and resolved. */
export interface PreparedLatticeRun {
  parsed: ParsedLatticeModel;
  run: LatticeFileRun;
  names: string[];
  memoryBytes: number;
}

/**
 * Reads the snapshot of a `snapshot` initial condition (`path` resolved against the model file's folder; text
 * `i j SPECIES` or a `.srnl` file, whose first snapshot is used); a problem is reported at the model's `initial:` line.
 *
 * @example
 * ```ts
 * const snapshot = readSnapshotFile(parsed, resolve(dirname(modelPath), 'start.txt'));
 * ```
 */
export function readSnapshotFile(parsed: ParsedLatticeModel, path: string): LatticeSnapshot {
  const { file } = parsed;
  const fail = (detail: string): never => {
    throw new LatticeModelFileError(`initial snapshot ${path}: ${detail}`, { source: parsed.source, position: parsed.positions.get('initial.file') ?? null, path: 'initial.file' });
  };
  let bytes: Buffer | undefined;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    fail(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    if (path.endsWith('.srnl')) {
      const trajectory = decodeLattice(new Uint8Array(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength));
      return snapshotAt(trajectory, 0);
    }
    return parseSnapshotText(bytes!.toString('utf8'), file.lattice.shape, file.species);
  } catch (error) {
    return fail((error as Error).message);
  }
}

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GiB`;
}

/**
 * Loads the model, applies the overrides and checks the run without allocating the lattice: scheme numbers,
 * initial condition, snapshot shape, runs against conditions, and the memory estimate against the limit.
 *
 * @example
 * ```ts
 * const { run, names } = prepareLatticeRun({ model: 'm.lattice', out: 'out', runs: 10, seed: 1, workers: 2 });
 * ```
 */
export function prepareLatticeRun(options: LatticeSimulateOptions): PreparedLatticeRun {
  let parsed = loadLatticeModel(options.model);
  if (options.initial !== undefined || options.observables !== undefined) {
    parsed = withLatticeSections(parsed, { initial: options.initial, observables: options.observables });
  }
  if (options.adjust) parsed = { ...parsed, file: options.adjust(structuredClone(parsed.file)) };
  const file = parsed.file;
  let snapshot: LatticeSnapshot | undefined;
  if (file.initial.type === 'snapshot') {
    const path = resolve(dirname(resolve(options.model)), file.initial.file);
    snapshot = readSnapshotFile(parsed, path);
  }
  const run = latticeConfigFromFile(parsed, { scheme: options.scheme, selection: options.selection, steps: options.steps, snapshot });
  if (options.runs % run.conditions !== 0) {
    throw new UsageError(`--runs ${options.runs} must be a multiple of the model's ${run.conditions} initial conditions (M samples each)`);
  }
  const names = observableNames(run.observables ?? defaultObservables(file.species, file.lattice.shape.length));
  const trajectories = options.trajectories ?? 'binary';
  const memoryBytes = estimateLatticeMemory({
    shape: file.lattice.shape,
    speciesCount: file.species.length,
    steps: run.config.steps,
    // Trajectories stream to disk per batch: each thread holds the raw snapshots of the run it records plus its
    // batch's encoded trajectories (at most about one more raw trajectory's worth).
    trajectoriesHeld: trajectories === 'none' ? 0 : Math.min(options.runs, 2 * options.workers),
    concurrent: options.workers,
    observables: names.length,
    runs: options.runs,
  });
  const limit = options.memoryLimit ?? 0.75 * totalmem();
  if (memoryBytes > limit) {
    const sites = file.lattice.shape.reduce((a, b) => a * b, 1);
    throw new UsageError(
      `the run needs about ${gib(memoryBytes)} (lattice ${file.lattice.shape.join(' x ')} = ${sites} sites, ${run.config.steps} snapshots, ` +
        `${options.runs} runs${trajectories === 'none' ? '' : ' with trajectories'}, ${options.workers} workers) but may use ${gib(limit)}; ` +
        `use a smaller lattice, fewer snapshots or runs${trajectories === 'none' ? '' : ', or --trajectories none'}`,
    );
  }
  // Per run, the recorded snapshots must fit one typed array.
  if (trajectories !== 'none' && run.config.steps * file.lattice.shape.reduce((a, b) => a * b, 1) > 2 ** 31) {
    throw new UsageError(`one trajectory of ${run.config.steps} snapshots of this lattice exceeds 2 GiB; use --trajectories none or fewer snapshots`);
  }
  return { parsed, run, names, memoryBytes };
}

/** Checks that DIR can receive the output: missing, empty, or an earlier output of this command. */
function checkOutputDirectory(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is not a directory`);
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes('summary.json')) {
    throw new UsageError(`--out ${out} exists and holds other files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); choose a new directory`);
  }
}

/** Moves the complete staging directory to `out`, replacing an earlier output. */
function publish(stage: string, out: string): void {
  if (existsSync(out)) {
    const trash = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
    renameSync(out, trash);
    renameSync(stage, out);
    rmSync(trash, { recursive: true, force: true });
  } else renameSync(stage, out);
}

/** Result of {@link latticeSimulate}. */
export interface LatticeSimulateResult {
  summary: LatticeEnsembleSummary;
  replicates: LatticeReplicate[];
  prepared: PreparedLatticeRun;
  wallSeconds: number;
  events: number;
}

/** What {@link latticeTrajectoryWriter} returns: the `onTrajectory` consumer and the file name of each run. */
export interface LatticeTrajectoryWriter {
  /** Writes run `run`'s trajectory (the `encodeLattice` bytes an ensemble's `onTrajectory` hands over) at once. */
  write: (run: number, encoded: Uint8Array) => void;
  /** The file (binary) or folder (text) of run `run`, relative to the writer's directory. */
  file: (run: number) => string;
}

/**
 * The trajectory files of an ensemble, written one run at a time as the ensemble hands them over (its
 * `onTrajectory`), so that no trajectory is held after its batch: binary mode writes the bytes as they are to
 * `DIR/run-NNNN.srnl`, text mode decodes them and writes one `DIR/run-NNNN/lattice/TTTT.txt` per snapshot (`i j
 * SPECIES` lines). Creates `dir`; every file is written atomically.
 *
 * @example
 * ```ts
 * const writer = latticeTrajectoryWriter('out/lv/trajectories', 'binary', 100);
 * await simulateLatticeEnsembleParallel(config, { runs: 100, seed: 1, keepTrajectories: true, onTrajectory: writer.write });
 * writer.file(7); // 'run-0007.srnl'
 * ```
 */
export function latticeTrajectoryWriter(dir: string, mode: 'binary' | 'text', runs: number): LatticeTrajectoryWriter {
  if (mode !== 'binary' && mode !== 'text') throw new TypeError(`mode must be 'binary' or 'text'; got ${String(mode)}`);
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer; got ${String(runs)}`);
  mkdirSync(dir, { recursive: true });
  const digits = Math.max(4, String(runs - 1).length);
  const name = (run: number): string => `run-${String(run).padStart(digits, '0')}`;
  return {
    file: (run) => (mode === 'binary' ? `${name(run)}.srnl` : `${name(run)}/lattice/`),
    write: (run, encoded) => {
      if (mode === 'binary') {
        writeFileAtomic(join(dir, `${name(run)}.srnl`), encoded);
        return;
      }
      const { shape, species, times, occupancy } = decodeLattice(encoded);
      const N = shape.reduce((a, b) => a * b, 1);
      const runDir = join(dir, name(run), 'lattice');
      mkdirSync(runDir, { recursive: true });
      const tDigits = Math.max(4, String(times.length - 1).length);
      for (let t = 0; t < times.length; t++) {
        const snapshot = { shape, species, occupancy: occupancy.subarray(t * N, (t + 1) * N) };
        writeFileAtomic(join(runDir, `${String(t).padStart(tDigits, '0')}.txt`), formatSnapshotText(snapshot));
      }
    },
  };
}

function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

/**
 * Runs a model file's ensemble and writes DIR/moments.csv (one mean and SD column per observable; with several
 * initial conditions one block of rows per condition, `condition,time,runs,...`), DIR/summary.json (settings, the
 * pick rule, every run's condition and drawn IC parameters) and the trajectories.
 *
 * @example
 * ```ts
 * await latticeSimulate({ model: 'examples/lattice/barw-1d.lattice', out: 'out/barw', runs: 100, seed: 1, workers: 2 });
 * ```
 */
export async function latticeSimulate(options: LatticeSimulateOptions): Promise<LatticeSimulateResult> {
  const out = resolve(options.out);
  const prepared = prepareLatticeRun(options);
  checkOutputDirectory(out);
  const mode = options.trajectories ?? 'binary';
  const { run } = prepared;
  const counts = run.initialCondition.type === 'counts';
  mkdirSync(dirname(out), { recursive: true });
  const stage = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage);
  try {
    // Each run's trajectory goes to disk as soon as its batch is done (encoded on the thread that ran it) and is
    // then dropped: holding every run's T x N snapshots until the end made the memory grow by about one raw
    // trajectory per run (0.8 MB for 40 x 40 x 500).
    const writer = mode === 'none' ? undefined : latticeTrajectoryWriter(join(stage, 'trajectories'), mode, options.runs);
    const started = performance.now();
    const { summary, replicates } = await (options.ensemble ?? simulateLatticeEnsembleParallel)(run.config, {
      runs: options.runs,
      seed: options.seed,
      workers: options.workers,
      excludeExtinct: options.excludeExtinct ?? false,
      keepTrajectories: writer !== undefined,
      onTrajectory: writer?.write,
      // The runs' observables and counts wait for the reduction in a scratch file of the stage (removed before it
      // is published), not in memory: 36 KB per run for the 40 x 40 x 500 LV, so nothing grows with the runs.
      spill: join(stage, '.replicates'),
      // Counts stay in the configuration, placed by the simulator under the pick rule (the LV preset's placement).
      initialCondition: counts ? undefined : run.initialCondition,
      observables: run.observables,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const events = replicates.reduce((a, r) => a + r.events.attempts + r.events.unimolecular, 0);
    const files = replicates.map((r) => (writer ? `trajectories/${writer.file(r.run)}` : null));
    writeFileAtomic(join(stage, 'moments.csv'), run.conditions > 1 ? latticeConditionsToCsv(summary) : latticeSummaryToCsv(summary));
    const file = prepared.parsed.file;
    const { initial, ...configRest } = run.config;
    const summaryJson = {
      command: options.command ?? 'lattice simulate',
      model: options.model,
      description: file.description ?? null,
      scheme: run.config.scheme,
      selection: run.selection,
      runs: options.runs,
      seed: options.seed,
      workers: options.workers,
      conditions: run.conditions,
      samplesPerCondition: options.runs / run.conditions,
      observables: prepared.names,
      initialCondition: run.initialCondition.type === 'snapshot' ? { type: 'snapshot', file: (file.initial as { file: string }).file } : run.initialCondition,
      config: { ...configRest, initial: run.initialCondition.type === 'snapshot' ? 'snapshot' : initial },
      excludeExtinct: options.excludeExtinct ?? false,
      runsUsed: summary.runsUsed,
      extinctRuns: summary.extinctRuns,
      conditionParameters: summary.conditions.map((c) => ({ condition: c.condition, runsUsed: c.runsUsed, parameters: c.parameters })),
      replicates: replicates.map((r, i) => ({
        run: r.run,
        condition: r.condition,
        parameters: r.parameters,
        extinct: r.extinct,
        extinctionTimes: Object.fromEntries(run.config.model.species.map((s, k) => [s, nanToNull(r.extinctionTimes[k])])),
        trajectory: files[i],
      })),
      events,
      wallSeconds,
      memoryEstimateBytes: prepared.memoryBytes,
      files: { moments: 'moments.csv', trajectories: mode === 'none' ? null : `trajectories/run-*${mode === 'binary' ? '.srnl' : '/lattice/*.txt'}` },
    };
    writeFileAtomic(join(stage, 'summary.json'), `${JSON.stringify(summaryJson, null, 2)}\n`);
    publish(stage, out);
    return { summary, replicates, prepared, wallSeconds, events };
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The report both commands print (scheme and pick rule included).
 *
 * @example
 * ```ts
 * process.stdout.write(latticeRunReport(await latticeSimulate(options), options.out, options.runs, 'binary'));
 * ```
 */
export function latticeRunReport(result: LatticeSimulateResult, out: string, runs: number, trajectories: string): string {
  const { run } = result.prepared;
  const rule = run.config.scheme === 'paper' ? `paper scheme, ${run.selection} picks` : 'exact scheme';
  return (
    `${runs} runs (${rule}${run.conditions > 1 ? `, ${run.conditions} initial conditions x ${runs / run.conditions} samples` : ''}) in ` +
    `${result.wallSeconds.toFixed(2)} s (${(result.events / Math.max(result.wallSeconds, 1e-9) / 1e6).toFixed(2)} M events/s); ` +
    `${result.summary.extinctRuns.length} runs with an extinct species\n` +
    `wrote ${join(resolve(out), 'moments.csv')}, summary.json${trajectories === 'none' ? '' : ', trajectories/'}\n`
  );
}
