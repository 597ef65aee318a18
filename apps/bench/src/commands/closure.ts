/**
 * `srn-bench closure all|simulate|train|predict|report`: the learned moment closure of any lattice model file
 * (simulate → train → predict → report in one directory, the stages of `lv`), with presets for the experiments of the
 * 2018 and 2019 papers. The LV presets (`quick`, `paper`, `paper-original`) run the bundled Lotka-Volterra model file
 * and are exactly `srn-bench lv all`.
 */
import { commandLine, REPEAT_OPTIONS, runRepeated } from '../closure/repeat.ts';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createMachine } from '@srn/boltzmann';
import { LatticeModelFileError, type ParsedLatticeModel } from '@srn/gillespie/lattice';
import { type CommandSpec, type OptionSpec, type ParsedOptions, UsageError } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { cliContext, OUT_OPTION, WORKERS_OPTION } from '../closure/cli-context.ts';
import { LV_PRESETS, type LvPreset, SETTING_OPTIONS, SETTING_ROWS, settingsFromOptions } from '../closure/config.ts';
import {
  CLOSURE_PRESET_NAMES,
  CLOSURE_ROWS,
  CLOSURE_SETTING_OPTIONS,
  type ClosureConfig,
  closurePreset,
  closureSettings,
  makeClosureConfig,
} from '../closure/experiment.ts';
import { runPipeline } from '../closure/pipeline.ts';
import { runPredictStage } from '../closure/predict-stage.ts';
import { runReportStage } from '../closure/report-stage.ts';
import { runSimulateStage } from '../closure/simulate-stage.ts';
import { LV_STAGES, type LvStage } from '../closure/stage.ts';
import { closureDomain, closureMachineSpec, runTrainStage } from '../closure/train-stage.ts';
import { latticeQueueEnsemble, queueOptions, queueSettings } from '../queue/options.ts';
import { bundledLatticeModel, loadLatticeModel } from './lattice-run.ts';

const MODEL_OPTION: OptionSpec = { type: 'string', description: 'lattice model file (.lattice text or JSON); default: the preset\'s bundled file', placeholder: 'FILE' };

/** Every settings flag of either family (the LV presets take the `lv` flags, model-file presets the closure ones). */
const ALL_SETTING_OPTIONS: Record<string, OptionSpec> = { ...SETTING_OPTIONS, ...CLOSURE_SETTING_OPTIONS };

