/**
 * The SBML test suite's stochastic conventions: settings files, result files and the Z/Y scoring rule of the
 * Discrete Stochastic Model Test Suite (Evans, Gillespie & Wilkinson 2008).
 *
 * @packageDocumentation
 */
import type { EnsembleStatistics } from '../simulate.ts';
import { parseCsv } from '../csv.ts';
import { ArgumentError, ArgumentTypeError } from '../errors.ts';
import { SbmlError } from './errors.ts';

/** A parsed `NNNNN-settings.txt`. */
export interface SbmlTestSettings {
  readonly start: number;
  readonly duration: number;
  /** Output intervals: values are reported at start + k · duration / steps, k = 0..steps. */
  readonly steps: number;
  readonly variables: readonly string[];
  readonly absolute: number | undefined;
  readonly relative: number | undefined;
  /** Variables reported as amounts and as concentrations. */
  readonly amount: readonly string[];
  readonly concentration: readonly string[];
  readonly output: readonly string[];
  /** Accepted ranges of the Z (mean) and Y (variance) statistics, when given. */
  readonly meanRange: readonly [number, number] | undefined;
  readonly sdRange: readonly [number, number] | undefined;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function number(value: string | undefined, key: string, required: boolean): number | undefined {
  if (value === undefined || value.trim() === '') {
    if (required) throw new SbmlError('settings', key, 'is missing');
    return undefined;
  }
  const n = Number(value.trim());
  if (!Number.isFinite(n)) throw new SbmlError('settings', key, `'${value.trim()}' is not a number`);
  return n;
}

function range(value: string | undefined, key: string): readonly [number, number] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const m = /^\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)$/.exec(value.trim());
  const lo = m ? Number(m[1]) : Number.NaN;
  const hi = m ? Number(m[2]) : Number.NaN;
  if (!m || Number.isNaN(lo) || Number.isNaN(hi) || !(lo < hi)) throw new SbmlError('settings', key, `'${value.trim()}' is not a range '(lo, hi)'`);
  return [lo, hi];
}

/**
 * Parses a test-suite settings file (`key: value` lines: start, duration, steps, variables, absolute, relative,
 * amount, concentration, output, meanRange, sdRange). Throws {@link SbmlError} (element `settings`) naming a
 * missing or malformed key.
 *
 * @example
 * ```ts
 * const s = parseSettingsFile('start: 0\nduration: 50\nsteps: 50\nvariables: X\nmeanRange: (-3, 3)\nsdRange: (-5, 5)\n');
 * s.steps; // 50
 * s.meanRange; // [-3, 3]
 * ```
 */
export function parseSettingsFile(text: string): SbmlTestSettings {
  if (typeof text !== 'string') throw new ArgumentTypeError('text', `settings text must be a string; got ${typeof text}`);
  const values = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon < 0) throw new SbmlError('settings', `line ${i + 1}`, `expected 'key: value'; got '${line.trim()}'`);
    values.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  });
  const start = number(values.get('start'), 'start', false) ?? 0;
  const duration = number(values.get('duration'), 'duration', true)!;
  if (!(duration > 0)) throw new SbmlError('settings', 'duration', `must be > 0; got ${duration}`);
  const steps = number(values.get('steps'), 'steps', true)!;
  if (!Number.isInteger(steps) || steps < 1) throw new SbmlError('settings', 'steps', `must be a positive integer; got ${steps}`);
  const variables = list(values.get('variables'));
  if (variables.length === 0) throw new SbmlError('settings', 'variables', 'is missing or empty');
  return {
    start,
    duration,
    steps,
    variables,
    absolute: number(values.get('absolute'), 'absolute', false),
    relative: number(values.get('relative'), 'relative', false),
    amount: list(values.get('amount')),
    concentration: list(values.get('concentration')),
    output: list(values.get('output')),
    meanRange: range(values.get('meanRange'), 'meanRange'),
    sdRange: range(values.get('sdRange'), 'sdRange'),
  };
}

/**
 * The run options (`t0`, `tEnd`, `steps`) a settings file asks for.
 *
 * @example
 * ```ts
 * simulateEnsemble(model.plan, { ...runOptionsFromSettings(settings), runs: 10_000, seed: 1 });
 * ```
 */
export function runOptionsFromSettings(settings: SbmlTestSettings): { t0: number; tEnd: number; steps: number } {
  return { t0: settings.start, tEnd: settings.start + settings.duration, steps: settings.steps };
}

/** A parsed results file: times and a column per `X-mean` / `X-sd` header. */
export interface SbmlTestResults {
  readonly times: Float64Array;
  readonly columns: ReadonlyMap<string, Float64Array>;
}

/**
 * Parses a test-suite results CSV (`time,X-mean,X-sd,...`).
 *
 * @example
 * ```ts
 * parseResultsCsv('time,X-mean,X-sd\n0,100,0\n1,99,4.5\n').columns.get('X-sd'); // Float64Array [0, 4.5]
 * ```
 */
