/**
 * Lattice snapshot and trajectory files: the paper's text format (one file per snapshot), the compact binary form,
 * and atomic writes (temporary file, then rename).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeLattice, encodeLattice, type LatticeSnapshot, type LatticeTrajectory, snapshotAt } from '../snapshot.ts';
import { formatSnapshotText, parseSnapshotText } from './text.ts';

/**
 * Writes `data` to `path` atomically: into a temporary file in the same directory, then renamed over `path`, so a
 * reader never sees a partial file. Creates the directory if needed.
 *
 * @example
 * ```ts
 * await writeFileAtomic('out/moments.csv', csv);
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new TypeError(`path must be a non-empty string; got ${String(path)}`);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Writes one snapshot in the paper's text format (atomically).
 *
 * @example
 * ```ts
 * await writeSnapshotText('run1/lattice/0000.txt', snapshot);
 * ```
 */
export async function writeSnapshotText(path: string, snapshot: LatticeSnapshot): Promise<void> {
  await writeFileAtomic(path, formatSnapshotText(snapshot));
}

/**
 * Reads a snapshot in the paper's text format.
 *
 * @example
 * ```ts
 * const snap = await readSnapshotText('run1/lattice/0000.txt', [40, 40], ['X', 'Y']);
 * ```
 */
export async function readSnapshotText(path: string, shape: number[], species?: string[]): Promise<LatticeSnapshot> {
  return parseSnapshotText(await readFile(path, 'utf8'), shape, species);
}

/**
 * Writes every snapshot of a trajectory as `dir/0000.txt`, `dir/0001.txt`, … (the original's `lattice/` layout;
 * at least four digits).
 *
 * @example
 * ```ts
 * await writeTrajectoryText('run1/lattice', trajectory);
 * ```
 */
export async function writeTrajectoryText(dir: string, trajectory: LatticeTrajectory): Promise<void> {
  const digits = Math.max(4, String(trajectory.times.length - 1).length);
  for (let t = 0; t < trajectory.times.length; t++) {
    await writeSnapshotText(join(dir, `${String(t).padStart(digits, '0')}.txt`), snapshotAt(trajectory, t));
  }
}

/**
 * Writes a trajectory or snapshot in the compact binary form of `encodeLattice` (atomically).
 *
 * @example
 * ```ts
 * await writeLatticeFile('run1.srnl', trajectory);
 * ```
 */
export async function writeLatticeFile(path: string, data: LatticeTrajectory | LatticeSnapshot): Promise<void> {
  await writeFileAtomic(path, encodeLattice(data));
}

/**
 * Reads a file written by {@link writeLatticeFile}.
 *
 * @example
 * ```ts
 * const trajectory = await readLatticeFile('run1.srnl');
 * ```
 */
export async function readLatticeFile(path: string): Promise<LatticeTrajectory> {
  const buffer = await readFile(path);
  return decodeLattice(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
}