/** Declaration of `closure all`. */
export const closureAllSpec: CommandSpec = {
  name: 'closure all',
  summary:
    'Learn a moment closure for a lattice model file end to end: DIR/config.json, DIR/simulate (training and held-out ' +
    'ensembles: K initial conditions x M samples, held-out ICs new draws), DIR/train, DIR/predict (learned closure per ' +
    'held-out IC, generated mean-field and pair-approximation baselines), DIR/report (report.md, report.html, metrics.json, figures). ' +
    `Presets: ${CLOSURE_PRESET_NAMES.join(', ')} (quick, paper, paper-original: the lv experiment).`,
  options: {
    'model': MODEL_OPTION,
    'out': OUT_OPTION,
    'preset': { type: 'choice', description: "settings preset (default: 'default' with --model, else quick)", choices: [...CLOSURE_PRESET_NAMES] },
    'seed': { type: 'integer', description: 'seed of every random stream of the run', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'resume': { type: 'boolean', description: 'continue the run in DIR with its config.json (skips finished stages, resumes training)' },
    'force': { type: 'boolean', description: 'replace an experiment with other settings in DIR (its files are deleted)' },
    'until': { type: 'choice', description: 'stop after this stage', choices: [...LV_STAGES] },
    'stop-after-train-steps': { type: 'integer', description: 'stop training (with a checkpoint) after N steps of this session', min: 0, max: 1e9, placeholder: 'N' },
    'workers': WORKERS_OPTION,
    ...REPEAT_OPTIONS,
    ...ALL_SETTING_OPTIONS,
    ...queueOptions(100),
  },
  examples: [
    'srn-bench closure all --model my-model.lattice --out out/my-model',
    'srn-bench closure all --preset barw-2018 --out out/barw',
    'srn-bench closure all --preset aa-2019 --form hidden --out out/aa-hidden',
    'srn-bench closure all --preset aa-2019-tiny --out out/aa-tiny',
    'srn-bench closure all --out out/barw --resume',
  ],
};


/** Reads the model file; its errors become usage errors naming --model and the file. */
function loadModelOption(path: string): ParsedLatticeModel {
  try {
    return loadLatticeModel(path);
  } catch (error) {
    if (error instanceof UsageError || error instanceof LatticeModelFileError) throw new UsageError(`--model ${path}: ${(error as Error).message.replace(/^MODEL \S+: /, '')}`);
    throw error;
  }
}

/**
 * The config of a new model-file run from the command line, checked completely (model file, settings, the form on
 * the model) before anything is written.
 */
export function closureConfigFromOptions(options: ParsedOptions, given: ReadonlySet<string>): ClosureConfig {
  const presetName = (options.preset as string | undefined) ?? 'default';
  const preset = closurePreset(presetName);
  const lvOnly = SETTING_ROWS.filter((row) => !CLOSURE_ROWS.some((r) => r.flag === row.flag)).map((row) => row.flag).filter((flag) => given.has(flag));
  if (lvOnly.length > 0) throw new UsageError(`${lvOnly.map((f) => `--${f}`).join(', ')} ${lvOnly.length === 1 ? 'is an option' : 'are options'} of the Lotka-Volterra presets (quick, paper, paper-original), not of --preset ${presetName}`);
  const model = options.model !== undefined ? String(options.model) : preset.model !== undefined ? bundledLatticeModel(preset.model) : undefined;
  if (model === undefined) throw new UsageError(`--preset ${presetName} needs --model FILE (a lattice model file)`);
  const parsed = loadModelOption(model);
  const settings = closureSettings(preset, parsed, options);
  const config = makeClosureConfig(presetName, Number(options.seed), resolve(model), settings);
  try {
    createMachine(closureMachineSpec(config));
  } catch (error) {
    throw new UsageError(`--form ${settings.train.form} does not fit the model (${settings.simulate.shape}, species ${parsed.file.species.join(', ')}): ${(error as Error).message}`);
  }
  try {
    closureDomain(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return config;
}

/** Runs `closure all`. */
export async function runClosureAll(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  const given = context?.given ?? new Set<string>();
  const resume = options.resume === true;
  const settingFlags = Object.keys(ALL_SETTING_OPTIONS);
  if (resume) {
    const conflicting = [...given].filter((flag) => flag === 'preset' || flag === 'seed' || flag === 'model' || settingFlags.includes(flag));
    if (conflicting.length > 0) {
      throw new UsageError(`--resume continues with DIR/config.json's settings; drop ${conflicting.map((f) => `--${f}`).join(', ')} (or start a new run without --resume)`);
    }
  }
  if (resume && options.force === true) throw new UsageError('--resume continues the experiment in DIR and --force replaces it; give one of them');
  const presetName = (options.preset as string | undefined) ?? (options.model === undefined ? 'quick' : 'default');
  const lv = (LV_PRESETS as readonly string[]).includes(presetName);
  let pipelineOptions: Parameters<typeof runPipeline>[1] = { resume, force: options.force === true, until: options.until as LvStage | undefined };
  if (!resume && lv) {
    const closureOnly = CLOSURE_ROWS.filter((row) => !SETTING_ROWS.some((r) => r.flag === row.flag)).map((row) => row.flag).filter((flag) => given.has(flag));
    if (closureOnly.length > 0) throw new UsageError(`${closureOnly.map((f) => `--${f}`).join(', ')} cannot apply to --preset ${presetName} (the Lotka-Volterra experiment; its options are those of 'srn-bench lv all')`);
    if (options.model !== undefined && resolve(String(options.model)) !== resolve(bundledLatticeModel('lotka-volterra.lattice'))) {
      throw new UsageError(`--model ${String(options.model)}: --preset ${presetName} runs the bundled lotka-volterra.lattice; give --preset default (or another model-file preset) for another model file`);
    }
    pipelineOptions = { ...pipelineOptions, preset: presetName as LvPreset, seed: Number(options.seed), settings: settingsFromOptions(presetName as LvPreset, options) };
  } else if (!resume) {
    pipelineOptions = { ...pipelineOptions, config: closureConfigFromOptions({ ...options, preset: presetName }, given) };
  }
  const queue = queueSettings(options);
  const repeated = await runRepeated(
    options,
    cliContext(String(options.out), Number(options.workers), context?.signal, true).dir,
    commandLine('srn-bench closure all', options, given),
    async (run) => {
      let one: typeof pipelineOptions;
      if (lv) {
        const settings = pipelineOptions.settings!;
        one = { ...pipelineOptions, seed: run.seed, settings: run.trainRuns !== undefined ? { ...settings, simulate: { ...settings.simulate, trainRuns: run.trainRuns } } : settings };
      } else {
        const runOptions = { ...options, preset: presetName, seed: run.seed, ...(run.trainRuns !== undefined ? { samples: run.trainRuns } : {}) };
        one = { ...pipelineOptions, config: closureConfigFromOptions(runOptions, run.trainRuns !== undefined ? new Set([...given, 'samples']) : given) };
      }
      const runCtx = cliContext(run.dir, Number(options.workers), context?.signal, true);
      if (queue) runCtx.ensemble = latticeQueueEnsemble(queue);
      const result = await runPipeline(runCtx, one);
      return result.finished && result.records.report !== undefined;
    },
    (line) => process.stdout.write(`${line}\n`),
    given,
  );
  if (repeated) return;
  const ctx = cliContext(String(options.out), Number(options.workers), context?.signal, true);
  if (queue) ctx.ensemble = latticeQueueEnsemble(queue);
  const result = await runPipeline(ctx, {
    ...pipelineOptions,
    stopAfterTrainSteps: options.stopAfterTrainSteps === undefined ? undefined : Number(options.stopAfterTrainSteps),
  });
  if (!result.finished || !result.records.report) {
    process.stdout.write(`closure: stopped after ${result.ran.at(-1) ?? 'nothing'} in ${result.seconds.toFixed(1)} s; continue with: srn-bench closure all --out ${ctx.dir} --resume\n`);
    return;
  }
  process.stdout.write(`closure: done in ${result.seconds.toFixed(1)} s; report: ${join(ctx.dir, 'report', 'report.md')} (and report.html)\n`);
  const metricsPath = join(ctx.dir, 'report', 'metrics.json');
  const metrics = JSON.parse(readFileSync(metricsPath, 'utf8')) as { summary?: string[] };
  if (metrics.summary) process.stdout.write(`${metrics.summary.join('\n')}\n`);
}

/** Declarations of the stage commands `closure simulate|train|predict|report`. */
function stageSpec(stage: LvStage, summary: string, extra: CommandSpec['options'] = {}): CommandSpec {
  return { name: `closure ${stage}`, summary, options: { out: OUT_OPTION, ...extra }, examples: [`srn-bench closure ${stage} --out out/barw`] };
}

export const closureSimulateSpec = stageSpec('simulate', 'Stage 1 of closure all: the training and held-out ensembles of DIR/config.json (DIR/simulate).', {
  workers: WORKERS_OPTION,
  ...queueOptions(100),
});
export const closureTrainSpec = stageSpec('train', 'Stage 2 of closure all: train the dynamic Boltzmann distribution (DIR/train); Ctrl-C checkpoints, --resume continues.', {
  'resume': { type: 'boolean', description: 'continue from DIR/train/checkpoint.bin' },
  'stop-after-steps': { type: 'integer', description: 'stop with a checkpoint after N steps of this session', min: 0, max: 1e9, placeholder: 'N' },
});
export const closurePredictSpec = stageSpec('predict', 'Stage 3 of closure all: learned-closure moments per initial condition and the generated baselines (DIR/predict).');
export const closureReportSpec = stageSpec('report', 'Stage 4 of closure all: report.md, report.html, metrics.json and figures (DIR/report).');

/** Runs `closure simulate`. */
export async function runClosureSimulate(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  const ctx = cliContext(String(options.out), Number(options.workers), context?.signal, false);
  const queue = queueSettings(options);
  if (queue) ctx.ensemble = latticeQueueEnsemble(queue);
  await runSimulateStage(ctx);
}

/** Runs `closure train`. */
export async function runClosureTrain(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  const ctx = cliContext(String(options.out), 1, context?.signal, false);
  await runTrainStage(ctx, { resume: options.resume === true, stopAfterSteps: options.stopAfterSteps === undefined ? undefined : Number(options.stopAfterSteps) });
}

/** Runs `closure predict`. */
export async function runClosurePredict(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  await runPredictStage(cliContext(String(options.out), 1, context?.signal, false));
}

/** Runs `closure report`. */
export async function runClosureReport(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  await runReportStage(cliContext(String(options.out), 1, context?.signal, false));
}

