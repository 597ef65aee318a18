/**
 * File output for the CLI: atomic writes (temporary file in the same directory, then rename), output directories
 * checked up front, and a progress bar that only appears on an interactive stderr.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import cliProgress from 'cli-progress';
import { UsageError } from './args.ts';

/**
 * Writes `data` to `path` atomically: readers see the old file or the new one, never a partial one.
 *
 * @example
 * ```ts
 * writeFileAtomic('out/summary.json', JSON.stringify(summary));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Creates `dir` if needed and checks that it is a writable directory; throws a {@link UsageError} naming it otherwise.
 *
 * @example
 * ```ts
 * prepareOutputDirectory('out/run1');
 * ```
 */
export function prepareOutputDirectory(dir: string, option = '--out'): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`${option} ${dir}: cannot create the directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`${option} ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${dir} is not writable`);
  }
}

/** A progress reporter: a bar with ETA on an interactive stderr, nothing otherwise. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/**
 * Starts a progress bar on stderr if stderr is a terminal.
 *
 * @example
 * ```ts
 * const progress = startProgress('runs', 100);
 * progress.update(10);
 * progress.stop();
 * ```
 */
export function startProgress(label: string, total: number): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
