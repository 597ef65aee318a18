/**
 * `srn-bench lv predict`: the predict stage (reads DIR/train/model.bin; writes DIR/predict).
 */
import type { CommandSpec, ParsedOptions } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { cliContext, OUT_OPTION } from '../closure/cli-context.ts';
import { runPredictStage } from '../closure/predict-stage.ts';

/** Declaration of `lv predict`. */
export const lvPredictSpec: CommandSpec = {
  name: 'lv predict',
  summary:
    'Predict moments with the learned closure and the baselines (stage 3 of lv all). Raw and low-pass filtered θ, ' +
    'closure channels, mean-field and pair-approximation curves; writes DIR/predict/*.csv.',
  options: { out: OUT_OPTION },
  examples: ['srn-bench lv predict --out out/lv'],
};

/** Runs `lv predict`. */
export async function runLvPredict(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  await runPredictStage(cliContext(String(options.out), 1, context?.signal, false));
}
