// BullMQ sandboxed processor: runs in a worker thread of `srn-bench worker`, so the main thread keeps renewing the
// job locks while a shard computes. The CLI runs from TypeScript sources, so the loader is registered here first.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { processShard } = await import('./process-shard.ts');

/** Computes the job's shard and stores its result; returns a small report. */
export default async function process(job) {
  return processShard(job.data, workerData.url);
}
