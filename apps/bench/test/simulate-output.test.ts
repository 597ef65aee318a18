import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnsembleStatistics } from '@srn/gillespie';
import { afterAll, describe, expect, it, vi } from 'vitest';

// Record how many grid rows each ensembleToCsv call formats: a file written as one string fails with "Invalid string
// length" beyond about 512 MB (`simulate --steps 10000000`), so the writer must format bounded pieces.
const rowsPerCall: number[] = [];
vi.mock('@srn/gillespie', async (importOriginal) => {
  const original = await importOriginal<typeof import('@srn/gillespie')>();
  return {
    ...original,
    ensembleToCsv: (stats: EnsembleStatistics, kind?: 'mean-sd' | 'mean' | 'sd') => {
      rowsPerCall.push(stats.times.length);
      return original.ensembleToCsv(stats, kind);
    },
  };
});

const { ensembleToCsv } = await vi.importActual<typeof import('@srn/gillespie')>('@srn/gillespie');
const { writeEnsembleFiles } = await import('../src/commands/simulate.ts');

/** Synthetic statistics of two species on G grid points (values with many digits, one capped run). */
function statistics(G: number): EnsembleStatistics {
  const S = 2;
  const mean = Float64Array.from({ length: G * S }, (_, i) => Math.sin(i) * 1000);
  const sd = Float64Array.from({ length: G * S }, (_, i) => Math.cos(i) ** 2);
  return {
    species: ['X', 'Y'],
    times: Float64Array.from({ length: G }, (_, g) => g / 7),
    runs: 3,
    count: Float64Array.from({ length: G }, (_, g) => (g < G - 5 ? 3 : 2)),
    mean,
    sd,
    events: 10,
    flagged: [{ run: 1, status: 'event-cap', stoppedAt: (G - 5) / 7 }],
    kernelSeconds: 1,
    eventsPerSecond: 10,
  } as EnsembleStatistics;
}

describe('simulate output files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'srn-sim-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams every file in bounded pieces, byte-identical to formatting it whole', () => {
    const stats = statistics(25_003);
    rowsPerCall.length = 0;
    writeEnsembleFiles(dir, stats, { runs: 3 });
    expect(rowsPerCall.length).toBeGreaterThan(3);
    expect(Math.max(...rowsPerCall)).toBeLessThanOrEqual(10_000);
    for (const [file, kind] of [['moments.csv', 'mean-sd'], ['mean.csv', 'mean'], ['sd.csv', 'sd']] as const) {
      expect(readFileSync(join(dir, file), 'utf8'), file).toBe(ensembleToCsv(stats, kind));
    }
  });

  it('gives the same bytes for any piece size, one row included', () => {
    const stats = statistics(23);
    for (const rows of [1, 4, 23, 100]) {
      const sub = join(dir, `rows-${rows}`);
      rmSync(sub, { recursive: true, force: true });
      mkdirSync(sub);
      writeEnsembleFiles(sub, stats, {}, 'wide', rows);
      expect(readFileSync(join(sub, 'moments.csv'), 'utf8')).toBe(ensembleToCsv(stats, 'mean-sd'));
    }
  });
});
