/**
 * A small, strict command-line option parser: every option is declared with a type and range, unknown options and
 * bad values raise a {@link UsageError} naming the option (the CLI exits with code 2), and `--help` prints usage
 * generated from the same declarations.
 */
import { resolve } from 'node:path';

/** A usage mistake: unknown option, missing or malformed value. The CLI prints it and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Declaration of one option. */
export type OptionSpec =
  | {
      readonly type: 'string';
      readonly description: string;
      readonly default?: string;
      readonly required?: boolean;
      readonly placeholder?: string;
      /** The value is a path: `input` (read) or `output` (a file or directory to create); see {@link checkPathValue}. */
      readonly path?: 'input' | 'output';
      /** The option may be given several times; its value is then the list of values (a string[]). */
      readonly multiple?: boolean;
    }
  | { readonly type: 'boolean'; readonly description: string }
  | {
      readonly type: 'integer' | 'number';
      readonly description: string;
      readonly default?: number;
      readonly min?: number;
      readonly max?: number;
      /** Exclusive lower bound (for "positive" numbers). */
      readonly greaterThan?: number;
      readonly required?: boolean;
      readonly placeholder?: string;
    }
  | { readonly type: 'choice'; readonly description: string; readonly choices: readonly string[]; readonly default?: string };

/** A command's declaration. */
export interface CommandSpec {
  /** Full command path, e.g. `simulate` or `lv simulate`. */
  readonly name: string;
  readonly summary: string;
  /** Positional arguments, e.g. `['MODEL']`. */
  readonly positionals?: readonly { readonly name: string; readonly description: string }[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples?: readonly string[];
}

/** Parsed options keyed by their camelCase name. */
export type ParsedOptions = Record<string, string | number | boolean | string[] | undefined>;

function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Directories of kernel interfaces: creating output there hangs or fails in odd ways (mkdir under /proc loops). */
const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/**
 * Rejects path values that are almost certainly mistakes, with a {@link UsageError} naming the option: `-` (this
 * CLI never writes to stdout or reads stdin in place of a file), a value starting with `-` (a forgotten value
 * swallowing the next option; write `./-name` to mean it), control characters (a pasted newline), and for outputs
 * a location under /proc, /sys or /dev.
 *
 * @example
 * ```ts
 * checkPathValue('out', '-', 'output'); // throws UsageError: --out -: ...
 * ```
 */
export function checkPathValue(flag: string, raw: string, kind: 'input' | 'output'): void {
  const shown = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}...` : raw);
  if (raw === '-') {
    throw new UsageError(`--${flag} -: srn-bench does not ${kind === 'output' ? 'write to stdout' : 'read from stdin'}; give a path (./- for a file named '-')`);
  }
  if (raw.startsWith('-')) throw new UsageError(`--${flag} ${shown}: looks like an option, not a path (write ./${raw} if you mean it)`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected here
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new UsageError(`--${flag} ${shown}: the path contains a control character`);
  if (kind === 'output') {
    const absolute = resolve(raw);
    const under = PSEUDO_FILESYSTEMS.find((dir) => absolute === dir || absolute.startsWith(`${dir}/`));
    if (under !== undefined) throw new UsageError(`--${flag} ${shown}: cannot write output under ${under} (a kernel file system)`);
  }
}

/** Most characters of a user's input quoted back in a message; longer input is cut (the rest is counted). */
export const ECHO_LIMIT = 60;

/**
 * Quotes user input for an error message: control and other non-printable characters escaped (`\u0000`), at most
 * {@link ECHO_LIMIT} characters, then the number left out, so a binary file or a 40 KB expression never floods the
 * terminal.
 *
 * @example
 * ```ts
 * echo('x'.repeat(100)); // "'xxxx…' (40 more characters)"
 * ```
 */
export function echo(raw: string, limit = ECHO_LIMIT): string {
  const { text, more } = printable(raw, limit);
  return more > 0 ? `'${text}…' (${more} more characters)` : `'${text}'`;
}

/** `raw` with non-printable characters escaped, cut at `limit` characters of output, and how many input characters were left out. */
function printable(raw: string, limit: number, keepNewlines = false): { text: string; more: number } {
  let text = '';
  let used = 0;
  for (const c of raw.length > 4 * limit ? raw.slice(0, 4 * limit) : raw) {
    const shown = !(keepNewlines && c === '\n') && /[\p{Cc}\p{Cs}\p{Co}\p{Cn}\uFFFD]/u.test(c) ? `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}` : c;
    if (text.length + shown.length > limit) break;
    text += shown;
    used += c.length;
  }
  return { text, more: raw.length - used };
}

/**
 * Caps a message built from user input (e.g. a parser's error that quotes a line): non-printable characters
 * escaped, at most `limit` characters kept.
 *
 * @example
 * ```ts
 * capMessage(error.message); // at most 300 characters, then "… (N more characters)"
 * ```
 */
export function capMessage(message: string, limit = 300): string {
  const { text, more } = printable(message, limit, true);
  return more > 0 ? `${text}… (${more} more characters)` : text;
}

/** Decimal notation only: `12`, `-3.5`, `1e6`, `.5`; not `0x10`, `0b1`, `Infinity` or padded with spaces. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * True when `raw` is a number in plain decimal notation (optionally with an exponent) that is finite as a double.
 *
 * @example
 * ```ts
 * isDecimal('1e6'); // true
 * isDecimal('0x10'); // false
 * ```
 */
export function isDecimal(raw: string): boolean {
  return DECIMAL.test(raw) && Number.isFinite(Number(raw));
}

/**
 * Checks a number against an option's declaration (type and range) and throws a {@link UsageError} naming the option.
 * Used for values from the command line and, with another `name`, for values read back from files.
 *
 * @example
 * ```ts
 * checkNumber('--runs', { type: 'integer', description: 'runs', min: 1 }, 0); // throws: --runs must be >= 1; got 0
 * ```
 */
export function checkNumber(name: string, spec: Extract<OptionSpec, { type: 'integer' | 'number' }>, value: number, raw = String(value)): number {
  const article = spec.type === 'integer' ? 'an' : 'a';
  if (!Number.isFinite(value)) throw new UsageError(`${name} must be ${article} ${spec.type}; got ${echo(raw)}`);
  // The range first: 1e20 is an integer, just not one that fits.
  if (spec.min !== undefined && value < spec.min) throw new UsageError(`${name} must be >= ${spec.min}; got ${echo(raw)}`);
  if (spec.max !== undefined && value > spec.max) throw new UsageError(`${name} must be <= ${spec.max}; got ${echo(raw)}`);
  if (spec.greaterThan !== undefined && !(value > spec.greaterThan)) throw new UsageError(`${name} must be > ${spec.greaterThan}; got ${echo(raw)}`);
  if (spec.type === 'integer' && !Number.isSafeInteger(value)) {
    throw new UsageError(`${name} must be an integer${Number.isInteger(value) ? ` of at most ${Number.MAX_SAFE_INTEGER}` : ''}; got ${echo(raw)}`);
  }
  return value;
}

function parseValue(flag: string, spec: OptionSpec, raw: string): string | number {
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new UsageError(`--${flag} needs a non-empty value`);
      if (spec.path !== undefined) checkPathValue(flag, raw, spec.path);
      return raw;
    case 'choice':
      if (!spec.choices.includes(raw)) throw new UsageError(`--${flag} must be one of ${spec.choices.join(', ')}; got ${echo(raw)}`);
      return raw;
    case 'integer':
    case 'number': {
      const article = spec.type === 'integer' ? 'an' : 'a';
      if (!DECIMAL.test(raw)) throw new UsageError(`--${flag} must be ${article} ${spec.type} in decimal notation; got ${echo(raw)}`);
      return checkNumber(`--${flag}`, spec, Number(raw), raw);
    }
    default:
      throw new UsageError(`--${flag} takes no value`);
  }
}

/**
 * Parses `argv` against `spec`. Returns `null` when `--help` was asked for.
 *
 * @example
 * ```ts
 * const parsed = parseCommandLine(['model.srn', '--runs', '10'], simulateSpec);
 * ```
 */
export function parseCommandLine(
  argv: readonly string[],
  spec: CommandSpec,
): { options: ParsedOptions; positionals: string[]; given: Set<string> } | null {
  const options: ParsedOptions = {};
  const positionals: string[] = [];
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return null;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
        throw new UsageError(`unknown option ${echo(arg)} for '${spec.name}' (see --help)`);
      }
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = arg.slice(2, equals >= 0 ? equals : undefined);
    const optionSpec = spec.options[flag];
    if (!optionSpec) throw new UsageError(`unknown option ${echo(`--${flag}`)} for '${spec.name}' (see --help)`);
    const multiple = optionSpec.type === 'string' && optionSpec.multiple === true;
    if (given.has(flag) && !multiple) throw new UsageError(`--${flag} given more than once`);
    given.add(flag);
    if (optionSpec.type === 'boolean') {
      if (equals >= 0) {
        const raw = arg.slice(equals + 1);
        if (raw !== 'true' && raw !== 'false') throw new UsageError(`--${flag} is a flag; use --${flag} or --${flag}=false`);
        options[camelCase(flag)] = raw === 'true';
      } else {
        options[camelCase(flag)] = true;
      }
      continue;
    }
    let raw: string;
    if (equals >= 0) raw = arg.slice(equals + 1);
    else {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) {
        throw new UsageError(`--${flag} needs a value`);
      }
      raw = argv[++i];
    }
    const value = parseValue(flag, optionSpec, raw);
    if (multiple) options[camelCase(flag)] = [...((options[camelCase(flag)] as string[] | undefined) ?? []), String(value)];
    else options[camelCase(flag)] = value;
  }
  for (const [flag, optionSpec] of Object.entries(spec.options)) {
    const key = camelCase(flag);
    if (options[key] !== undefined) continue;
    if ('required' in optionSpec && optionSpec.required) throw new UsageError(`missing required option --${flag}`);
    if (optionSpec.type === 'boolean') options[key] = false;
    else if ('default' in optionSpec) options[key] = optionSpec.default;
  }
  const expected = spec.positionals ?? [];
  if (positionals.length !== expected.length) {
    const names = expected.map((p) => p.name).join(' ');
    throw new UsageError(
      expected.length === 0
        ? `'${spec.name}' takes no positional arguments; got ${echo(positionals.join(' '))}`
        : `'${spec.name}' expects ${names}; got ${positionals.length === 0 ? 'nothing' : echo(positionals.join(' '))}`,
    );
  }
  return { options, positionals, given };
}

/** Widest left column (option and value placeholder) of `--help` before descriptions move to their own line. */
const MAX_LEFT_COLUMN = 34;

/**
 * Formats a command's usage text for `--help`: options and descriptions in two aligned columns.
 *
 * @example
 * ```ts
 * process.stdout.write(formatUsage(simulateSpec));
 * ```
 */
export function formatUsage(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => ` ${p.name}`).join('');
  const rows: [string, string][] = [];
  for (const [flag, option] of Object.entries(spec.options)) {
    let left = `--${flag}`;
    if (option.type === 'choice') left += ` ${option.choices.join('|')}`;
    else if (option.type !== 'boolean') left += ` ${'placeholder' in option && option.placeholder ? option.placeholder : option.type === 'string' ? 'TEXT' : 'N'}`;
    let right = option.description;
    if ('default' in option && option.default !== undefined) right += ` (default ${option.default})`;
    if ('required' in option && option.required) right += ' (required)';
    if (option.type === 'string' && option.multiple) right += ' (repeatable)';
    if (option.type === 'integer' || option.type === 'number') {
      const range = [option.min !== undefined ? `>= ${option.min}` : '', option.greaterThan !== undefined ? `> ${option.greaterThan}` : '', option.max !== undefined ? `<= ${option.max}` : '']
        .filter(Boolean)
        .join(', ');
      if (range) right += ` [${range}]`;
    }
    rows.push([left, right]);
  }
  rows.push(['--help, -h', 'show this help']);
  const argumentRows = (spec.positionals ?? []).map((p): [string, string] => [p.name, p.description]);
  // One column width for arguments and options: the longest left part plus two spaces, capped so that one very long
  // option does not push every description to the right; a left part longer than the cap gets its description on
  // the next line, indented to the column.
  const longest = Math.max(...[...rows, ...argumentRows].map(([left]) => left.length));
  const width = Math.min(longest, MAX_LEFT_COLUMN) + 2;
  const table = (entries: [string, string][]) =>
    entries.map(([left, right]) => (left.length + 2 <= width ? `  ${left.padEnd(width)}${right}` : `  ${left}\n  ${' '.repeat(width)}${right}`));
  const lines = [`Usage: srn-bench ${spec.name}${positionals} [options]`, '', spec.summary, ''];
  if (argumentRows.length > 0) lines.push('Arguments:', ...table(argumentRows), '');
  lines.push('Options:', ...table(rows));
  if (spec.examples?.length) {
    lines.push('', 'Examples:');
    for (const example of spec.examples) lines.push(`  ${example}`);
  }
  return `${lines.join('\n')}\n`;
}
