/**
 * File output for the CLI: atomic writes (temporary file in the same directory, then rename), output directories
 * checked up front, and a progress bar that only appears on an interactive stderr.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
 * Writes the concatenation of `chunks` to `path` atomically, one chunk at a time, so that a file larger than the
 * longest possible string (about 512 MB) can be written from a generator.
 *
 * @example
 * ```ts
 * writeFileAtomicChunks('out/big.csv', (function* () { yield 'time,X\n'; yield '0,1\n'; })());
 * ```
 */
export function writeFileAtomicChunks(path: string, chunks: Iterable<string | Uint8Array>): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'w');
    try {
      for (const chunk of chunks) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
      }
    } finally {
      closeSync(fd);
    }
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
  // One level at a time from the nearest existing ancestor: mkdirSync's recursive mode loops forever under /proc.
  const missing: string[] = [];
  let existing = resolve(dir);
  while (!existsSync(existing)) {
    missing.push(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(path, { throwIfNoEntry: false })?.isDirectory()) continue;
      const why = code === 'ENOENT' || code === 'ENOTDIR' ? `${code}: ${dirname(path)} cannot hold directories` : (code ?? (error as Error).message);
      throw new UsageError(`${option} ${dir}: cannot create the directory (${why})`);
    }
  }
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${option} ${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${dir} is not writable`);
  }
}

/**
 * The staging directory of an output directory: `<dir>.partial`. A stage writes there and {@link commitDirectory}
 * moves it into place, so `dir` always holds the files of one complete run (or the previous one), never a mix.
 *
 * @example
 * ```ts
 * stagingPath('out/lv/predict'); // 'out/lv/predict.partial'
 * ```
 */
export function stagingPath(dir: string): string {
  return `${dir}.partial`;
}

/**
 * Starts an empty staging directory for `dir` (a leftover of an interrupted run is removed) and returns its path.
 *
 * @example
 * ```ts
 * const work = startStaging('out/lv/predict');
 * ```
 */
export function startStaging(dir: string): string {
  const staging = stagingPath(dir);
  rmSync(staging, { recursive: true, force: true });
  prepareOutputDirectory(staging);
  return staging;
}

/**
 * Replaces `dir` by its staging directory: the old `dir` is removed, then the staging directory renamed. A crash in
 * between leaves no `dir` (the stage is simply rerun), never a mix of two runs.
 *
 * @example
 * ```ts
 * commitDirectory('out/lv/predict');
 * ```
 */
export function commitDirectory(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  renameSync(stagingPath(dir), dir);
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
