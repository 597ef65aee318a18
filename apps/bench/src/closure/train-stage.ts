/**
 * The train stage: fits the dynamic Boltzmann distribution (`@srn/closure`'s DBD trainer) to the training
 * trajectories. Checkpoints (trainer state + step history) go to DIR/train/checkpoint.bin atomically every K steps,
 * on Ctrl-C and at the end; `resume` continues from it to the same result as an uninterrupted run. Writes
 * DIR/train/model.bin (the learned F), theta.csv (θ(t) from the forward solve), history.csv and stage.json.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '@srn/gillespie/rng';
import { capMessage } from '../args.ts';
import { stagingPath, startStaging, writeFileAtomic, writeFileAtomicChunks } from '../io.ts';
import type { MachineSpec } from '@srn/boltzmann';
import { type DbdTrainerConfig, defaultFeDomain, paperMachineSpec, paperTheta0 } from '@srn/closure';
import { type ClosureApi, type DbdTrainerLike, type LearnedDbd, loadClosure } from './closure.ts';
import type { LvConfig } from './config.ts';
import { type ClosureConfig, type ExperimentConfig, isLv, readExperimentConfig } from './experiment.ts';
import { formMachineSpec, modelForm } from './forms.ts';
import { experimentModel } from './model.ts';
import type { LatticeTrajectory } from '@srn/gillespie/lattice';
import { createMachine } from '@srn/boltzmann';
import type { StageContext } from './context.ts';
import { formatRows, writeColumnsCsv } from './csv.ts';
import { LvInputError, LvInterruptedError } from './errors.ts';
import { loadTrainingTrajectories } from './simulate-stage.ts';
import { requireStage, type StageRecord, stageDir, writeStageRecord } from './stage.ts';

/** Options of {@link runTrainStage}. */
export interface TrainStageOptions {
  /** Continue from DIR/train/checkpoint.bin. */
  resume?: boolean;
  /** Stop (with a checkpoint) after this many steps in this session; the stage is then not finished. */
  stopAfterSteps?: number;
  /** The command to print for resuming (default `srn-bench lv train --out DIR --resume`). */
  resumeCommand?: string;
}

/** The state saved next to the trainer's own checkpoint bytes. */
interface CheckpointMeta {
  configHash: string;
  step: number;
  totalSteps: number;
  /** Training seconds summed over sessions. */
  seconds: number;
  sessions: number;
  history: Record<string, number>[];
}

const MAGIC = 'SRNLVCK1';

/**
 * The file of meta + trainer checkpoint: magic, u32 JSON length, JSON, then the trainer's checkpoint bytes as its own
 * chunks (`checkpointChunks`), so that a late checkpoint (60 MB for the paper preset) is written without being
 * copied into one buffer first, twice (the container, then this file).
 */
function packCheckpoint(meta: CheckpointMeta, trainer: readonly Uint8Array[]): Uint8Array[] {
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const head = new Uint8Array(8 + 4 + json.length);
  head.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(head.buffer).setUint32(8, json.length, true);
  head.set(json, 12);
  return [head, ...trainer];
}

