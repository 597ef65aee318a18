/**
 * `srn-bench lv report`: the report stage (reads DIR/simulate, DIR/train, DIR/predict; writes DIR/report).
 */
import type { CommandSpec, ParsedOptions } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { cliContext, OUT_OPTION } from '../closure/cli-context.ts';
import { runReportStage } from '../closure/report-stage.ts';

/** Declaration of `lv report`. */
export const lvReportSpec: CommandSpec = {
  name: 'lv report',
  summary:
    'Write the report, metrics and figures (stage 4 of lv all). DIR/report/{report.md, report.html, metrics.json} and the ' +
    'figures (SVG, PNG, vega-lite spec); metrics per moment and predictor on training and held-out data, quality targets.',
  options: { out: OUT_OPTION },
  examples: ['srn-bench lv report --out out/lv'],
};

/** Runs `lv report`. */
export async function runLvReport(options: ParsedOptions, _positionals: string[], context?: CommandContext): Promise<void> {
  await runReportStage(cliContext(String(options.out), 1, context?.signal, false));
}
