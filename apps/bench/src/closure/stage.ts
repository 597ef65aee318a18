/**
 * Stage records: each stage writes DIR/<stage>/stage.json last (atomically), with the config hash, timings and
 * peak memory. The next stage refuses to run on a missing or stale record, so a half-written or out-of-date stage is
 * never read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capMessage, echo } from '../args.ts';
import { commitDirectory, stagingPath, startStaging, writeFileAtomic } from '../io.ts';
import type { ExperimentConfig } from './experiment.ts';
import { LvInputError } from './errors.ts';

export type LvStage = 'simulate' | 'train' | 'predict' | 'report';
export const LV_STAGES: readonly LvStage[] = ['simulate', 'train', 'predict', 'report'];

/** DIR/<stage>/stage.json. */
export interface StageRecord {
  stage: LvStage;
  configHash: string;
  /** Wall seconds of the stage (for `train`, summed over resumed sessions). */
  seconds: number;
  /** Peak resident set size of the process (MB) when the stage finished (threads included). */
  peakRssMB: number;
  finished: string;
  [key: string]: unknown;
}

/** Peak RSS of this process so far, in MB. */
export function peakRssMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * The report's timing rows: every stage's recorded wall seconds and peak RSS, then the report stage itself (this
 * process). The train record's seconds are the optimisation steps summed over sessions; `withTrainSetup` adds its last
 * session's setup (loading the trajectories, θ(0) of every IC), so that the stages add up to the wall time.
 */
export function stageTimings(
  records: Partial<Record<string, StageRecord>>,
  reportSeconds: number,
  options: { withTrainSetup: boolean },
): { stage: string; seconds: number; peakRssMB: number }[] {
  const seconds = (stage: string) =>
    (records[stage]?.seconds ?? Number.NaN) + (options.withTrainSetup && stage === 'train' ? Number(records.train?.setupSeconds ?? 0) : 0);
  const timings = LV_STAGES.filter((stage) => stage !== 'report').map((stage) => ({ stage: stage as string, seconds: seconds(stage), peakRssMB: records[stage]?.peakRssMB ?? Number.NaN }));
  timings.push({ stage: 'report', seconds: reportSeconds, peakRssMB: peakRssMB() });
  return timings;
}

/** Path of a stage's directory. */
export function stageDir(dir: string, stage: LvStage): string {
  return join(dir, stage);
}

/**
 * Starts a stage's output: an empty DIR/<stage>.partial (see {@link startStaging}) that {@link writeStageRecord}
 * moves into place. Returns its path.
 *
 * @example
 * ```ts
 * const out = startStageOutput('out/lv', 'predict'); // out/lv/predict.partial
 * ```
 */
export function startStageOutput(dir: string, stage: LvStage): string {
  return startStaging(stageDir(dir, stage));
}

/**
 * Finishes a stage: writes stage.json last into DIR/<stage>.partial, then replaces DIR/<stage> by it, so DIR/<stage>
 * holds the files of one complete run of the stage.
 *
 * @example
 * ```ts
 * return writeStageRecord('out/lv', 'predict', config, seconds, { timings });
 * ```
 */
export function writeStageRecord(dir: string, stage: LvStage, config: ExperimentConfig, seconds: number, extra: Record<string, unknown> = {}): StageRecord {
  const record: StageRecord = { stage, configHash: config.hash, seconds, peakRssMB: peakRssMB(), finished: new Date().toISOString(), ...extra };
  writeFileAtomic(join(stagingPath(stageDir(dir, stage)), 'stage.json'), `${JSON.stringify(record, null, 2)}\n`);
  commitDirectory(stageDir(dir, stage));
  return record;
}

/** Reads a stage record without checking it against the config (undefined when missing or unreadable). */
export function peekStageRecord(dir: string, stage: LvStage): StageRecord | undefined {
  const path = join(stageDir(dir, stage), 'stage.json');
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as StageRecord;
    return record && record.stage === stage ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks that `stage` finished with the current settings; throws an {@link LvInputError} that says what to rerun.
 *
 * @example
 * ```ts
 * requireStage('out/lv', 'simulate', config);
 * ```
 */
export function requireStage(dir: string, stage: LvStage, config: ExperimentConfig): StageRecord {
  const path = join(stageDir(dir, stage), 'stage.json');
  const rerun = `run 'srn-bench ${config.kind === 'srn-lv-experiment' ? 'lv' : 'closure'} ${stage} --out ${dir}'${stage === 'train' ? ' (add --resume to continue a checkpoint)' : ''}`;
  if (!existsSync(path)) throw new LvInputError(`${path} is missing: the ${stage} stage has not finished; ${rerun}`);
  let record: StageRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as StageRecord;
  } catch (error) {
    throw new LvInputError(`${path} is corrupt (${capMessage((error as Error).message, 120)}); ${rerun}`);
  }
  const timesOk = record && Number.isFinite(record.seconds) && record.seconds >= 0 && Number.isFinite(record.peakRssMB) && record.peakRssMB >= 0;
  if (!record || record.stage !== stage || typeof record.configHash !== 'string' || !timesOk) {
    throw new LvInputError(`${path} is corrupt (not a ${stage} record with its hash, seconds and peak RSS); ${rerun}`);
  }
  if (record.configHash !== config.hash) {
    throw new LvInputError(`${path} was made with other settings than ${join(dir, 'config.json')} (hash ${echo(record.configHash)} vs ${config.hash}); ${rerun}`);
  }
  return record;
}

/** Reads a file a stage needs, with an error naming it and the stage to rerun. */
export function readStageFile(path: string, producer: LvStage, dir: string): Buffer {
  if (!existsSync(path)) throw new LvInputError(`${path} is missing; run 'srn-bench lv ${producer} --out ${dir}'`);
  return readFileSync(path);
}
