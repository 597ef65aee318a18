/**
 * Persistence of the trainer: the checkpoint container (JSON header with the resolved configuration, model header,
 * data fingerprint and counters; binary sections with F, offsets, chains, RNG state, optimiser state and iterate
 * average), written by {@link encodeCheckpoint} and checked and decoded by {@link decodeCheckpoint}.
 *
 * @packageDocumentation
 */

import type { FeFunction } from '@srn/fem-basis';
import { fromBinary, toBinaryChunks } from '@srn/fem-basis';
import { type Rng, rngFromState } from '@srn/gillespie/rng';
import { bytesF64, bytesU32, decodeContainer, encodeContainer, encodeContainerChunks, f64Bytes, type Section } from '../container.ts';
import { type DataFingerprint, type PreparedData, prepareData, type TrainingData } from '../data.ts';
import { CheckpointError } from '../errors.ts';
import { buildMachine, type LearnedDbd, modelFromContainer, modelHeader, modelSections } from '../model.ts';
import { checkObject, checkRngLike, show } from '../validate.ts';
import { type DbdTrainerConfig, type ResolvedDbdConfig, resolveDbdConfig } from './config.ts';

const TRAINER_KIND = 'srn-dbd-trainer';
/**
 * Version of the trainer checkpoint layout.
 *
 * @example
 * ```ts
 * CHECKPOINT_VERSION; // 2
 * ```
 */
export const CHECKPOINT_VERSION = 2;

/**
 * The state of one initial condition in a checkpoint: offsets μ(t) (T × centerCount) and the awake chains of the
 * window's time points τ..H (one array of batchSize chains per time point).
 *
 * @example
 * ```ts
 * const s: ConditionCheckpoint = { offsets: mu, chains: [chainsAtTau, ..., chainsAtH] };
 * ```
 */
export interface ConditionCheckpoint {
  readonly offsets: Float64Array;
  readonly chains: readonly Uint8Array[];
}

/**
 * Everything a checkpoint holds.
 *
 * @example
 * ```ts
 * const bytes = encodeCheckpoint(content);
 * ```
 */
export interface CheckpointContent {
  readonly config: ResolvedDbdConfig;
  readonly model: LearnedDbd;
  readonly fingerprint: DataFingerprint;
  readonly stepIndex: number;
  readonly horizon: number;
  readonly windowStart: number;
  /** The largest time point the window has entered (its offsets were inherited from the previous one). */
  readonly entered: number;
  readonly conditions: readonly ConditionCheckpoint[];
  readonly rngState: Uint32Array;
  /** Adam steps and moments (0 and null for SGD). */
  readonly adamCount: number;
  readonly adamM: readonly FeFunction[] | null;
  readonly adamV: readonly FeFunction[] | null;
  /** The iterate average (null before `averageFrom`). */
  readonly average: readonly FeFunction[] | null;
}

/**
 * Writes a checkpoint. Condition 0 uses the sections 'offsets' and 'chains' (the single-condition layout), condition
 * k > 0 'offsets<k>' and 'chains<k>'.
 *
 * @example
 * ```ts
 * const bytes = encodeCheckpoint(content); // decodeCheckpoint(bytes, data) gives it back
 * ```
 */
export function encodeCheckpoint(c: CheckpointContent): Uint8Array {
  const { header, sections } = checkpointContainer(c);
  return encodeContainer(header, sections);
}

/**
 * The bytes of {@link encodeCheckpoint} as consecutive chunks ({@link encodeContainerChunks}), for writing a large
 * checkpoint without a second copy of it in memory.
 *
 * @example
 * ```ts
 * const chunks = encodeCheckpointChunks(content); // their concatenation is encodeCheckpoint(content)
 * ```
 */
export function encodeCheckpointChunks(c: CheckpointContent): Uint8Array[] {
  const { header, sections } = checkpointContainer(c);
  return encodeContainerChunks(header, sections);
}

/** The header and sections of a checkpoint. */
function checkpointContainer(c: CheckpointContent): { header: Record<string, unknown>; sections: Section[] } {
  const sections: Section[] = [...modelSections(c.model)];
  c.conditions.forEach((cond, k) => {
    const suffix = k === 0 ? '' : `${k}`;
    sections.push({ name: `offsets${suffix}`, bytes: f64Bytes(cond.offsets) });
    sections.push({ name: `chains${suffix}`, bytes: cond.chains });
  });
  const r = c.rngState;
  sections.push({ name: 'rng', bytes: new Uint8Array(r.buffer.slice(r.byteOffset, r.byteOffset + r.byteLength)) });
  if (c.adamM !== null && c.adamV !== null) {
    for (let j = 0; j < c.adamM.length; j++) sections.push({ name: `adamM${j}`, bytes: toBinaryChunks(c.adamM[j]) });
    for (let j = 0; j < c.adamV.length; j++) sections.push({ name: `adamV${j}`, bytes: toBinaryChunks(c.adamV[j]) });
  }
  if (c.average !== null) sections.push(...modelSections({ ...c.model, functions: c.average }, 'average'));
  return {
    header: {
      kind: TRAINER_KIND,
      version: CHECKPOINT_VERSION,
      config: c.config,
      model: modelHeader(c.model),
      data: c.fingerprint,
      state: {
        stepIndex: c.stepIndex,
        horizon: c.horizon,
        windowStart: c.windowStart,
        entered: c.entered,
        adamCount: c.adamCount,
        rngStateLength: r.length,
      },
    },
    sections,
  };
}

