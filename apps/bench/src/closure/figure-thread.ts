/**
 * The report's figures rendered in a worker thread: vega, vega-lite and resvg are loaded there, not in the thread
 * that ran the pipeline, and every figure's dataflow, scenegraph, SVG and PNG is garbage of that thread's own small
 * heap, released when the report ends it (issue #21 item 6: the report was the peak of `lv all --preset paper`).
 * The files are those {@link renderFigure} writes in-process (the worker runs it on a structured clone of the spec).
 */
import type { ResourceLimits, Worker } from 'node:worker_threads';
import { startModuleWorker } from '@srn/gillespie/worker';
import { type Figure, renderFigure, type Spec } from './figures.ts';

/** Renders one figure into `dir` (as {@link renderFigure}). */
export type FigureRender = (dir: string, name: string, caption: string, spec: Spec) => Promise<Figure>;

/** A request to the figure thread. */
export interface FigureRequest {
  id: number;
  dir: string;
  name: string;
  caption: string;
  spec: Spec;
}

/** The figure thread's answer to a {@link FigureRequest}. */
export interface FigureReply {
  id: number;
  figure?: Figure;
  error?: { name: string; message: string; stack?: string };
}

/**
 * Heap limits of the figure thread. The young generation is kept small (vega allocates many short-lived objects and
 * each semi-space counts in the peak); the old generation is bounded so that V8 collects the finished figures'
 * garbage instead of growing the heap (`lv report` of the paper preset peaked at 269 MB with no bound, 210-230 MB
 * with 64-192 MB). A figure that needs more is rendered in this thread instead (see {@link withFigureThread}).
 */
export const FIGURE_THREAD_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

/** Options of {@link withFigureThread}. */
export interface FigureThreadOptions {
  /** Heap limits of the thread (default {@link FIGURE_THREAD_LIMITS}). */
  limits?: ResourceLimits;
}

function startFigureWorker(limits: ResourceLimits): Worker {
  const main = new URL(import.meta.url.endsWith('.ts') ? './figure-thread-main.ts' : './figure-thread-main.js', import.meta.url);
  return startModuleWorker(main, { resourceLimits: limits });
}

/**
 * Runs `body` with a figure renderer backed by one worker thread, started now and ended when `body` settles (its
 * memory goes with it). Figures are rendered one at a time, in the order asked. An error of a figure rejects that
 * render with the error's message. A thread that runs out of its heap (a figure larger than the bound) is replaced by
 * this thread: that figure and the rest are rendered here, to the same files; a thread that dies otherwise rejects
 * the render under way and every later one.
 *
 * @example
 * ```ts
 * const figure = await withFigureThread((render) => render('out/figures', 'phase-plane', 'Ensemble mean', spec));
 * ```
 */
export async function withFigureThread<T>(body: (render: FigureRender) => Promise<T>, options: FigureThreadOptions = {}): Promise<T> {
  const worker = startFigureWorker(options.limits ?? FIGURE_THREAD_LIMITS);
  let nextId = 0;
  let pending: { id: number; request: FigureRequest; resolve: (figure: Figure) => void; reject: (error: Error) => void } | undefined;
  let dead: Error | undefined;
  let inProcess = false;
  const fail = (error: Error & { code?: string }) => {
    if (dead || inProcess) return;
    const current = pending;
    pending = undefined;
    if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      inProcess = true;
      if (current) renderFigure(current.request.dir, current.request.name, current.request.caption, current.request.spec).then(current.resolve, current.reject);
      return;
    }
    dead = new Error(`the figure thread failed: ${error.message}`);
    current?.reject(dead);
  };
  worker.on('message', (reply: FigureReply) => {
    if (!pending || reply.id !== pending.id) return;
    const { resolve, reject } = pending;
    pending = undefined;
    if (reply.figure) resolve(reply.figure);
    else {
      const error = new Error(reply.error?.message ?? 'the figure thread gave no figure');
      if (reply.error) error.name = reply.error.name;
      reject(error);
    }
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`it ended (exit code ${code})`)));
  let chain: Promise<unknown> = Promise.resolve();
  const render: FigureRender = (dir, name, caption, spec) => {
    const next = chain.then(
      () =>
        new Promise<Figure>((resolve, reject) => {
          if (dead) {
            reject(dead);
            return;
          }
          if (inProcess) {
            renderFigure(dir, name, caption, spec).then(resolve, reject);
            return;
          }
          const request: FigureRequest = { id: nextId++, dir, name, caption, spec };
          pending = { id: request.id, request, resolve, reject };
          worker.postMessage(request);
        }),
    );
    chain = next.catch(() => {});
    return next;
  };
  try {
    return await body(render);
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
