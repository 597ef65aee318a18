/**
 * The CLI side of a stage: output directory checks, stdout lines, progress bars on an interactive stderr.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { type OptionSpec, UsageError } from '../args.ts';
import { prepareOutputDirectory, startProgress } from '../io.ts';
import type { StageContext } from './context.ts';

/** `--out` of the lv stage commands. */
export const OUT_OPTION: OptionSpec = { type: 'string', description: 'experiment directory', required: true, placeholder: 'DIR', path: 'output' };
/** `--workers`. */
export const WORKERS_OPTION: OptionSpec = {
  type: 'integer',
  description: 'worker threads for the simulations (results do not depend on it)',
  default: availableParallelism(),
  min: 1,
  max: 256,
};

/**
 * Builds the context of a stage command. `create` makes DIR if needed (lv all); otherwise DIR must exist.
 *
 * @example
 * ```ts
 * const ctx = cliContext('out/lv', 2, signal, true);
 * ```
 */
export function cliContext(out: string, workers: number, signal: AbortSignal | undefined, create: boolean): StageContext {
  const dir = resolve(out);
  if (!create && (!existsSync(dir) || !statSync(dir).isDirectory())) {
    throw new UsageError(`--out ${out} is not an existing experiment directory; start one with 'srn-bench lv all --out ${out}'`);
  }
  prepareOutputDirectory(dir);
  return {
    dir,
    workers,
    signal,
    log: (line) => process.stdout.write(`${line}\n`),
    progress: (label, total) => startProgress(label, total),
  };
}
