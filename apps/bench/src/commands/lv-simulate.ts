/**
 * `srn-bench lv simulate`: `srn-bench lattice simulate` on the bundled lattice Lotka-Volterra model file
 * (`@srn/gillespie`'s examples/lattice/lotka-volterra.lattice: spec sections 1-3, the original's row-biased pick rule
 * as in `lv all`), written as compact binary trajectories plus DIR/moments.csv (time, counts, NN and NNN means and
 * SDs, extinction fractions). `--size` rescales the lattice and the initial counts (L^2 / 16 each).
 */
import { resolve } from 'node:path';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { startProgress } from '../io.ts';
import { cliContext } from '../closure/cli-context.ts';
import { hasConfig, MIN_LATTICE_SIZE } from '../closure/config.ts';
import { runSimulateStage } from '../closure/simulate-stage.ts';
import { bundledLatticeModel, latticeRunReport, latticeSimulate } from './lattice-run.ts';
import { latticeEnsembleOptions } from './lattice-simulate.ts';
import { latticeQueueEnsemble, queueOptions, queueSettings } from '../queue/options.ts';

export { type LvSimulateOptions, lvSimulate } from '../closure/ensemble.ts';

/** Declaration of the `lv simulate` command. */
export const lvSimulateSpec: CommandSpec = {
  name: 'lv simulate',
  summary:
    'Simulate a lattice Lotka-Volterra ensemble (or stage 1 of lv all): lattice simulate on the bundled model file ' +
    'examples/lattice/lotka-volterra.lattice (paper parameters, row-biased picks as in lv all); writes DIR/moments.csv ' +
    '(time,X-mean,X-sd,...,NN_*,NNN_*,extinct_*), DIR/trajectories/run-NNNN.srnl and DIR/summary.json. If DIR holds ' +
    "an experiment's config.json (from 'lv all'), runs that pipeline's simulate stage instead (DIR/simulate/train and " +
    'DIR/simulate/heldout, settings from the config).',
  options: {
    'out': { type: 'string', description: 'output directory', required: true, placeholder: 'DIR', path: 'output' },
    'runs': { type: 'integer', description: 'number of independent runs', default: 100, min: 1, max: 1e7 },
    'seed': { type: 'integer', description: 'seed; run i uses stream i', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'scheme': { type: 'choice', description: 'paper (operator-split hybrid) or exact (lattice SSA)', choices: ['paper', 'exact'], default: 'paper' },
    'size': { type: 'integer', description: 'lattice side L (L x L, periodic); densities stay 1/16', default: 40, min: MIN_LATTICE_SIZE, max: 16384 },
    'steps': { type: 'integer', description: 'snapshots at t = 0 .. steps-1 (dt = 1)', default: 500, min: 1, max: 1e7 },
    'selection': {
      type: 'choice',
      description: "paper scheme's pick rule instead of the model file's row-biased (the original's, as in lv all); uniform is faster",
      choices: ['uniform', 'row-biased'],
    },
    ...latticeEnsembleOptions,
    ...queueOptions(100),
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
  const size = Number(options.size);
  const trajectories = options.trajectories as 'binary' | 'text' | 'none';
  // Queue mode for the standalone ensemble; the pipeline's stage (above) runs locally.
  const queue = queueSettings(options);
  const progress = startProgress('runs', runs);
  const result = await latticeSimulate({
    model: bundledLatticeModel('lotka-volterra.lattice'),
    ensemble: latticeQueueEnsemble(queue),
    command: 'lv simulate',
    out: String(options.out),
    runs,
    seed: Number(options.seed),
    scheme: options.scheme as 'paper' | 'exact',
    selection: options.selection as 'uniform' | 'row-biased' | undefined,
    steps: Number(options.steps),
    workers: Number(options.workers),
    excludeExtinct: options.excludeExtinct === true,
    trajectories,
    adjust: (file) => {
      const density = Math.round((size * size) / 16);
      return { ...file, lattice: { ...file.lattice, shape: [size, size] }, initial: { type: 'counts', counts: { X: density, Y: density } } };
    },
    signal: context?.signal,
    onProgress: (done) => progress.update(done),
  });
  progress.stop();
  process.stdout.write(latticeRunReport(result, String(options.out), runs, trajectories));
}
