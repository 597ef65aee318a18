/**
 * `srn-bench lv all`: the lattice Lotka-Volterra moment-closure experiment of arXiv 1905.12122 end to end
 * (simulate → train → predict → report) in one directory, at the `quick` or `paper` preset with any setting
 * overridden, reproducible from one seed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { cliContext, OUT_OPTION, WORKERS_OPTION } from '../closure/cli-context.ts';
import { LV_PRESETS, type LvPreset, SETTING_OPTIONS, SETTING_ROWS, settingsFromOptions } from '../closure/config.ts';
import { runPipeline } from '../closure/pipeline.ts';
import { commandLine, REPEAT_OPTIONS, runRepeated } from '../closure/repeat.ts';
import { LV_STAGES, type LvStage } from '../closure/stage.ts';

/** Declaration of `lv all`. */
export const lvAllSpec: CommandSpec = {
  name: 'lv all',
  summary:
    'Run the lattice Lotka-Volterra moment-closure experiment (arXiv 1905.12122) end to end. Writes DIR/config.json, DIR/simulate (training and ' +
    'held-out ensembles), DIR/train, DIR/predict, DIR/report (report.md, report.html, metrics.json, figures). ' +
    'Presets: quick (about 3 minutes on 2 cores) and paper (spec 6.8); every setting can be overridden.',
  options: {
    'out': OUT_OPTION,
    'preset': { type: 'choice', description: 'settings preset', choices: [...LV_PRESETS], default: 'quick' },
    'seed': { type: 'integer', description: 'seed of every random stream of the run', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'resume': { type: 'boolean', description: "continue the run in DIR with its config.json (skips finished stages, resumes training)" },
    'force': { type: 'boolean', description: 'replace an experiment with other settings in DIR (its files are deleted)' },
    'until': { type: 'choice', description: 'stop after this stage', choices: [...LV_STAGES] },
    'stop-after-train-steps': { type: 'integer', description: 'stop training (with a checkpoint) after N steps of this session', min: 0, max: 1e9, placeholder: 'N' },
    'workers': WORKERS_OPTION,
    ...REPEAT_OPTIONS,
    ...SETTING_OPTIONS,
  },
  examples: [
    'srn-bench lv all --out out/lv',
    'srn-bench lv all --preset paper --seed 7 --out out/lv-paper',
    'srn-bench lv all --out out/lv --size 30 --train-steps 500 --optimizer adam --learning-rate 1e-3',
    'srn-bench lv all --out out/lv --resume',
    'srn-bench lv all --preset quick --seeds 1-3 --out out/lv-seeds',
    'srn-bench lv all --preset quick --seeds 1-3 --train-runs-sweep 25,50,100 --out out/lv-sweep',
  ],
};

/** Runs `lv all`. */
export async function runLvAll(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  const given = context?.given ?? new Set<string>();
  const resume = options.resume === true;
  if (resume) {
    const conflicting = [...given].filter((flag) => flag === 'preset' || flag === 'seed' || SETTING_ROWS.some((row) => row.flag === flag));
    if (conflicting.length > 0) {
      throw new UsageError(`--resume continues with DIR/config.json's settings; drop ${conflicting.map((f) => `--${f}`).join(', ')} (or start a new run without --resume)`);
    }
  }
  if (resume && options.force === true) throw new UsageError('--resume continues the experiment in DIR and --force replaces it; give one of them');
  const preset = options.preset as LvPreset;
  const settings = resume ? undefined : settingsFromOptions(preset, options);
  const repeated = await runRepeated(
    options,
    cliContext(String(options.out), Number(options.workers), context?.signal, true).dir,
    commandLine('srn-bench lv all', options, given),
    async (run) => {
      const runSettings = settings && run.trainRuns !== undefined ? { ...settings, simulate: { ...settings.simulate, trainRuns: run.trainRuns } } : settings;
      const one = await runPipeline(cliContext(run.dir, Number(options.workers), context?.signal, true), { preset, seed: run.seed, settings: runSettings, force: options.force === true });
      return one.finished && one.records.report !== undefined;
    },
    (line) => process.stdout.write(`${line}\n`),
    given,
  );
  if (repeated) return;
  const ctx = cliContext(String(options.out), Number(options.workers), context?.signal, true);
  const result = await runPipeline(ctx, {
    resume,
    preset,
    seed: Number(options.seed),
    settings,
    force: options.force === true,
    until: options.until as LvStage | undefined,
    stopAfterTrainSteps: options.stopAfterTrainSteps === undefined ? undefined : Number(options.stopAfterTrainSteps),
  });
  if (!result.finished || !result.records.report) {
    process.stdout.write(`lv: stopped after ${result.ran.at(-1) ?? 'nothing'} in ${result.seconds.toFixed(1)} s; continue with: srn-bench lv all --out ${ctx.dir} --resume\n`);
    return;
  }
  const metrics = JSON.parse(readFileSync(join(ctx.dir, 'report', 'metrics.json'), 'utf8')) as {
    qualityTargets: { rows: { moment: string; learned: number | null; pair: number | null; target: number; pass: boolean }[] };
  };
  const lines = [`lv: done in ${result.seconds.toFixed(1)} s; report: ${join(ctx.dir, 'report', 'report.md')} (and report.html)`];
  lines.push(`held-out mean relative error, learned (filtered θ) vs pair approximation [target${result.config.preset === 'paper' ? '' : ', defined for the paper preset'}]:`);
  for (const row of metrics.qualityTargets.rows) {
    const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`);
    lines.push(`  ${row.moment.padEnd(7)} ${pct(row.learned).padStart(8)} vs ${pct(row.pair).padStart(8)}  [< ${pct(row.target)}] ${row.pass ? 'PASS' : 'FAIL'}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
