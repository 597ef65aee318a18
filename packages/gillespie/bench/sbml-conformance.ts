/**
 * Runs the SBML discrete stochastic conformance cases in `../shared/sbml-dsmts` (relative to the repository root)
 * and prints a markdown table (case, features, failing Z and Y points, pass/fail, seconds).
 *
 *   npx tsx --conditions=@srn/source bench/sbml-conformance.ts [--runs 10000] [--seed 4] [--level l3v2,l3v1,l2v4]
 *     [--cases 00001,00003] [--out FILE]
 *
 * Single-threaded (simulateEnsemble); the exit code is 1 when a case fails.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateEnsemble } from '../src/index.ts';
import { loadSbml, parseResultsCsv, parseSettingsFile, runOptionsFromSettings, scoreEnsemble } from '../src/sbml.ts';

const here = dirname(fileURLToPath(import.meta.url));
const suite = resolve(here, '../../../../shared/sbml-dsmts');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const runs = Number(option('runs', '10000'));
const seed = Number(option('seed', '4'));
const levels = option('level', 'l3v2').split(',');
const only = option('cases', '');
const out = option('out', '');

const cases = readdirSync(suite).filter((d) => /^\d{5}$/.test(d) && (only === '' || only.split(',').includes(d))).sort();
const rows: string[] = [
  `Runs per case: ${runs.toLocaleString('en-US')}, seed ${seed}; each case run from its ${levels.join(', ')} file(s). `
    + 'Z and Y: failing points (at most 3 each to pass).',
  '',
  '| case | features | failing Z | failing Y | result | seconds |',
  '|---|---|---:|---:|---|---:|',
];
let failed = 0;
for (const id of cases) {
  const settings = parseSettingsFile(readFileSync(join(suite, id, `${id}-settings.txt`), 'utf8'));
  const expected = parseResultsCsv(readFileSync(join(suite, id, `${id}-results.csv`), 'utf8'));
  for (const level of levels) {
    const file = join(suite, id, `${id}-sbml-${level}.xml`);
    let xml: string;
    try {
      xml = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const started = performance.now();
    const model = loadSbml(xml, { concentrations: settings.concentration });
    const stats = simulateEnsemble(model.plan, { ...runOptionsFromSettings(settings), runs, seed, batchSize: 1000 });
    const score = scoreEnsemble(stats, expected, settings);
    const seconds = (performance.now() - started) / 1000;
    if (!score.passed) failed++;
    const label = levels.length > 1 ? `${id} (${level})` : id;
    rows.push(`| ${label} | ${model.features.join(', ') || 'basic'} | ${score.zFailures} | ${score.yFailures} | ${score.passed ? 'pass' : '**FAIL**'} | ${seconds.toFixed(1)} |`);
    console.error(rows[rows.length - 1]);
  }
}
const table = `${rows.join('\n')}\n`;
if (out) writeFileSync(out, table);
console.log(table);
if (failed > 0) process.exitCode = 1;
