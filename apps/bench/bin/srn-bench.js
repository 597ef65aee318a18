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
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