function unpackCheckpoint(bytes: Uint8Array, path: string, rerun: string): { meta: CheckpointMeta; trainer: Uint8Array } {
  const corrupt = (why: string) => new LvInputError(`${path} is corrupt (${why}); ${rerun}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw corrupt('not an srn-bench training checkpoint');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + length > bytes.length) throw corrupt('truncated');
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as CheckpointMeta;
  } catch (error) {
    throw corrupt((error as Error).message);
  }
  if (!meta || typeof meta.configHash !== 'string' || !Array.isArray(meta.history)) throw corrupt('bad header');
  return { meta, trainer: bytes.subarray(12 + length) };
}

/** The paper's FE input domain (visible biases and same-species weights), kept for every coupling choice. */
export const PAPER_DOMAIN: readonly string[] = ['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2'];

/**
 * FE input domain of the `'lateral'` machine: the visible biases, the same-species and the prey–predator
 * nearest-neighbour couplings and the prey–predator coupling at distance 2. The mirrored couplings nYX and mYX get their
 * own F but are not inputs: the lattice is statistically symmetric under reflection, so they follow nXY and mXY.
 */
export const LATERAL_DOMAIN: readonly string[] = ['hX', 'hY', 'nXX', 'nYY', 'nXY', 'mXY'];

/** Offsets of the `'lateral'` machine: nearest neighbours, and the four displacements at Manhattan distance 2 up to sign. */
const NEAREST: number[][] = [[0, 1], [1, 0]];
const DISTANCE_TWO: number[][] = [[0, 2], [2, 0], [1, 1], [1, -1]];

/**
 * The Boltzmann machine of the settings: the paper's DBM (3 layers, 2 × 2 fields, homogeneous) with `'same'`
 * couplings, with every species pair coupled between adjacent layers (`'cross'`), or (`'lateral'`) one visible layer
 * with Potts pair couplings: every species pair between nearest neighbours (nXX, nXY, nYX, nYY) and prey–predator
 * pairs at distance 2 (mXY, mYX), whose sufficient statistics are the pair counts NN_αβ and (isotropic) NNN_XY.
 */
export function machineSpecFor(config: LvConfig): MachineSpec {
  const L = config.settings.simulate.size;
  const layers = (n: number) => ({ name: n === 0 ? 'visible' : `hidden${n}`, shape: [L, L], states: n === 0 ? ['X', 'Y'] : [`X${n}`, `Y${n}`] });
  if (config.settings.train.couplings === 'lateral') {
    return {
      layers: [layers(0)],
      connections: [
        { lower: 0, upper: 0, field: NEAREST, couplings: 'all', weightPrefix: 'n' },
        { lower: 0, upper: 0, field: DISTANCE_TWO, couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
      ],
      parameterization: 'homogeneous',
    };
  }
  const couplings = config.settings.train.couplings === 'cross' ? ('all' as const) : ('same' as const);
  return {
    layers: [layers(0), layers(1), layers(2)],
    connections: [
      { lower: 0, upper: 1, field: '2x2', couplings },
      { lower: 1, upper: 2, field: '2x2', couplings },
    ],
    parameterization: 'homogeneous',
  };
}

/** The trainer configuration from the settings. */
/** The trainer options every experiment shares (the `train` settings of `lv`, also those of `closure`). */
function trainingOptions(t: Omit<LvConfig['settings']['train'], 'couplings' | 'checkpointEvery'>): DbdTrainerConfig {
  return {
    steps: t.steps,
    passes: t.passes,
    window: t.window,
    horizonStart: t.horizonStart,
    moveEvery: t.moveEvery,
    batchSize: t.batchSize,
    asleepChains: t.asleepChains,
    awakeSweeps: t.awakeSweeps,
    asleepSweeps: t.asleepSweeps,
    learningRate: t.learningRate,
    ...(t.averageSteps > 0 ? { averageFrom: t.steps * t.passes - t.averageSteps } : {}),
    optimizer: t.optimizer,
    spacing: t.spacing,
    substeps: t.substeps,
    lambda: t.lambda,
    psiDerivScale: t.psiDerivScale,
    ...(t.precondition !== 'none' ? { precondition: t.precondition } : {}),
  };
}

function lvTrainerConfig(config: LvConfig): DbdTrainerConfig {
  const t = config.settings.train;
  // The paper's machine for 'same'; the builders of machineSpecFor otherwise. θ(0) (hX = hY = ln(p / (1 − 2p)), p =
  // 1/16: the L²/16 initial counts) and the centering offsets (visible 1/16, hidden 0.33, spec 5.3) are given
  // explicitly, so that the LV presets do not depend on the trainer's defaults (which now fit them from the data).
  const spec = t.couplings === 'same' ? paperMachineSpec(config.settings.simulate.size) : machineSpecFor(config);
  const machine = createMachine(spec);
  const model: Pick<DbdTrainerConfig, 'machine' | 'domain' | 'theta0' | 'initialOffsets'> = {
    machine: spec,
    domain: [...(t.couplings === 'lateral' ? LATERAL_DOMAIN : PAPER_DOMAIN)],
    theta0: [...paperTheta0(machine)],
    initialOffsets: machine.layers.map((layer) => (layer.index === 0 ? 0.0625 : 0.33)),
  };
  return {
    ...model,
    ...trainingOptions(t),
  };
}

/** The t = 0 lattice of every trajectory. */
export function initialLattices(trajectories: readonly LatticeTrajectory[]): Uint8Array[] {
  return trajectories.map((tr) => tr.occupancy.subarray(0, tr.occupancy.length / tr.times.length));
}

/** The machine of a model-file experiment (its form on the lattice's shape and species). */
export function closureMachineSpec(config: ClosureConfig): MachineSpec {
  const model = experimentModel(config);
  return formMachineSpec(modelForm(config.settings.train), model.shape, model.species);
}

/** The FE input domain of a model-file experiment: `--domain`, else `defaultFeDomain` of `@srn/closure`. */
export function closureDomain(config: ClosureConfig): string[] {
  const given = config.settings.train.domain.trim();
  const machine = createMachine(closureMachineSpec(config));
  if (given === '') return defaultFeDomain(machine);
  const names = given.split(',').map((n) => n.trim());
  const known = new Set(machine.parameters.blocks.map((b) => b.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new LvInputError(`--domain ${given}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a parameter' : 'are not parameters'} of the --form ${config.settings.train.form} machine (${[...known].join(', ')})`);
  return names;
}

/**
 * The trainer configuration from the settings. A model-file experiment gives the machine and the domain only: the
 * trainer fits θ(0) of every initial condition from its t = 0 lattices and the centering offsets from their densities
 * (its defaults, with `data.conditions`); the LV presets give theirs explicitly.
 */
export function trainerConfig(config: ExperimentConfig): DbdTrainerConfig {
  if (isLv(config)) return lvTrainerConfig(config);
  const t = config.settings.train;
  return {
    machine: closureMachineSpec(config),
    domain: closureDomain(config),
    ...trainingOptions(t),
  };
}

/** The model's time grid: t = 0 .. timeSteps − 1 (in snapshots: a model file's dt is the model's unit of time). */
export function modelTimes(config: ExperimentConfig): Float64Array {
  return Float64Array.from({ length: experimentModel(config).T }, (_, t) => t);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs (or resumes) the train stage. Returns the stage record, or `undefined` when stopped by `stopAfterSteps`.
 * Throws an {@link LvInterruptedError} (after checkpointing) when `ctx.signal` aborts.
 *
 * @example
 * ```ts
 * await runTrainStage(quietContext('out/lv'), { resume: true });
 * ```
 */
export async function runTrainStage(ctx: StageContext, options: TrainStageOptions = {}): Promise<StageRecord | undefined> {
  const stageStart = performance.now();
  const dir = ctx.dir;
  const config = readExperimentConfig(dir);
  requireStage(dir, 'simulate', config);
  const cmd = isLv(config) ? 'lv' : 'closure';
  // Training works in DIR/train.partial (its checkpoint included) until it finishes; then that replaces DIR/train.
  const final = stageDir(dir, 'train');
  const out = stagingPath(final);
  const checkpointPath = join(out, 'checkpoint.bin');
  const resumeCommand = options.resumeCommand ?? `srn-bench ${cmd} train --out ${dir} --resume`;
  const closure = await loadClosure('train', ['createDbdTrainer', 'restoreDbdTrainer', 'serializeLearnedDbdChunks', 'integrateParameters']);
  if (!options.resume) startStaging(final);
  else if (!existsSync(checkpointPath) && existsSync(join(final, 'checkpoint.bin'))) {
    // Resuming a finished stage: continue from its final checkpoint (nothing left to train; the outputs are rewritten).
    startStaging(final);
    copyFileSync(join(final, 'checkpoint.bin'), checkpointPath);
  }
  const { trainer, meta } = openTrainer(ctx, closure, config, checkpointPath, options.resume === true);

  const secondsBefore = meta.seconds;
  const sessionStart = performance.now();
  // Loading the trajectories and building (or restoring) the trainer, outside the optimisation steps that `seconds` sums.
  const setupSeconds = (sessionStart - stageStart) / 1000;
  const save = () => {
    meta.step = trainer.stepIndex;
    meta.seconds = secondsBefore + (performance.now() - sessionStart) / 1000;
    writeFileAtomicChunks(checkpointPath, packCheckpoint(meta, trainer.checkpointChunks()));
  };
  const every = config.settings.train.checkpointEvery;
  const progress = ctx.progress('train', trainer.totalSteps);
  progress.update(trainer.stepIndex);
  let sessionSteps = 0;
  try {
    while (!trainer.done) {
      if (ctx.signal?.aborted) {
        save();
        throw new LvInterruptedError(
          `training interrupted at step ${trainer.stepIndex} of ${trainer.totalSteps}; checkpoint saved to ${checkpointPath}.\n` +
            `Resume with: ${resumeCommand}`,
        );
      }
      if (options.stopAfterSteps !== undefined && sessionSteps >= options.stopAfterSteps) {
        save();
        ctx.log(`train: stopped after ${sessionSteps} steps at step ${trainer.stepIndex} of ${trainer.totalSteps}; resume with: ${resumeCommand}`);
        return undefined;
      }
      const report = trainer.step();
      const row: Record<string, number> = {};
      for (const [key, value] of Object.entries(report)) if (typeof value === 'number') row[key] = value;
      meta.history.push(row);
      sessionSteps++;
      if (trainer.stepIndex % every === 0 && !trainer.done) save();
      progress.update(trainer.stepIndex);
      await yieldToEventLoop();
    }
  } finally {
    progress.stop();
  }
  save();

  // The trainer is done: its own functions are the model (no copy of tens of MB of coefficients).
  const model = trainer.modelView();
  writeFileAtomicChunks(join(out, 'model.bin'), closure.serializeLearnedDbdChunks(model));
  const times = modelTimes(config);
  const { names, theta } = closure.integrateParameters(model, times);
  writeThetaCsv(join(out, 'theta.csv'), times, names, theta);
  const keys = [...new Set(meta.history.flatMap((row) => Object.keys(row)))];
  const historyRows = [keys, ...meta.history.map((row) => keys.map((k) => (row[k] === undefined ? '' : String(row[k]))))];
  writeFileAtomic(join(out, 'history.csv'), formatRows(historyRows));
  ctx.log(`train: ${trainer.totalSteps} steps in ${meta.seconds.toFixed(1)} s (${meta.sessions} session${meta.sessions > 1 ? 's' : ''})`);
  return writeStageRecord(dir, 'train', config, meta.seconds, { steps: trainer.totalSteps, sessions: meta.sessions, parameters: names, setupSeconds });
}

/**
 * Reads the training trajectories and creates the trainer, or restores it from `checkpointPath` (with its meta). The
 * trajectories (one byte per site and time point: 80 MB for the paper preset) and the checkpoint's bytes are local to
 * this function, so that only what the trainer keeps of them (the data packed, 2 bits per site for two species)
 * stays in memory while it trains.
 */
function openTrainer(
  ctx: StageContext,
  closure: ClosureApi,
  config: ExperimentConfig,
  checkpointPath: string,
  resume: boolean,
): { trainer: DbdTrainerLike; meta: CheckpointMeta } {
  const dir = ctx.dir;
  const cmd = isLv(config) ? 'lv' : 'closure';
  const loaded = loadTrainingTrajectories(dir, config);
  // The model's time is the snapshot index (dt of the data grid = 1), whatever the model file's dt.
  const trajectories = isLv(config) ? loaded : loaded.map((tr) => ({ ...tr, times: Float64Array.from(tr.times, (_, k) => k) }));
  // K initial conditions x M samples: run r belongs to condition floor(r / M) (each has its own θ(0), all share F).
  const experiment = experimentModel(config);
  const K = experiment.conditions.train;
  const data = K > 1 ? { trajectories, conditions: trajectories.map((_, r) => Math.floor(r / experiment.samples.train)) } : { trajectories };
  if (!resume) {
    const trainer = closure.createDbdTrainer(trainerConfig(config), data, createRng(config.streams.training, 0));
    return { trainer, meta: { configHash: config.hash, step: 0, totalSteps: trainer.totalSteps, seconds: 0, sessions: 1, history: [] } };
  }
  const rerun = `start over with 'srn-bench ${cmd} train --out ${dir}' (without --resume)`;
  if (!existsSync(checkpointPath)) throw new LvInputError(`${checkpointPath} is missing: nothing to resume; ${rerun}`);
  const unpacked = unpackCheckpoint(readBytes(checkpointPath), checkpointPath, rerun);
  const meta = unpacked.meta;
  if (meta.configHash !== config.hash) {
    throw new LvInputError(`${checkpointPath} was made with other settings than ${join(dir, 'config.json')}; ${rerun}`);
  }
  let trainer: DbdTrainerLike;
  try {
    trainer = closure.restoreDbdTrainer(unpacked.trainer, data);
  } catch (error) {
    throw new LvInputError(`${checkpointPath} is corrupt (${(error as Error).message}); ${rerun}`);
  }
  meta.sessions += 1;
  ctx.log(`train: resuming from step ${trainer.stepIndex} of ${trainer.totalSteps}`);
  return { trainer, meta };
}

/** Writes a T × P parameter matrix as `time,<names>`. */
export function writeThetaCsv(path: string, times: Float64Array, names: readonly string[], theta: Float64Array): void {
  const P = names.length;
  const columns: Record<string, Float64Array> = {};
  names.forEach((name, p) => {
    columns[name] = Float64Array.from({ length: times.length }, (_, t) => theta[t * P + p]);
  });
  writeColumnsCsv(path, times, columns);
}

/**
 * Reads and deserialises DIR/train/model.bin (checked like {@link readModelBytes}; a corrupt file is an
 * {@link LvInputError} naming it). The model's functions use the file's bytes in place (60 MB for the paper preset),
 * so the model is never held twice.
 */
export function readModel(dir: string, config: ExperimentConfig, closure: Pick<ClosureApi, 'deserializeLearnedDbd'>): LearnedDbd {
  const bytes = readModelBytes(dir, config);
  try {
    // The model uses the file's bytes in place (they are not used otherwise): no second copy of its coefficients.
    return closure.deserializeLearnedDbd(bytes, { share: true });
  } catch (error) {
    const cmd = isLv(config) ? 'lv' : 'closure';
    throw new LvInputError(`${join(stageDir(dir, 'train'), 'model.bin')} is corrupt (${capMessage((error as Error).message)}); rerun 'srn-bench ${cmd} train --out ${dir}'`);
  }
}

/** Checks that DIR/train finished with the current settings and returns its model bytes. */
export function readModelBytes(dir: string, config: ExperimentConfig): Uint8Array {
  requireStage(dir, 'train', config);
  const path = join(stageDir(dir, 'train'), 'model.bin');
  if (!existsSync(path)) throw new LvInputError(`${path} is missing; run 'srn-bench ${isLv(config) ? 'lv' : 'closure'} train --out ${dir}'`);
  return readBytes(path);
}

/** A file's bytes as a plain Uint8Array over the buffer `readFileSync` filled (not a copy: 60 MB for a paper model). */
function readBytes(path: string): Uint8Array {
  const file = readFileSync(path);
  return new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
}
