#!/usr/bin/env node
// Lists every module that importing the given specifiers loads, as JSON on stdout:
//   node [--conditions=@srn/source --import tsx] scripts/loaded-modules.mjs @srn/closure [more specifiers...]
// (specifiers resolve from the current directory)
// A module-resolution hook (run on Node's hooks thread) reports each resolved URL through a MessagePort, so the count
// covers transitive imports of ESM and CommonJS alike. Used by the import-cost tests and to measure import times.
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';

const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}
`;
const { port1, port2 } = new MessageChannel();
const urls = new Set();
port1.on('message', (url) => urls.add(url));
port1.unref();
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

// Bare specifiers resolve from the current directory (its node_modules and the --conditions given to node).
const specifiers = process.argv.slice(2);
const resolveFromCwd = createRequire(join(process.cwd(), 'noop.js')).resolve;
const start = performance.now();
for (const specifier of specifiers) await import(pathToFileURL(resolveFromCwd(specifier)).href);
const milliseconds = performance.now() - start;
// Messages from the hooks thread arrive asynchronously: wait until the set stops growing.
for (let size = -1; size !== urls.size; ) {
  size = urls.size;
  await new Promise((r) => setTimeout(r, 50));
}
const packages = new Set();
for (const url of urls) {
  const match = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (match) packages.add(match[1]);
}
process.stdout.write(`${JSON.stringify({ specifiers, milliseconds, modules: urls.size, packages: [...packages].sort(), urls: [...urls] })}\n`);
