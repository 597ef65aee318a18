#!/usr/bin/env node
// The release check (CI runs it before the tests): packs every workspace package the way a release does (pnpm pack,
// whose prepack step builds dist/ from a clean slate and rewrites workspace:^ ranges), checks each tarball with publint
// and with @arethetypeswrong/cli under the ESM-only profile, installs all tarballs with plain npm into a scratch
// project in a temporary directory, type-checks a consumer file against the installed declarations, and runs the
// smoke example (scripts/pack-check/smoke.mjs) under plain `node`, including the installed `srn-bench` bin.
//   node scripts/pack-check.mjs [--keep]     (--keep leaves the temporary directory for inspection)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, TURBO_TELEMETRY_DISABLED: '1' };
// The oldest TypeScript the published declarations support (stated in the README): the consumer is type-checked with it
// as well as with the workspace's own compiler. TypeScript 5.0 is the first to accept the `.ts` specifiers that tsc
// keeps in emitted declarations (4.9 fails on them); the lattice model-file schema exposes zod 4's types, which use
// `NoInfer` (TypeScript 5.4), so 5.4 is the floor.
const MIN_TYPESCRIPT = '5.4.5';
const workspaces = ['packages/gillespie', 'packages/fem-basis', 'packages/boltzmann', 'packages/closure', 'apps/bench'];
const work = mkdtempSync(join(tmpdir(), 'srn-pack-check-'));
const tarballs = join(work, 'tarballs');
const consumer = join(work, 'consumer');
mkdirSync(tarballs);
mkdirSync(consumer);

function step(title, command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}\npack-check: FAILED: ${title} (${command} ${args.join(' ')})\n`);
    process.stderr.write(`pack-check: files kept in ${work}\n`);
    process.exit(1);
  }
  console.log(`pack-check: ok  ${title} (${seconds} s)`);
  return result.stdout;
}

const packed = [];
for (const dir of workspaces) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const before = new Set(readdirSync(tarballs));
  // pnpm pack runs the package's prepack script (a clean build of dist/), as pnpm publish does.
  step(`pack ${pkg.name}`, 'npx', ['-y', 'pnpm@10.34.8', 'pack', '--pack-destination', tarballs], { cwd: join(root, dir) });
  const tarball = readdirSync(tarballs).find((f) => !before.has(f));
  if (!tarball) throw new Error(`pnpm pack of ${dir} wrote no tarball`);
  const file = join(tarballs, tarball);
  packed.push({ name: pkg.name, file, library: pkg.exports !== undefined });
  const listing = step(`list ${tarball}`, 'tar', ['tzf', file]);
  for (const required of ['package/LICENSE', 'package/README.md', 'package/package.json']) {
    if (!listing.split('\n').includes(required)) {
      process.stderr.write(`pack-check: FAILED: ${tarball} lacks ${required}\n`);
      process.exit(1);
    }
  }
  if (!listing.includes('package/dist/')) {
    process.stderr.write(`pack-check: FAILED: ${tarball} has no dist/ (prepack did not build)\n`);
    process.exit(1);
  }
  const manifest = step(`manifest of ${tarball}`, 'tar', ['xzf', file, '-O', 'package/package.json']);
  if (manifest.includes('workspace:')) {
    process.stderr.write(`pack-check: FAILED: ${tarball}'s package.json still has a workspace: range\n`);
    process.exit(1);
  }
  step(`publint ${tarball}`, join(bin, 'publint'), ['run', file, '--strict', '--level', 'warning']);
  if (pkg.exports !== undefined) {
    step(`attw --profile esm-only ${tarball}`, join(bin, 'attw'), [file, '--profile', 'esm-only', '--format', 'table-flipped', '--no-color']);
  }
}

// A scratch consumer: plain npm, no workspace, the tarballs only (their third-party dependencies from the registry).
writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'srn-consumer', private: true, type: 'module' }, null, 2)}\n`);
step(
  'npm install the tarballs into a scratch project',
  'npm',
  ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...packed.map((p) => p.file), `typescript@${MIN_TYPESCRIPT}`],
  { cwd: consumer },
);
copyFileSync(join(root, 'scripts', 'pack-check', 'smoke.mjs'), join(consumer, 'smoke.mjs'));
copyFileSync(join(root, 'scripts', 'pack-check', 'consumer.ts'), join(consumer, 'consumer.ts'));
writeFileSync(
  join(consumer, 'tsconfig.json'),
  `${JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] }, files: ['consumer.ts'] }, null, 2)}\n`,
);
step('type-check a consumer against the installed declarations (workspace tsc, skipLibCheck off)', join(bin, 'tsc'), ['-p', join(consumer, 'tsconfig.json')], { cwd: consumer });
step(`type-check the consumer with TypeScript ${MIN_TYPESCRIPT}`, process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(consumer, 'tsconfig.json')], { cwd: consumer });
step('smoke example under plain node', process.execPath, ['smoke.mjs'], { cwd: consumer });

if (process.argv.includes('--keep')) console.log(`pack-check: files kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
console.log(`pack-check: ${packed.length} packages packed, checked, installed and run`);