/**
 * A decoded and checked checkpoint: the configuration, the model (live F), the prepared data, the restored RNG and
 * the trainer state.
 *
 * @example
 * ```ts
 * const { config, model, state } = decodeCheckpoint(bytes, data);
 * ```
 */
export interface DecodedCheckpoint {
  readonly config: ResolvedDbdConfig;
  readonly model: LearnedDbd;
  readonly prepared: PreparedData;
  readonly rng: Rng;
  readonly state: Omit<CheckpointContent, 'config' | 'model' | 'fingerprint' | 'rngState' | 'adamM' | 'adamV'> & {
    readonly adamM: FeFunction[] | null;
    readonly adamV: FeFunction[] | null;
  };
}

/**
 * Options of {@link restoreDbdTrainer}.
 *
 * @example
 * ```ts
 * restoreDbdTrainer(bytes, data, { config: sameConfigAsBefore });
 * ```
 */
export interface RestoreTrainerOptions {
  /** If given, it must resolve to the checkpoint's configuration (else CheckpointError 'mismatch'). */
  readonly config?: DbdTrainerConfig;
  /** Generator to restore the RNG state into (default a new xoshiro128** from `@srn/gillespie`). */
  readonly rng?: Rng;
}

function sameFingerprint(a: DataFingerprint, b: DataFingerprint): string | null {
  if (a.trajectories !== b.trajectories) return `${b.trajectories} trajectories instead of ${a.trajectories}`;
  if (a.timePoints !== b.timePoints) return `${b.timePoints} time points instead of ${a.timePoints}`;
  if (JSON.stringify(a.shape) !== JSON.stringify(b.shape)) return `shape ${show(b.shape)} instead of ${show(a.shape)}`;
  if (JSON.stringify(a.species) !== JSON.stringify(b.species)) return `species ${show(b.species)} instead of ${show(a.species)}`;
  if (a.crc !== b.crc) return `different occupancies (CRC-32 ${b.crc.toString(16)} instead of ${a.crc.toString(16)})`;
  if (JSON.stringify(a.conditions) !== JSON.stringify(b.conditions)) return 'different initial conditions (data.conditions)';
  return null;
}

/**
 * Reads and checks checkpoint bytes against the data (and `options.config`); throws {@link CheckpointError} for
 * corrupt, truncated or foreign bytes, different data or a configuration that does not match. Nothing is half-loaded.
 *
 * @example
 * ```ts
 * const decoded = decodeCheckpoint(readFileSync('ckpt.bin'), data);
 * ```
 */
