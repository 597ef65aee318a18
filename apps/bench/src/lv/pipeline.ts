/**
 * `lv all`: writes DIR/config.json and runs simulate → train → predict → report. With `resume` it keeps
 * DIR/config.json, skips stages whose output is current, and continues training from its checkpoint.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { prepareOutputDirectory } from '../io.ts';
import { type LvConfig, makeConfig, readConfig, type LvPreset, type LvSettings, writeConfig } from './config.ts';
import type { StageContext } from './context.ts';
import { runPredictStage } from './predict-stage.ts';
import { runReportStage, stageIsCurrent } from './report-stage.ts';
import { runSimulateStage } from './simulate-stage.ts';
import { type LvStage, type StageRecord, stageDir } from './stage.ts';
import { runTrainStage } from './train-stage.ts';

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  /** New run: preset, seed and settings (ignored with `resume`). */
  preset?: LvPreset;
  seed?: number;
  settings?: LvSettings;
  /** Continue the run in DIR with its config.json. */
  resume?: boolean;
  /** Stop after this stage. */
  until?: LvStage;
  /** Training: stop after this many steps in this session (leaves a checkpoint; the pipeline then stops). */
  stopAfterTrainSteps?: number;
}

/** What {@link runPipeline} did. */
export interface PipelineResult {
  config: LvConfig;
  /** Stages that ran in this call, and those skipped as current. */
  ran: LvStage[];
  skipped: LvStage[];
  /** False when training stopped early on `stopAfterTrainSteps`. */
  finished: boolean;
  records: Partial<Record<LvStage, StageRecord>>;
  seconds: number;
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
  let config: LvConfig;
  if (options.resume) {
    config = readConfig(ctx.dir);
  } else {
    if (!options.settings || options.preset === undefined || options.seed === undefined) throw new TypeError('preset, seed and settings are required for a new run');
    config = makeConfig(options.preset, options.seed, options.settings);
    writeConfig(ctx.dir, config);
  }
  ctx.log(`lv: preset ${config.preset}, seed ${config.seed}, config ${join(ctx.dir, 'config.json')} (hash ${config.hash})`);
  const ran: LvStage[] = [];
  const skipped: LvStage[] = [];
  const records: Partial<Record<LvStage, StageRecord>> = {};
  let dirty = !options.resume;
  const resumeCommand = `srn-bench lv all --out ${ctx.dir} --resume`;
  for (const stage of ['simulate', 'train', 'predict', 'report'] as const) {
    if (!dirty && stage !== 'report' && stageIsCurrent(ctx.dir, stage, config)) {
      skipped.push(stage);
      ctx.log(`${stage}: up to date, skipped`);
    } else {
      dirty = true;
      if (stage === 'simulate') records.simulate = await runSimulateStage(ctx);
      else if (stage === 'train') {
        const resume = options.resume === true && existsSync(join(stageDir(ctx.dir, 'train'), 'checkpoint.bin'));
        const record = await runTrainStage(ctx, { resume, stopAfterSteps: options.stopAfterTrainSteps, resumeCommand });
        ran.push(stage);
        if (!record) return { config, ran, skipped, finished: false, records, seconds: (performance.now() - started) / 1000 };
        records.train = record;
        continue;
      } else if (stage === 'predict') records.predict = await runPredictStage(ctx);
      else records.report = await runReportStage(ctx);
      ran.push(stage);
    }
    if (options.until === stage) break;
  }
  return { config, ran, skipped, finished: true, records, seconds: (performance.now() - started) / 1000 };
}
