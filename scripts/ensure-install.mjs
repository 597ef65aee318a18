#!/usr/bin/env node
// Installs the workspace with pnpm (fetched through npx, so a machine with only Node and npm suffices) when
// node_modules is missing or older than the lockfile, and with --build compiles the CLI and the packages it imports
// (turbo, cached: a no-op after the first time unless sources changed). Keeps the two quick-start commands
// self-sufficient on a fresh clone.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');
const pnpm = 'npx -y pnpm@10.34.8';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`srn needs Node >= 20.19; this is ${process.versions.node}.`);
  process.exit(1);
}

const stale = !existsSync(marker) || (existsSync(lockfile) && statSync(lockfile).mtimeMs > statSync(marker).mtimeMs);
if (stale) {
  console.error('Installing workspace dependencies with pnpm ...');
  const frozen = existsSync(lockfile) ? ' --frozen-lockfile' : '';
  execSync(`${pnpm} install${frozen}`, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

if (process.argv.includes('--build')) {
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  const build = spawnSync(turbo, ['run', 'build', '--filter=@srn/bench...', '--output-logs=errors-only'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` },
  });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout ?? ''}${build.stderr ?? ''}Building srn-bench failed (turbo run build --filter=@srn/bench...).\n`);
    process.exit(build.status ?? 1);
  }
}
