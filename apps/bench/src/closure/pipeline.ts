/**
 * `lv all`: writes DIR/config.json and runs simulate → train → predict → report. With `resume` it keeps
 * DIR/config.json, skips stages whose output is current, and continues training from its checkpoint.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../args.ts';
import { prepareOutputDirectory, stagingPath } from '../io.ts';
import { hasConfig, makeConfig, type LvPreset, type LvSettings, writeConfig } from './config.ts';
import { type ExperimentConfig, isLv, readExperimentConfig } from './experiment.ts';
import type { StageContext } from './context.ts';
import { runPredictStage } from './predict-stage.ts';
import { runReportStage, stageIsCurrent } from './report-stage.ts';
import { runSimulateStage } from './simulate-stage.ts';
import { LV_STAGES, type LvStage, type StageRecord, stageDir } from './stage.ts';
import { runTrainStage } from './train-stage.ts';

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** New run: preset, seed and settings (ignored with `resume`). */
  preset?: LvPreset;
  seed?: number;
  settings?: LvSettings;
  /** New run of a model-file experiment: its config, made by `makeClosureConfig` (instead of preset, seed, settings). */
  config?: ExperimentConfig;
  /** Continue the run in DIR with its config.json. */
  resume?: boolean;
  /** Replace an experiment with other settings in DIR (without it, that is a usage error). */
  force?: boolean;
  /** Stop after this stage. */
  until?: LvStage;
  /** Training: stop after this many steps in this session (leaves a checkpoint; the pipeline then stops). */
  stopAfterTrainSteps?: number;
}

/** What {@link runPipeline} did. */
export interface PipelineResult {
  config: ExperimentConfig;
  /** Stages that ran in this call, and those skipped as current. */
  ran: LvStage[];
  skipped: LvStage[];
  /** False when training stopped early on `stopAfterTrainSteps`. */
  finished: boolean;
  records: Partial<Record<LvStage, StageRecord>>;
  seconds: number;
}

/**
 * Refuses (with a {@link UsageError}) to start a new run over an experiment with other settings, or over a
 * config.json that cannot be read, unless `force`.
 */
function checkReplace(dir: string, config: ExperimentConfig, force: boolean): void {
  if (force || !hasConfig(dir)) return;
  let existing: ExperimentConfig;
  try {
    existing = readExperimentConfig(dir);
  } catch (error) {
    throw new UsageError(
      `--out ${dir} holds an experiment whose config.json cannot be used (${(error as Error).message}); choose another --out, or add --force to replace it`,
    );
  }
  if (existing.hash === config.hash) return;
  throw new UsageError(
    `--out ${dir} holds an experiment with other settings (preset ${existing.preset}, seed ${existing.seed}, hash ${existing.hash}; this run: ` +
      `preset ${config.preset}, seed ${config.seed}, hash ${config.hash}); continue it with 'srn-bench ${isLv(config) ? 'lv' : 'closure'} all --out ${dir} --resume', choose another ` +
      '--out, or add --force to replace it (its files are deleted)',
  );
}

/**
 * Runs the experiment's pipeline in `ctx.dir`.
 *
 * @example
 * ```ts
 * await runPipeline(quietContext('out/lv'), { preset: 'quick', seed: 1, settings: presetSettings('quick') });
 * ```
 */
export async function runPipeline(ctx: StageContext, options: PipelineOptions): Promise<PipelineResult> {
  const started = performance.now();
  prepareOutputDirectory(ctx.dir);
  let config: ExperimentConfig;
  if (options.resume) {
    config = readExperimentConfig(ctx.dir);
  } else if (options.config) {
    config = options.config;
    checkReplace(ctx.dir, config, options.force === true);
    for (const stage of LV_STAGES) {
      rmSync(stageDir(ctx.dir, stage), { recursive: true, force: true });
      rmSync(stagingPath(stageDir(ctx.dir, stage)), { recursive: true, force: true });
    }
    writeConfig(ctx.dir, config);
  } else {
    if (!options.settings || options.preset === undefined || options.seed === undefined) throw new TypeError('preset, seed and settings are required for a new run');
    config = makeConfig(options.preset, options.seed, options.settings);
    checkReplace(ctx.dir, config, options.force === true);
    // A new run starts over: the outputs of an earlier run of this experiment (or, with force, of the one it
    // replaces) go first, so DIR never mixes two runs' files.
    for (const stage of LV_STAGES) {
      rmSync(stageDir(ctx.dir, stage), { recursive: true, force: true });
      rmSync(stagingPath(stageDir(ctx.dir, stage)), { recursive: true, force: true });
    }
    writeConfig(ctx.dir, config);
  }
  ctx.log(`${isLv(config) ? 'lv' : `closure ${config.model.path}`}: preset ${config.preset}, seed ${config.seed}, config ${join(ctx.dir, 'config.json')} (hash ${config.hash})`);
  const ran: LvStage[] = [];
  const skipped: LvStage[] = [];
  const records: Partial<Record<LvStage, StageRecord>> = {};
  let dirty = !options.resume;
  const resumeCommand = `srn-bench ${isLv(config) ? 'lv' : 'closure'} all --out ${ctx.dir} --resume`;
  for (const stage of ['simulate', 'train', 'predict', 'report'] as const) {
    if (!dirty && stage !== 'report' && stageIsCurrent(ctx.dir, stage, config)) {
      skipped.push(stage);
      ctx.log(`${stage}: up to date, skipped`);
    } else {
      dirty = true;
      if (stage === 'simulate') records.simulate = await runSimulateStage(ctx);
      else if (stage === 'train') {
        const train = stageDir(ctx.dir, 'train');
        const resume = options.resume === true && (existsSync(join(stagingPath(train), 'checkpoint.bin')) || existsSync(join(train, 'checkpoint.bin')));
        const record = await runTrainStage(ctx, { resume, stopAfterSteps: options.stopAfterTrainSteps, resumeCommand });
        ran.push(stage);
        if (!record) return { config, ran, skipped, finished: false, records, seconds: (performance.now() - started) / 1000 };
        records.train = record;
        if (options.until === stage) break;
        continue;
      } else if (stage === 'predict') records.predict = await runPredictStage(ctx);
      else records.report = await runReportStage(ctx);
      ran.push(stage);
    }
    if (options.until === stage) break;
  }
  return { config, ran, skipped, finished: true, records, seconds: (performance.now() - started) / 1000 };
}
