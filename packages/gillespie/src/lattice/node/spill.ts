/**
 * A file where the replicates of a long lattice ensemble leave their observables and counts until the reduction,
 * instead of memory: one fixed-size record per run, read back one run at a time into one reused buffer.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import type { LatticeReplicate, LatticeReplicateData } from '../ensemble.ts';

/**
 * Observables (`steps × K` doubles) and counts (`steps × S` 32-bit integers) of every run of an ensemble, in a
 * file at `path` (created, or truncated), record `run` at byte `run × (8·steps·K + 4·steps·S)`. `put` writes a
 * replicate's record; `data` reads one back (the arrays are reused by the next call, as
 * `summarizeLatticeEnsemble` allows); `close` removes the file. The bytes are the arrays' own, so a reduction over
 * the file is bit-identical to one over memory.
 *
 * @example
 * ```ts
 * const spill = new LatticeReplicateSpill('out/.replicates', 500, 8, 2);
 * for (const r of replicates) spill.put(r);
 * const summary = summarizeLatticeEnsemble(config, replicates, {}, spill.data);
 * spill.close();
 * ```
 */
export class LatticeReplicateSpill {
  /** The scratch file. */
  readonly path: string;
  private fd: number;
  private readonly observables: Float64Array;
  private readonly counts: Int32Array;
  private readonly record: Uint8Array;

  /** Creates (or truncates) `path` for records of `steps` time points, `observables` columns and `species` counts. */
  constructor(path: string, steps: number, observables: number, species: number) {
    if (typeof path !== 'string' || path.length === 0) throw new TypeError(`path must be a non-empty string; got ${String(path)}`);
    for (const [name, value] of [['steps', steps], ['observables', observables], ['species', species]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer; got ${String(value)}`);
    }
    this.path = path;
    // One buffer, doubles first (8-byte aligned), holding a record as it is on disk.
    const buffer = new ArrayBuffer(8 * steps * observables + 4 * steps * species);
    this.observables = new Float64Array(buffer, 0, steps * observables);
    this.counts = new Int32Array(buffer, this.observables.byteLength, steps * species);
    this.record = new Uint8Array(buffer);
    this.fd = openSync(path, 'w+');
  }

  /** Writes `replicate`'s observables and counts as record `replicate.run` (their sizes must be the spill's). */
  put(replicate: LatticeReplicate): void {
    const { observables, counts, run } = replicate;
    if (observables.length !== this.observables.length || counts.length !== this.counts.length) {
      throw new RangeError(`replicate ${run}: observables and counts must hold ${this.observables.length} and ${this.counts.length} values`);
    }
    const at = run * this.record.length;
    this.writeAll(new Uint8Array(observables.buffer, observables.byteOffset, observables.byteLength), at);
    this.writeAll(new Uint8Array(counts.buffer, counts.byteOffset, counts.byteLength), at + observables.byteLength);
  }

  /** Reads record `replicate.run` back into the reused arrays (valid until the next call). */
  readonly data = (replicate: LatticeReplicate): LatticeReplicateData => {
    const at = replicate.run * this.record.length;
    let read = 0;
    while (read < this.record.length) {
      const n = readSync(this.fd, this.record, read, this.record.length - read, at + read);
      if (n === 0) throw new RangeError(`replicate ${replicate.run}: not in the spill file ${this.path}`);
      read += n;
    }
    return { observables: this.observables, counts: this.counts };
  };

  /** Closes and removes the file (again: nothing). */
  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    rmSync(this.path, { force: true });
  }

  private writeAll(bytes: Uint8Array, position: number): void {
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written, position + written);
  }
}
