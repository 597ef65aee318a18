#!/usr/bin/env node
// Bundles the playground into static files (dist/: index.html, style.css, main.js, worker.js) that run offline from
// any static host, and prints their sizes. `node scripts/build.mjs [OUTDIR]`.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds into `out` (default apps/web/dist) and returns the files with their raw and gzip sizes. */
export async function buildPlayground(out = join(app, 'dist')) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: { main: join(app, 'src/main.ts'), worker: join(app, 'src/worker.ts') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    conditions: ['@srn/source'],
    loader: { '.lattice': 'text' },
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(join(app, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(app, 'style.css'), join(out, 'style.css'));
  return readdirSync(out).map((name) => {
    const bytes = readFileSync(join(out, name));
    return { name, bytes: statSync(join(out, name)).size, gzip: gzipSync(bytes).length };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(app, 'dist'));
  const files = await buildPlayground(out);
  let total = 0;
  let totalGzip = 0;
  for (const f of files) {
    total += f.bytes;
    totalGzip += f.gzip;
    console.log(`${f.name.padEnd(12)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB  ${(f.gzip / 1024).toFixed(1).padStart(7)} KiB gzip`);
  }
  console.log(`${'total'.padEnd(12)} ${(total / 1024).toFixed(1).padStart(8)} KiB  ${(totalGzip / 1024).toFixed(1).padStart(7)} KiB gzip  -> ${out}`);
}
