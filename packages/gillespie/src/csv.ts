/**
 * CSV in and out through one library (papaparse: RFC 4180 quoting, no dependencies, platform-neutral), so every
 * reader and writer of the package agrees on quoting, line ends and numbers.
 *
 * @packageDocumentation
 */
import Papa from 'papaparse';

/** A cell: text, or a number written as JavaScript prints it (`NaN` for NaN). */
export type CsvCell = string | number;

/**
 * Formats rows (the first usually the header) as CSV text with `\n` line ends and a final newline.
 *
 * @example
 * ```ts
 * formatCsv([['time', 'X'], [0, 10], [1, Number.NaN]]); // 'time,X\n0,10\n1,NaN\n'
 * ```
 */
export function formatCsv(rows: readonly (readonly CsvCell[])[]): string {
  if (rows.length === 0) return '';
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? String(cell) : cell)));
  return `${Papa.unparse(cells, { newline: '\n', quotes: false })}\n`;
}

/**
 * Parses CSV text into a header and rows of trimmed cells; blank lines are skipped. Throws a `RangeError` naming
 * `what` and the line of the first malformed row (unbalanced quotes, or a row whose length differs from the
 * header's).
 *
 * @example
 * ```ts
 * parseCsv('time,X\n0,10\n', 'moments.csv'); // { header: ['time', 'X'], rows: [['0', '10']] }
 * ```
 */
export function parseCsv(text: string, what: string): { header: string[]; rows: string[][] } {
  if (typeof text !== 'string') throw new TypeError(`${what} must be a string; got ${typeof text}`);
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy', transform: (v) => v.trim() });
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError) throw new RangeError(`${what}: ${quoteError.message} (row ${(quoteError.row ?? 0) + 1})`);
  const [header = [], ...rows] = parsed.data;
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new RangeError(`${what}: row ${i + 2} has ${row.length} cells; the header has ${header.length}`);
    }
  });
  return { header, rows };
}
