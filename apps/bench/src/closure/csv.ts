/**
 * CSV files of the experiment and of `srn-bench simulate`, read and written through one library (papaparse): column
 * files (`time,name1,name2,...`, one row per time point) and plain tables, written atomically, read back with errors
 * that name the file, the row and the column.
 */
import { existsSync, readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { echo, isDecimal } from '../args.ts';
import { writeFileAtomic } from '../io.ts';
import { LvInputError } from './errors.ts';

function format(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(12)));
}

/**
 * CSV text of rows (the first is the header), `\n` line ends and a final newline; numbers are printed with 12
 * significant digits.
 *
 * @example
 * ```ts
 * formatRows([['step', 'loss'], [1, 0.5]]); // 'step,loss\n1,0.5\n'
 * ```
 */
export function formatRows(rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? format(cell) : cell)));
  return `${Papa.unparse(cells, { newline: '\n', quotes: false })}\n`;
}

/**
 * Parses CSV text into a header and rows (blank lines skipped). `corrupt(why)` builds the error for malformed text:
 * unbalanced quotes or a row whose length differs from the header's.
 *
 * @example
 * ```ts
 * parseRows('a,b\n1,2\n', (why) => new Error(why)); // { header: ['a', 'b'], rows: [['1', '2']] }
 * ```
 */
export function parseRows(text: string, corrupt: (why: string) => Error): { header: string[]; rows: string[][] } {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError) throw corrupt(`row ${(quoteError.row ?? 0) + 1}: ${quoteError.message}`);
  const [header = [], ...rows] = parsed.data;
  rows.forEach((cells, i) => {
    if (cells.length !== header.length) throw corrupt(`row ${i + 2} has ${cells.length} cells, expected ${header.length}`);
  });
  return { header, rows };
}

/**
 * Writes `time,<columns>` atomically.
 *
 * @example
 * ```ts
 * writeColumnsCsv('out/lv/predict/theta.csv', times, { hX: new Float64Array(times.length) });
 * ```
 */
export function writeColumnsCsv(path: string, times: ArrayLike<number>, columns: Record<string, ArrayLike<number>>): void {
  const names = Object.keys(columns);
  const rows: (string | number)[][] = [['time', ...names]];
  for (let t = 0; t < times.length; t++) rows.push([times[t], ...names.map((name) => columns[name][t])]);
  writeFileAtomic(path, formatRows(rows));
}

/**
 * The number in a CSV cell written by {@link writeColumnsCsv}, or undefined unless it is a finite number in decimal
 * notation.
 *
 * @example
 * ```ts
 * parseFiniteCell('2.5e-3'); // 0.0025
 * parseFiniteCell('NaN'); // undefined
 * ```
 */
export function parseFiniteCell(raw: string): number | undefined {
  return isDecimal(raw) ? Number(raw) : undefined;
}

/**
 * Reads a file written by {@link writeColumnsCsv}; `rows` (if given) is the expected number of time points (t = 0 ..
 * rows − 1), `required` the columns that must be present. Every cell must be a finite number: NaN, Infinity and
 * anything else make the file corrupt. `rerun` is the command to suggest when the file is missing or corrupt.
 *
 * @example
 * ```ts
 * const { times, columns } = readColumnsCsv('out/lv/predict/theta.csv', { rows: 200, rerun: 'srn-bench lv predict --out out/lv' });
 * ```
 */
export function readColumnsCsv(
  path: string,
  options: { rows?: number; required?: readonly string[]; rerun: string },
): { times: Float64Array; columns: Record<string, Float64Array> } {
  if (!existsSync(path)) throw new LvInputError(`${path} is missing; run '${options.rerun}'`);
  const corrupt = (why: string) => new LvInputError(`${path} is corrupt (${why}); rerun '${options.rerun}'`);
  const { header, rows } = parseRows(readFileSync(path, 'utf8'), corrupt);
  if (header[0] !== 'time') throw corrupt("the first column is not 'time'");
  if (header.some((name) => name === '') || new Set(header).size !== header.length) throw corrupt('empty or repeated column names');
  const T = rows.length;
  if (options.rows !== undefined && T !== options.rows) throw corrupt(`${T} rows, expected ${options.rows}`);
  for (const name of options.required ?? []) if (!header.includes(name)) throw corrupt(`column '${name}' is missing`);
  const times = new Float64Array(T);
  const columns: Record<string, Float64Array> = {};
  const names = header.slice(1);
  for (const name of names) columns[name] = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const cells = rows[t];
    const time = parseFiniteCell(cells[0]);
    if (time === undefined || (options.rows !== undefined && time !== t)) {
      throw corrupt(`row ${t + 2} has time ${echo(cells[0])}${options.rows !== undefined ? `, expected ${t}` : ''}`);
    }
    times[t] = time;
    for (let c = 0; c < names.length; c++) {
      const value = parseFiniteCell(cells[c + 1]);
      if (value === undefined) throw corrupt(`row ${t + 2}, column ${echo(names[c])} is ${echo(cells[c + 1])}, not a finite number`);
      columns[names[c]][t] = value;
    }
  }
  return { times, columns };
}
