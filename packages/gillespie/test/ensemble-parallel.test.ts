import { describe, expect, it } from 'vitest';
import { ensembleToCsv, parseModel, simulateEnsemble } from '../src/index.ts';
import { simulateEnsembleParallel } from '../src/node.ts';

const lv = parseModel('X -> 2 X @ 1\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100');

describe('simulateEnsembleParallel', () => {
  it('gives bit-identical statistics for 1, 2 and 4 workers and for the in-thread ensemble', async () => {
    const options = { runs: 120, seed: 77, tEnd: 3, steps: 6, batchSize: 16, covariance: ['X', 'Y'], keepFinalStates: true, keepTrajectories: true, quantiles: [0.1, 0.5, 0.9] };
    const inThread = simulateEnsemble(lv, options);
    const progress: number[] = [];
    for (const workers of [1, 2, 4]) {
      const parallel = await simulateEnsembleParallel(lv, {
        ...options,
        workers,
        onProgress: (done) => progress.push(done),
      });
      expect(Array.from(parallel.mean)).toEqual(Array.from(inThread.mean));
      expect(Array.from(parallel.sd)).toEqual(Array.from(inThread.sd));
      expect(Array.from(parallel.covariance!.values)).toEqual(Array.from(inThread.covariance!.values));
      expect(Array.from(parallel.finalStates!)).toEqual(Array.from(inThread.finalStates!));
      expect(Array.from(parallel.trajectories!)).toEqual(Array.from(inThread.trajectories!));
      expect(Array.from(parallel.quantiles!.values)).toEqual(Array.from(inThread.quantiles!.values));
      expect(parallel.events).toBe(inThread.events);
    }
    expect(progress.at(-1)).toBe(120);
  });

  it('does not depend on the batch size', () => {
    const a = simulateEnsemble(lv, { runs: 50, seed: 3, tEnd: 2, steps: 2, batchSize: 7, keepFinalStates: true });
    const b = simulateEnsemble(lv, { runs: 50, seed: 3, tEnd: 2, steps: 2, batchSize: 50, keepFinalStates: true });
    expect(Array.from(a.finalStates!)).toEqual(Array.from(b.finalStates!));
    for (let i = 0; i < a.mean.length; i++) expect(a.mean[i]).toBeCloseTo(b.mean[i], 10);
  });

  it('writes CSV with the time,X-mean,X-sd header', () => {
    const stats = simulateEnsemble(lv, { runs: 10, seed: 1, tEnd: 1, steps: 2 });
    const lines = ensembleToCsv(stats).trim().split('\n');
    expect(lines[0]).toBe('time,X-mean,X-sd,Y-mean,Y-sd');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('0,50,0,100,0');
    expect(ensembleToCsv(stats, 'mean').split('\n')[0]).toBe('time,X,Y');
  });

  it('rejects a bad worker count and honours an abort signal', async () => {
    await expect(simulateEnsembleParallel(lv, { runs: 10, seed: 1, tEnd: 1, workers: 0 })).rejects.toThrow(RangeError);
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(
      simulateEnsembleParallel(lv, { runs: 10, seed: 1, tEnd: 1, workers: 2, signal: controller.signal }),
    ).rejects.toThrow(/stop now/);
  });
});
