#!/usr/bin/env node
// Bundles the playground into static files (dist/: index.html, style.css, main.js, worker.js, chunks/) that run offline from
// any static host, and prints their sizes. `node scripts/build.mjs [OUTDIR]`.
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * zod's namespace object re-exports its ~50 message locales (about 250 KiB minified), all of which a bundler must
 * keep although only English is ever used (zod's default, imported by zod itself). This plugin gives zod's
 * `locales/index.js` the English locale only, so `z.locales.en` still exists and the other locales are not shipped.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/** Builds into `out` (default apps/web/dist) and returns the files with their raw and gzip sizes. */
export async function buildPlayground(out = join(app, 'dist')) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const common = {
    plugins: [zodEnglishOnly],
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
  };
  // The page and the worker are built apart, so they share no chunk. The worker is split: what it imports on
  // demand (the well-mixed engine with mathjs, the closure code) goes into chunks/ and is fetched only when used.
  await build({ ...common, entryPoints: { main: join(app, 'src/main.ts') } });
  await build({ ...common, entryPoints: { worker: join(app, 'src/worker.ts') }, splitting: true, chunkNames: 'chunks/[name]-[hash]' });
  copyFileSync(join(app, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(app, 'style.css'), join(out, 'style.css'));
  return readdirSync(out, { recursive: true })
    .filter((name) => statSync(join(out, name)).isFile())
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(out, name));
      return { name, bytes: bytes.length, gzip: gzipSync(bytes).length };
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
    console.log(`${f.name.padEnd(40)} ${(f.bytes / 1024).toFixed(1).padStart(8)} KiB  ${(f.gzip / 1024).toFixed(1).padStart(7)} KiB gzip`);
  }
  console.log(`${'total'.padEnd(40)} ${(total / 1024).toFixed(1).padStart(8)} KiB  ${(totalGzip / 1024).toFixed(1).padStart(7)} KiB gzip  -> ${out}`);
}
