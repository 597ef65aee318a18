import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { batchRanges, prestartThreads, runTasks } from '../src/node.ts';

const moduleUrl = new URL('./fixtures/sum-task.ts', import.meta.url);

describe('runTasks', () => {
  it('returns results in task order, identical for 1 and 2 workers', async () => {
    const tasks = batchRanges(10, 3).map((r) => ({ seed: 5, ...r }));
    const inline = await runTasks<typeof tasks[0], Float64Array>({ moduleUrl, exportName: 'drawTask', tasks, workers: 1 });
    const threaded = await runTasks<typeof tasks[0], Float64Array>({ moduleUrl, exportName: 'drawTask', tasks, workers: 2 });
    expect(threaded.map((a) => Array.from(a))).toEqual(inline.map((a) => Array.from(a)));
    expect(inline.flatMap((a) => Array.from(a))).toHaveLength(10);
  });

  it('the calling thread takes tasks too, and worker threads are reused by the next call', async () => {
    const tasks = Array.from({ length: 12 }, () => ({ ms: 20 }));
    const first = await runTasks<{ ms: number }, number>({ moduleUrl, exportName: 'threadTask', tasks, workers: 2 });
    // workers: 2 = this thread + one worker thread; the worker thread is handed two tasks up front and this thread
    // starts on the third at once, so both appear whatever the timing.
    expect(new Set(first).size).toBe(2);
    expect(first).toContain(threadId);
    const second = await runTasks<{ ms: number }, number>({ moduleUrl, exportName: 'threadTask', tasks, workers: 2 });
    expect(new Set(second)).toEqual(new Set(first));
  });

  it('prestartThreads starts idle threads (module preloaded) that the next runTasks calls use', async () => {
    prestartThreads(2, [moduleUrl]);
    prestartThreads(2, [moduleUrl]); // already two idle or starting: starts none
    const tasks = Array.from({ length: 18 }, () => ({ ms: 20 }));
    const ids = await runTasks<{ ms: number }, number>({ moduleUrl, exportName: 'threadTask', tasks, workers: 3 });
    expect(new Set(ids).size).toBe(3);
    const again = await runTasks<{ ms: number }, number>({ moduleUrl, exportName: 'threadTask', tasks, workers: 3 });
    expect(new Set(again)).toEqual(new Set(ids));
    expect(() => prestartThreads(-1)).toThrow(/count must be an integer/);
    expect(() => prestartThreads(1.5)).toThrow(RangeError);
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
