/**
 * Column CSV files of the experiment (`time,name1,name2,...`, one row per time point): written atomically, read back
 * with errors that name the file, the row and the column.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io.ts';
import { LvInputError } from './errors.ts';

function format(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(12)));
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
  const lines = [['time', ...names].join(',')];
  for (let t = 0; t < times.length; t++) {
    const row = [format(times[t])];
    for (const name of names) row.push(format(columns[name][t]));
    lines.push(row.join(','));
  }
  writeFileAtomic(path, `${lines.join('\n')}\n`);
}

/**
 * Reads a file written by {@link writeColumnsCsv}; `rows` (if given) is the expected number of time points, `required`
 * the columns that must be present. `rerun` is the command to suggest when the file is missing or corrupt.
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
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0]?.split(',') ?? [];
  if (header[0] !== 'time') throw corrupt("the first column is not 'time'");
  const T = lines.length - 1;
  if (options.rows !== undefined && T !== options.rows) throw corrupt(`${T} rows, expected ${options.rows}`);
  for (const name of options.required ?? []) if (!header.includes(name)) throw corrupt(`column '${name}' is missing`);
  const times = new Float64Array(T);
  const columns: Record<string, Float64Array> = {};
  const names = header.slice(1);
  for (const name of names) columns[name] = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const cells = lines[t + 1].split(',');
    if (cells.length !== header.length) throw corrupt(`row ${t + 2} has ${cells.length} cells, expected ${header.length}`);
    times[t] = Number(cells[0]);
    if (Number.isNaN(times[t])) throw corrupt(`row ${t + 2} has time '${cells[0]}'`);
    for (let c = 0; c < names.length; c++) {
      const raw = cells[c + 1];
      const value = Number(raw);
      if (raw === '' || (Number.isNaN(value) && raw !== 'NaN')) throw corrupt(`row ${t + 2}, column '${names[c]}' is '${raw}'`);
      columns[names[c]][t] = value;
    }
  }
  return { times, columns };
}