export function parseResultsCsv(text: string): SbmlTestResults {
  if (typeof text !== 'string') throw new ArgumentTypeError('text', `results text must be a string; got ${typeof text}`);
  let table: { header: string[]; rows: string[][] };
  try {
    table = parseCsv(text, 'results');
  } catch (error) {
    if (error instanceof RangeError) throw new SbmlError('results', undefined, error.message.replace(/^results: /, ''));
    throw error;
  }
  const { header, rows } = table;
  if (rows.length < 1) throw new SbmlError('results', undefined, 'expected a header and at least one row');
  if (header[0].toLowerCase() !== 'time') throw new SbmlError('results', undefined, `the first column is '${header[0]}'; expected 'time'`);
  const data = header.map(() => new Float64Array(rows.length));
  rows.forEach((cells, r) => {
    cells.forEach((cell, c) => {
      const v = Number(cell);
      if (cell === '' || Number.isNaN(v)) throw new SbmlError('results', `row ${r + 1}`, `'${cell}' is not a number`);
      data[c][r] = v;
    });
  });
  return { times: data[0], columns: new Map(header.slice(1).map((h, i) => [h, data[i + 1]])) };
}

/** One scored point. */
export interface ScoredPoint {
  readonly variable: string;
  readonly time: number;
  readonly z: number;
  readonly y: number;
  readonly zFailed: boolean;
  readonly yFailed: boolean;
}

/** The score of an ensemble against expected results. */
export interface SbmlScore {
  readonly points: readonly ScoredPoint[];
  readonly zFailures: number;
  readonly yFailures: number;
  /** At most `maxFailures` failing points for Z and for Y. */
  readonly passed: boolean;
}

/**
 * Scores ensemble statistics with the test suite's rule: at each time, Z = √n (X̄ − μ)/σ must lie in `meanRange`
 * (default (−3, 3)) and Y = √(n/2) (S²/σ² − 1) in `sdRange` (default (−5, 5)); a case passes with at most
 * `maxFailures` (default 3) failing points for each. Where the exact σ is 0 (e.g. at t = 0) a point passes only
 * when the ensemble matches exactly.
 *
 * @example
 * ```ts
 * const score = scoreEnsemble(stats, parseResultsCsv(csv), parseSettingsFile(settingsText));
 * score.passed;
 * ```
 */
export function scoreEnsemble(stats: EnsembleStatistics, expected: SbmlTestResults, settings: SbmlTestSettings, maxFailures = 3): SbmlScore {
  if (!Number.isInteger(maxFailures) || maxFailures < 0) throw new ArgumentError('maxFailures', `maxFailures must be a non-negative integer; got ${maxFailures}`);
  const [zLo, zHi] = settings.meanRange ?? [-3, 3];
  const [yLo, yHi] = settings.sdRange ?? [-5, 5];
  const S = stats.species.length;
  if (stats.times.length !== expected.times.length) {
    throw new ArgumentError('stats', `the ensemble has ${stats.times.length} output times; the results file has ${expected.times.length}`);
  }
  const points: ScoredPoint[] = [];
  for (const variable of settings.variables) {
    const s = stats.species.indexOf(variable);
    if (s < 0) throw new ArgumentError('settings.variables', `variable '${variable}' is not a species of the model (species: ${stats.species.join(', ')})`);
    const mu = expected.columns.get(`${variable}-mean`);
    const sigma = expected.columns.get(`${variable}-sd`);
    if (!mu || !sigma) throw new ArgumentError('expected', `the results file has no '${variable}-mean' and '${variable}-sd' columns`);
    for (let g = 0; g < stats.times.length; g++) {
      if (Math.abs(stats.times[g] - expected.times[g]) > 1e-9 * Math.max(1, Math.abs(expected.times[g]))) {
        throw new ArgumentError('stats', `output time ${stats.times[g]} does not match the results file's ${expected.times[g]}`);
      }
      const n = stats.count[g];
      const mean = stats.mean[g * S + s];
      const sd = stats.sd[g * S + s];
      let z: number;
      let y: number;
      if (sigma[g] > 0) {
        z = (Math.sqrt(n) * (mean - mu[g])) / sigma[g];
        y = Math.sqrt(n / 2) * ((sd * sd) / (sigma[g] * sigma[g]) - 1);
      } else {
        const tol = 1e-9 * Math.max(1, Math.abs(mu[g]));
        z = Math.abs(mean - mu[g]) <= tol ? 0 : Infinity;
        y = sd <= tol ? 0 : Infinity;
      }
      const zFailed = !(z > zLo && z < zHi);
      const yFailed = !(y > yLo && y < yHi);
      points.push({ variable, time: stats.times[g], z, y, zFailed, yFailed });
    }
  }
  const zFailures = points.filter((p) => p.zFailed).length;
  const yFailures = points.filter((p) => p.yFailed).length;
  return { points, zFailures, yFailures, passed: zFailures <= maxFailures && yFailures <= maxFailures };
}
