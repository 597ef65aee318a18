/**
 * Property-based fuzzing of every file the lv pipeline reads back (issue #20), and of `simulate --settings` files: a
 * mutated file may be accepted (exit 0) or rejected with the CLI's own typed error (exit 1 naming a file of the
 * experiment and the command that regenerates it, or exit 2 for a usage error); never an untyped exception.
 * FUZZ_RUNS raises the number of mutations per file (default 4, to keep CI fast; the mutations are random each run,
 * and a failure prints fast-check's seed and path to replay it).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, isTypedFailure, TINY_ARGS } from './tiny-experiment.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 4);

/** Tokens that break a number, a CSV cell or a JSON value in the ways a disk, an editor or a bug would. */
const BAD_TOKENS = ['NaN', 'Infinity', '-Infinity', '1e400', '-1', '0x10', '', ' ', 'abc', '"', ',', '\n', '\u0000', '\uFFFD', 'null', '[]', '{}', '1e-400', '-0', '9007199254740993'];

/** A position in a file, as a fraction of its length (below 1, so that it always picks an existing line or cell). */
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** A mutation of a file's bytes. */
const mutation: fc.Arbitrary<(bytes: Buffer) => Buffer> = fc.oneof(
  // Truncated (a crash while writing, a full disk).
  fraction.map((f) => (b: Buffer) => b.subarray(0, Math.floor(f * b.length))),
  // Random bytes over a stretch (bit rot), or instead of the whole file.
  fc.tuple(fraction, fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([f, junk]) => (b: Buffer) => {
    const at = Math.floor(f * b.length);
    return Buffer.concat([b.subarray(0, at), Buffer.from(junk), b.subarray(Math.min(b.length, at + junk.length))]);
  }),
  fc.uint8Array({ maxLength: 512 }).map((junk) => () => Buffer.from(junk)),
  // A token replaced by a bad one (text files: a CSV cell, a JSON value or key).
  fc.tuple(fraction, fc.constantFrom(...BAD_TOKENS)).map(([f, token]) => (b: Buffer) => {
    const text = b.toString('latin1');
    const cells = [...text.matchAll(/[^,\n:{}[\]"\s]+/g)];
    if (cells.length === 0) return b;
    const cell = cells[Math.floor(f * cells.length)];
    return Buffer.from(text.slice(0, cell.index) + token + text.slice(cell.index! + cell[0].length), 'latin1');
  }),
  // A line dropped or duplicated (rows out of step with the settings).
  fc.tuple(fraction, fc.boolean()).map(([f, drop]) => (b: Buffer) => {
    const lines = b.toString('latin1').split('\n');
    const i = Math.floor(f * lines.length);
    lines.splice(i, drop ? 1 : 0, ...(drop ? [] : [lines[i]]));
    return Buffer.from(lines.join('\n'), 'latin1');
  }),
);

/** Every file a stage reads back, and the command that reads it. */
const STAGE_FILES: [file: string, command: string, extra?: string[]][] = [
  ['config.json', 'predict'],
  ['simulate/stage.json', 'report'],
  ['simulate/train/moments.csv', 'report'],
  ['simulate/heldout/moments.csv', 'report'],
  ['simulate/train/trajectories/run-0001.srnl', 'train'],
  ['train/stage.json', 'predict'],
  ['train/model.bin', 'predict'],
  ['train/checkpoint.bin', 'train', ['--resume']],
  ['train/history.csv', 'report'],
  ['predict/stage.json', 'report'],
  ['predict/theta.csv', 'report'],
  ['predict/moments-raw.csv', 'report'],
  ['predict/moments-filtered.csv', 'report'],
  ['predict/baselines.csv', 'report'],
  ['predict/channels.csv', 'report'],
  ['predict/layers.json', 'report'],
];

describe('fuzzed stage files: success or a typed error', () => {
  let root: string;
  let ref: string;
  let work: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'srn-fuzz-'));
    ref = join(root, 'ref');
    work = join(root, 'work');
    const r = await cli(['lv', 'all', '--out', ref, ...TINY_ARGS]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const [file, command, extra = []] of STAGE_FILES) {
    it(`${file} (read by lv ${command})`, async () => {
      const original = readFileSync(join(ref, file));
      await fc.assert(
        fc.asyncProperty(mutation, async (mutate) => {
          rmSync(work, { recursive: true, force: true });
          cpSync(ref, work, { recursive: true });
          writeFileSync(join(work, file), mutate(original));
          const r = await cli(['lv', command, '--out', work, ...extra]);
          if (r.code === 0) return;
          expect(isTypedFailure(r), r.stderr).toBe(true);
          if (r.code === 1) {
            // Names a file of the experiment and the command that regenerates it.
            expect(r.stderr).toContain(work);
            expect(r.stderr).toMatch(/'srn-bench lv [a-z]+ --out /);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe('fuzzed simulate --settings files: success or a typed error', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'srn-fuzz-settings-'));
    // A birth-death model that dies out: whatever duration a mutation makes, a run has at most a few events.
    writeFileSync(join(dir, 'decay.srn'), 'X -> 0 @ 0.5 * X\nX = 6\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('settings files of the SBML test suite, mutated', async () => {
    const original = Buffer.from('start: 0\nduration: 5\nsteps: 50\nvariables: X\nabsolute: 0.0001\nrelative: 0.0001\namount: X\nconcentration:\noutput: X-mean, X-sd\n');
    await fc.assert(
      fc.asyncProperty(mutation, async (mutate) => {
        const settings = join(dir, 'settings.txt');
        writeFileSync(settings, mutate(original));
        const out = join(dir, 'out');
        rmSync(out, { recursive: true, force: true });
        const r = await cli(['simulate', join(dir, 'decay.srn'), '--settings', settings, '--runs', '2', '--workers', '1', '--max-events', '1000', '--out', out]);
        if (r.code !== 0) {
          expect(r.code, r.stderr).toBe(2);
          expect(isTypedFailure(r), r.stderr).toBe(true);
          expect(r.stderr.length).toBeLessThan(1000);
        }
      }),
      { numRuns: RUNS * 10 },
    );
  });
});
