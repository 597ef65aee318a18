import { describe, expect, it } from 'vitest';
import { batchRanges, runTasks } from '../src/node.ts';

const moduleUrl = new URL('./fixtures/sum-task.ts', import.meta.url);

describe('runTasks', () => {
  it('returns results in task order, identical for 1 and 2 workers', async () => {
    const tasks = batchRanges(10, 3).map((r) => ({ seed: 5, ...r }));
    const inline = await runTasks<typeof tasks[0], Float64Array>({ moduleUrl, exportName: 'drawTask', tasks, workers: 1 });
    const threaded = await runTasks<typeof tasks[0], Float64Array>({ moduleUrl, exportName: 'drawTask', tasks, workers: 2 });
    expect(threaded.map((a) => Array.from(a))).toEqual(inline.map((a) => Array.from(a)));
    expect(inline.flatMap((a) => Array.from(a))).toHaveLength(10);
  });

  it('propagates a task error with its name and message', async () => {
    await expect(
      runTasks({ moduleUrl, exportName: 'failingTask', tasks: [{}, {}], workers: 2 }),
    ).rejects.toThrow(/boom from a task/);
  });

  it('rejects bad arguments', async () => {
    await expect(runTasks({ moduleUrl, exportName: 'drawTask', tasks: [], workers: 0 })).rejects.toThrow(RangeError);
    expect(() => batchRanges(-1, 2)).toThrow(/count/);
    expect(() => batchRanges(3, 0)).toThrow(/batchSize/);
  });
});
