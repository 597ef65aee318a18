#!/usr/bin/env node
// Runs every workspace's tests through turbo, then prints the combined count as a plain last line
// `N passed, N failed` (read from each package's vitest JSON report).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --build: the CLI tests run the compiled bin (apps/bench/bin/srn-bench.js -> dist/).
const install = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-install.mjs'), '--build'], { stdio: 'inherit' });
if (install.status !== 0) process.exit(install.status ?? 1);

const reports = [];
for (const group of ['packages', 'apps']) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const name of readdirSync(base)) {
    const report = join(base, name, 'test-results.json');
    rmSync(report, { force: true });
    if (existsSync(join(base, name, 'package.json'))) reports.push({ name: `${group}/${name}`, report });
  }
}

const turbo = join(root, 'node_modules', '.bin', 'turbo');
const extra = process.argv.slice(2);
const run = spawnSync(turbo, ['run', 'test', '--continue', '--concurrency=2', ...extra], {
  cwd: root,
  stdio: 'inherit',
  // turbo needs the package manager on PATH; the workspace's own pnpm is in node_modules/.bin.
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` },
});

let passed = 0;
let failed = 0;
let missing = 0;
for (const { name, report } of reports) {
  if (!existsSync(report)) {
    missing++;
    console.error(`no test report from ${name}`);
    continue;
  }
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests ?? 0;
  failed += result.numFailedTests ?? 0;
  if (!result.success && (result.numFailedTests ?? 0) === 0) failed++; // a suite that failed to load
}
console.log(`${passed} passed, ${failed + missing} failed`);
process.exit(run.status !== 0 || failed + missing > 0 ? 1 : 0);
