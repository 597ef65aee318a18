// BullMQ sandboxed processor: runs in a worker thread of `srn-bench worker`, so the main thread keeps renewing the
// job locks while a shard computes. It sits beside the compiled `process-shard.js` in dist/ (the build copies it);
// run from the TypeScript sources (tests), it registers the TypeScript loader first.
import { workerData } from 'node:worker_threads';

const fromSource = import.meta.url.includes('/src/queue/');
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { processShard } = await import(fromSource ? './process-shard.ts' : './process-shard.js');

/** Computes the job's shard and stores its result; returns a small report. */
export default async function process(job) {
  return processShard(job.data, workerData.url);
}
