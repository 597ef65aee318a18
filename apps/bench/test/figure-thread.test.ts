/**
 * The report's figure thread (src/closure/figure-thread.ts, issue #21 item 6): the figures it renders are the files
 * and Figure objects of the in-process renderer, byte for byte (the same renderFigure on a structured clone of the
 * spec), a figure that fails rejects with its own message and leaves the thread usable, and the thread is ended when
 * the body settles, also when it throws.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withFigureThread } from '../src/closure/figure-thread.ts';
import { latticeSnapshotSpec, phasePlaneSpec, renderFigure, type Spec, thetaSpec } from '../src/closure/figures.ts';

const root = mkdtempSync(join(tmpdir(), 'srn-figure-thread-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dirIn(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

function specs(): [string, Spec][] {
  const times = Array.from({ length: 40 }, (_, t) => t);
  const X = times.map((t) => 200 + 50 * Math.sin(t / 5));
  const Y = times.map((t) => 100 + 40 * Math.cos(t / 7));
  const occupancy = new Uint8Array(64).map((_, i) => (i * 7) % 3);
  return [
    // The snapshot figure has a gradient legend: its ids are renumbered per figure (figures.ts), which must hold in a
    // thread whose vega counter starts afresh too.
    ['lattice-snapshots', latticeSnapshotSpec(8, [{ label: 't = 1', occupancy: occupancy.subarray(0, 64) }])],
    ['phase-plane', phasePlaneSpec([{ label: 'training', X, Y }])],
    ['theta', thetaSpec(times, { a: Float64Array.from(X), 'a-filtered': Float64Array.from(Y) }, ['a'])],
  ];
}

describe('withFigureThread', () => {
  it('writes the same files and returns the same figures as renderFigure in this thread', async () => {
    const inProcess = dirIn('in-process');
    const threaded = dirIn('threaded');
    const expected = [];
    for (const [name, spec] of specs()) expected.push(await renderFigure(inProcess, name, `caption of ${name}`, spec));
    const got = await withFigureThread(async (render) => {
      const figures = [];
      for (const [name, spec] of specs()) figures.push(await render(threaded, name, `caption of ${name}`, spec));
      return figures;
    });
    expect(got).toEqual(expected);
    const files = readdirSync(inProcess).sort();
    expect(files).toHaveLength(9);
    expect(readdirSync(threaded).sort()).toEqual(files);
    for (const file of files) expect(readFileSync(join(threaded, file)).equals(readFileSync(join(inProcess, file))), file).toBe(true);
  });

  it('renders concurrent requests one at a time, in the order asked', async () => {
    const dir = dirIn('concurrent');
    const names = await withFigureThread((render) => Promise.all(specs().map(([name, spec]) => render(dir, name, name, spec).then((f) => f.name))));
    expect(names).toEqual(specs().map(([name]) => name));
  });

  it('rejects a figure that fails with the in-process error message and renders the next one', async () => {
    const dir = dirIn('failing');
    const [name, spec] = specs()[1];
    const bad: Spec = { mark: 'no-such-mark', data: { values: [] } };
    const expected = await renderFigure(dir, 'bad', 'bad', bad).then(
      () => 'rendered',
      (error: Error) => error.message,
    );
    expect(expected).not.toBe('rendered');
    const result = await withFigureThread(async (render) => {
      const failed = await render(dir, 'bad', 'bad', bad).then(
        () => 'rendered',
        (error: Error) => error.message,
      );
      return { failed, next: (await render(dir, name, name, spec)).name };
    });
    expect(result.failed).toBe(expected);
    expect(result.next).toBe(name);
  });

  it('renders in this thread, to the same files, when the thread runs out of its heap', async () => {
    const inProcess = dirIn('oom-in-process');
    const threaded = dirIn('oom-threaded');
    const expected = [];
    for (const [name, spec] of specs()) expected.push(await renderFigure(inProcess, name, name, spec));
    // A 2 MB old generation cannot even hold the renderers: the thread dies of ERR_WORKER_OUT_OF_MEMORY.
    const got = await withFigureThread(
      async (render) => {
        const figures = [];
        for (const [name, spec] of specs()) figures.push(await render(threaded, name, name, spec));
        return figures;
      },
      { limits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 2 } },
    );
    expect(got).toEqual(expected);
    for (const file of readdirSync(inProcess)) expect(readFileSync(join(threaded, file)).equals(readFileSync(join(inProcess, file))), file).toBe(true);
  });

  it('passes on an error of the body (the thread is ended, not left running)', async () => {
    await expect(withFigureThread(async () => Promise.reject(new Error('body failed')))).rejects.toThrow('body failed');
  });
});