export function decodeCheckpoint(bytes: Uint8Array, data: TrainingData, options?: RestoreTrainerOptions): DecodedCheckpoint {
  const c = decodeContainer(bytes, 'checkpoint');
  const h = c.header;
  if (h.kind !== TRAINER_KIND) throw new CheckpointError('format', `checkpoint has kind ${show(h.kind)}; expected '${TRAINER_KIND}'`);
  if (h.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError('version', `checkpoint has version ${show(h.version)}; this build reads version ${CHECKPOINT_VERSION}`);
  }
  const o = checkObject(options, 'options');
  const cfg = h.config as ResolvedDbdConfig;
  let resolved: ResolvedDbdConfig;
  try {
    resolved = resolveDbdConfig(
      {
        ...cfg,
        theta0Fit: undefined,
        theta0: cfg.theta0 === null || cfg.theta0PerCondition !== undefined ? undefined : cfg.theta0,
        initialOffsets: cfg.initialOffsets ?? undefined,
      } as unknown as DbdTrainerConfig,
      data,
    );
    resolved = { ...resolved, theta0Fit: cfg.theta0Fit };
  } catch (e) {
    throw new CheckpointError('mismatch', `checkpoint configuration does not fit the data: ${(e as Error).message}`);
  }
  if (JSON.stringify(resolved) !== JSON.stringify(cfg)) {
    throw new CheckpointError('header', 'checkpoint configuration is not a resolved DbdTrainerConfig');
  }
  if (o.config !== undefined) {
    let given: ResolvedDbdConfig;
    try {
      given = resolveDbdConfig(o.config, data);
    } catch (e) {
      throw new CheckpointError('mismatch', `options.config is invalid for this data: ${(e as Error).message}`);
    }
    if (JSON.stringify(given) !== JSON.stringify(cfg)) {
      const diff = Object.keys(cfg).filter(
        (k) => JSON.stringify((given as unknown as Record<string, unknown>)[k]) !== JSON.stringify((cfg as unknown as Record<string, unknown>)[k]),
      );
      throw new CheckpointError('mismatch', `checkpoint was written with a different configuration (differs in ${diff.join(', ')})`);
    }
  }
  const machine = buildMachine(cfg.machine, 'config.machine');
  let prepared: PreparedData;
  try {
    prepared = prepareData(data, machine, cfg.dt);
  } catch (e) {
    throw new CheckpointError('mismatch', `data do not fit the checkpoint: ${(e as Error).message}`);
  }
  const diff = sameFingerprint(h.data as DataFingerprint, prepared.fingerprint);
  if (diff !== null) throw new CheckpointError('mismatch', `checkpoint was written for different data: ${diff}`);
  const model = modelFromContainer(h.model as Record<string, unknown>, (n) => c.section(n), 'checkpoint');
  const st = h.state as Record<string, number>;
  const T = prepared.timePoints;
  const ints = ['stepIndex', 'horizon', 'windowStart', 'entered', 'adamCount', 'rngStateLength'];
  if (st === null || typeof st !== 'object' || !ints.every((k) => Number.isSafeInteger(st[k]) && st[k] >= 0)) {
    throw new CheckpointError('header', `checkpoint state must hold the integers ${ints.join(', ')}`);
  }
  if (
    st.horizon - st.windowStart !== cfg.window ||
    st.horizon > T - 1 ||
    st.entered < st.horizon ||
    st.entered > T - 1 ||
    st.stepIndex > cfg.steps * cfg.passes
  ) {
    throw new CheckpointError('header', `checkpoint state is inconsistent: ${JSON.stringify(st)}`);
  }
  const K = prepared.conditionCount;
  if ((model.conditionTheta0?.length ?? 1) !== K) {
    throw new CheckpointError('header', `checkpoint model holds θ(0) of ${model.conditionTheta0?.length ?? 1} conditions; the data have ${K}`);
  }
  const U = machine.unitCount * cfg.batchSize;
  const window = cfg.window + 1;
  const conditions = Array.from({ length: K }, (_, k) => {
    const suffix = k === 0 ? '' : `${k}`;
    const offsets = bytesF64(c.section(`offsets${suffix}`), T * machine.centerCount, `checkpoint section offsets${suffix}`);
    const chainBytes = c.section(`chains${suffix}`);
    if (chainBytes.length !== window * U) {
      throw new CheckpointError('header', `checkpoint section chains${suffix} must hold ${window * U} bytes; got ${chainBytes.length}`);
    }
    const chains = Array.from({ length: window }, (_, i) => chainBytes.subarray(i * U, (i + 1) * U));
    for (const L of machine.layers) {
      for (let i = 0; i < window * cfg.batchSize; i++) {
        const base = i * machine.unitCount + L.unitOffset;
        for (let u = 0; u < L.size; u++) {
          if (chainBytes[base + u] > L.stateCount) throw new CheckpointError('header', `checkpoint section chains${suffix} holds invalid unit states`);
        }
      }
    }
    return { offsets, chains };
  });
  const rngState = bytesU32(c.section('rng'), st.rngStateLength, 'checkpoint section rng');
  let adamM: FeFunction[] | null = null;
  let adamV: FeFunction[] | null = null;
  if (cfg.optimizer === 'adam') {
    try {
      adamM = model.functions.map((_, j) => fromBinary(c.section(`adamM${j}`)));
      adamV = model.functions.map((_, j) => fromBinary(c.section(`adamV${j}`)));
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError('header', `checkpoint holds an invalid Adam state: ${(e as Error).message}`);
    }
  }
  // The average exists once a step past averageFrom has been taken.
  const average =
    cfg.averageFrom !== null && st.stepIndex > cfg.averageFrom
      ? modelFromContainer(h.model as Record<string, unknown>, (n) => c.section(n), 'checkpoint iterate average', 'average').functions
      : null;
  let rng: Rng;
  try {
    if (o.rng !== undefined) {
      checkRngLike(o.rng, 'options.rng');
      o.rng.setState(rngState);
      rng = o.rng;
    } else {
      rng = rngFromState(rngState);
    }
  } catch (e) {
    if (e instanceof TypeError && o.rng !== undefined) throw e;
    throw new CheckpointError('mismatch', `checkpoint RNG state cannot be restored: ${(e as Error).message}`);
  }
  return {
    config: cfg,
    model,
    prepared,
    rng,
    state: {
      stepIndex: st.stepIndex,
      horizon: st.horizon,
      windowStart: st.windowStart,
      entered: st.entered,
      adamCount: st.adamCount,
      conditions,
      adamM,
      adamV,
      average,
    },
  };
}
