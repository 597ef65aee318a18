/**
 * LV does not change: `lv all --preset quick` (and `closure all --preset quick`, the same pipeline) of the tiny
 * experiment writes the same bytes as main did before
 * `srn-bench closure` generalised the pipeline (the sha256 of every moments / θ / prediction file, recorded on main
 * d5405a8 with SRN_RECORD_LV_FIXTURE=1 into fixtures/lv-tiny/sha256.json). Identical files for this run mean the same
 * code path with the same random streams, so the paper preset's metrics stay those quoted in the README.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, TINY_ARGS } from './tiny-experiment.ts';

const FIXTURE = new URL('./fixtures/lv-tiny/sha256.json', import.meta.url);
const FILES = [
  'simulate/train/moments.csv',
  'simulate/heldout/moments.csv',
  'train/theta.csv',
  'train/model.bin',
  'predict/theta.csv',
  'predict/moments-raw.csv',
  'predict/moments-filtered.csv',
  'predict/channels.csv',
];

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('lv all --preset quick (tiny) is byte-identical to main', () => {
  const root = mkdtempSync(join(tmpdir(), 'srn-lv-identity-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([['lv'], ['closure']])('%s all writes the moments, θ and prediction files main wrote', async (command) => {
    const out = join(root, command);
    const result = await cli([command, 'all', '--preset', 'quick', '--out', out, ...TINY_ARGS]);
    expect(result.code, result.stderr).toBe(0);
    const hashes = Object.fromEntries(FILES.map((file) => [file, sha256(join(out, file))]));
    if (process.env.SRN_RECORD_LV_FIXTURE === '1' && command === 'lv') writeFileSync(FIXTURE, `${JSON.stringify(hashes, null, 2)}\n`);
    expect(hashes).toEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
  }, 60_000);
});
