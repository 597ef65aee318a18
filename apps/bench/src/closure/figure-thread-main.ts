// Entry point of the figure thread (see figure-thread.ts): renders each requested figure with renderFigure and
// answers with the Figure, or with the error's name and message.
import { parentPort } from 'node:worker_threads';
import type { FigureReply, FigureRequest } from './figure-thread.ts';
import { renderFigure } from './figures.ts';

parentPort?.on('message', async (request: FigureRequest) => {
  let reply: FigureReply;
  try {
    reply = { id: request.id, figure: await renderFigure(request.dir, request.name, request.caption, request.spec) };
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    reply = { id: request.id, error: { name: error.name, message: error.message, stack: error.stack } };
  }
  parentPort?.postMessage(reply);
});
