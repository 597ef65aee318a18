// Entry point of every pool worker: loads the task module named in each message and runs its handler. Modules in
// workerData.preload (from prestartThreads) are imported at once, before the first task arrives.
import { parentPort, workerData } from 'node:worker_threads';

for (const url of (workerData as { preload?: string[] } | null)?.preload ?? []) {
  // A failure surfaces again, with its message, when a task imports the module.
  import(url).catch(() => {});
}

interface TaskMessage {
  readonly taskIndex: number;
  readonly moduleUrl: string;
  readonly exportName: string;
  readonly task: unknown;
}

type Handler = (task: unknown) => unknown;

function transferablesOf(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && !out.includes(buffer)) out.push(buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) transferablesOf(item, out);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) transferablesOf(item, out);
  }
  return out;
}

const handlers = new Map<string, Handler>();

parentPort?.on('message', async (message: TaskMessage) => {
  try {
    const key = `${message.moduleUrl}#${message.exportName}`;
    let handler = handlers.get(key);
    if (!handler) {
      const module = (await import(message.moduleUrl)) as Record<string, unknown>;
      const candidate = module[message.exportName];
      if (typeof candidate !== 'function') {
        throw new TypeError(`${message.moduleUrl} has no exported function ${message.exportName}`);
      }
      handler = candidate as Handler;
      handlers.set(key, handler);
    }
    const result = await handler(message.task);
    parentPort?.postMessage({ taskIndex: message.taskIndex, result }, transferablesOf(result));
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    parentPort?.postMessage({
      taskIndex: message.taskIndex,
      error: { message: error.message, name: error.name, stack: error.stack },
    });
  }
});
