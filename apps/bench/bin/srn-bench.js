#!/usr/bin/env node
// Runs the TypeScript CLI through tsx with the workspace packages resolved to their sources; worker threads inherit
// these flags through process.execArgv.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsxLoader = require.resolve('tsx');
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const args = ['--conditions=@srn/source', '--import', new URL(`file://${tsxLoader}`).href, cli, ...process.argv.slice(2)];
// Ctrl-C reaches the child too (same process group); the child decides (e.g. checkpoint, then exit 130), so this
// wrapper must not die first and hand the terminal back while the child is still writing.
const ignore = () => {};
process.on('SIGINT', ignore);
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.off('SIGINT', ignore);
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
