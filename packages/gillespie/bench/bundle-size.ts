/**
 * Browser bundle cost: `npx tsx --conditions=@srn/source bench/bundle-size.ts`.
 * Bundles small browser programs with esbuild (ESM, minified, platform browser, the package's sources) and prints a
 * Markdown table of the minified and gzipped sizes and of the modules that dominate them; figures go into README.md.
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const cases: { name: string; code: string }[] = [
  { name: "RNG only (`@srn/gillespie/rng`)", code: "import { createRng } from '@srn/gillespie/rng'; console.log(createRng(1).nextFloat64());" },
  {
    name: 'lattice simulation (`@srn/gillespie/lattice`)',
    code: "import { createRng } from '@srn/gillespie/rng'; import { lotkaVolterraLattice, simulateLattice } from '@srn/gillespie/lattice'; console.log(simulateLattice(lotkaVolterraLattice({ size: 8, steps: 2 }), createRng(1)).counts);",
  },
  {
    name: 'well-mixed SSA from the DSL (`@srn/gillespie`: parseModel + simulate)',
    code: "import { createRng, parseModel, simulate } from '@srn/gillespie'; console.log(simulate(parseModel('X -> 0 @ 1\\nX = 10'), { tEnd: 1, rng: createRng(1), specialise: false }).values);",
  },
];

const rows = ['| program | minified | gzip | largest inputs |', '|---|---|---|---|'];
for (const { name, code } of cases) {
  const result = await build({
    stdin: { contents: code, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['@srn/source'],
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(path);
    const key = match ? match[1] : '@srn/gillespie (sources)';
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([key, size]) => `${key} ${(size / 1024).toFixed(0)} kB`)
    .join(', ');
  rows.push(`| ${name} | ${(bytes.length / 1024).toFixed(0)} kB | ${(gzipSync(bytes).length / 1024).toFixed(0)} kB | ${largest} |`);
}
console.log(rows.join('\n'));
