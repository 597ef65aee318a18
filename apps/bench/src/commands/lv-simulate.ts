/**
 * `srn-bench lv simulate`: an ensemble of lattice Lotka-Volterra runs (spec sections 1-3), written as compact
 * binary trajectories plus DIR/moments.csv (time, counts, NN and NNN means and SDs, extinction fractions).
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { startProgress } from '../io.ts';
import { cliContext } from '../lv/cli-context.ts';
import { hasConfig, MIN_LATTICE_SIZE } from '../lv/config.ts';
import { lvSimulate } from '../lv/ensemble.ts';
import { runSimulateStage } from '../lv/simulate-stage.ts';

export { type LvSimulateOptions, lvSimulate } from '../lv/ensemble.ts';

/** Declaration of the `lv simulate` command. */
export const lvSimulateSpec: CommandSpec = {
  name: 'lv simulate',
  summary:
    'Simulate a lattice Lotka-Volterra ensemble (or stage 1 of lv all). Paper parameters by default; writes DIR/moments.csv ' +
    '(time,X-mean,X-sd,...,NN_*,NNN_*,extinct_*), DIR/trajectories/run-NNNN.srnl and DIR/summary.json. If DIR holds ' +
    "an experiment's config.json (from 'lv all'), runs that pipeline's simulate stage instead (DIR/simulate/train and " +
    'DIR/simulate/heldout, settings from the config).',
  options: {
    'out': { type: 'string', description: 'output directory', required: true, placeholder: 'DIR' },
    'runs': { type: 'integer', description: 'number of independent runs', default: 100, min: 1, max: 1e7 },
    'seed': { type: 'integer', description: 'seed; run i uses stream i', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'scheme': { type: 'choice', description: 'paper (operator-split hybrid) or exact (lattice SSA)', choices: ['paper', 'exact'], default: 'paper' },
    'size': { type: 'integer', description: 'lattice side L (L x L, periodic); densities stay 1/16', default: 40, min: MIN_LATTICE_SIZE, max: 16384 },
    'steps': { type: 'integer', description: 'snapshots at t = 0 .. steps-1 (dt = 1)', default: 500, min: 1, max: 1e7 },
    'workers': { type: 'integer', description: 'worker threads (results do not depend on it)', default: availableParallelism(), min: 1, max: 256 },
    'selection': {
      type: 'choice',
      description: "paper scheme: uniform picks, or 'row-biased' to emulate the original's picks (slow)",
      choices: ['uniform', 'row-biased'],
      default: 'uniform',
    },
    'exclude-extinct': { type: 'boolean', description: 'leave runs with a species at 0 at the end out of the means' },
    'trajectories': {
      type: 'choice',
      description: "binary: one .srnl file per run; text: the paper's i j SPECIES files; none",
      choices: ['binary', 'text', 'none'],
      default: 'binary',
    },
  },
  examples: ['srn-bench lv simulate --runs 100 --seed 7 --out out/lv-paper', 'srn-bench lv simulate --out out/lv   # the pipeline stage', 'srn-bench lv simulate --scheme exact --size 100 --steps 200 --out out/lv-exact'],
};

/** Runs the `lv simulate` command. */
export async function runLvSimulate(options: ParsedOptions, _positionals: string[] = [], context?: CommandContext): Promise<void> {
  if (hasConfig(resolve(String(options.out)))) {
    const standalone = [...(context?.given ?? [])].filter((flag) => flag !== 'out' && flag !== 'workers');
    if (standalone.length > 0) {
      throw new UsageError(
        `--out ${String(options.out)} holds an experiment (config.json): its simulate stage takes the settings from there, so ` +
          `${standalone.map((f) => `--${f}`).join(', ')} cannot apply; change them with 'srn-bench lv all', or use another directory for a standalone ensemble`,
      );
    }
    await runSimulateStage(cliContext(String(options.out), Number(options.workers), context?.signal, false));
    return;
  }
  const runs = Number(options.runs);
  const progress = startProgress('runs', runs);
  const { summary, wallSeconds, events } = await lvSimulate({
    out: String(options.out),
    runs,
    seed: Number(options.seed),
    scheme: options.scheme as 'paper' | 'exact',
    size: Number(options.size),
    steps: Number(options.steps),
    workers: Number(options.workers),
    selection: options.selection as 'uniform' | 'row-biased',
    excludeExtinct: options.excludeExtinct === true,
    trajectories: options.trajectories as 'binary' | 'text' | 'none',
    onProgress: (done) => progress.update(done),
  });
  progress.stop();
  const out = resolve(String(options.out));
  process.stdout.write(
    `${runs} runs in ${wallSeconds.toFixed(2)} s (${(events / wallSeconds / 1e6).toFixed(2)} M events/s); ` +
      `${summary.extinctRuns.length} runs with an extinct species${options.excludeExtinct ? ' (excluded from the means)' : ''}\n` +
      `wrote ${join(out, 'moments.csv')}, summary.json${options.trajectories === 'none' ? '' : ', trajectories/'}\n`,
  );
}
