/**
 * `srn-bench lv train`: the train stage of the lattice Lotka-Volterra experiment (reads DIR/config.json and
 * DIR/simulate; writes DIR/train). Ctrl-C leaves DIR/train/checkpoint.bin; `--resume` continues from it.
 */
import type { CommandSpec, ParsedOptions } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { cliContext, OUT_OPTION } from '../closure/cli-context.ts';
import { runTrainStage } from '../closure/train-stage.ts';

/** Declaration of `lv train`. */
export const lvTrainSpec: CommandSpec = {
  name: 'lv train',
  summary:
    'Train the dynamic Boltzmann distribution (stage 2 of lv all). Reads DIR/simulate/train and DIR/config.json; writes DIR/train/' +
    '{model.bin, theta.csv, history.csv, checkpoint.bin}. Ctrl-C checkpoints; --resume continues to the same result.',
  options: {
    'out': OUT_OPTION,
    'resume': { type: 'boolean', description: 'continue from DIR/train/checkpoint.bin' },
    'stop-after-steps': { type: 'integer', description: 'stop with a checkpoint after N steps of this session', min: 0, max: 1e9, placeholder: 'N' },
  },
  examples: ['srn-bench lv train --out out/lv', 'srn-bench lv train --out out/lv --resume'],
};

/** Runs `lv train`. */
export async function runLvTrain(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  const ctx = cliContext(String(options.out), 1, context?.signal, false);
  await runTrainStage(ctx, {
    resume: options.resume === true,
    stopAfterSteps: options.stopAfterSteps === undefined ? undefined : Number(options.stopAfterSteps),
  });
}
