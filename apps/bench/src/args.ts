/**
 * A small, strict command-line option parser: every option is declared with a type and range, unknown options and
 * bad values raise a {@link UsageError} naming the option (the CLI exits with code 2), and `--help` prints usage
 * generated from the same declarations.
 */

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

function parseValue(flag: string, spec: OptionSpec, raw: string): string | number {
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new UsageError(`--${flag} needs a non-empty value`);
      return raw;
    case 'choice':
      if (!spec.choices.includes(raw)) throw new UsageError(`--${flag} must be one of ${spec.choices.join(', ')}; got '${raw}'`);
      return raw;
    case 'integer':
    case 'number': {
      const value = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value)) throw new UsageError(`--${flag} must be a ${spec.type}; got '${raw}'`);
      if (spec.type === 'integer' && !Number.isSafeInteger(value)) throw new UsageError(`--${flag} must be an integer; got '${raw}'`);
      if (spec.min !== undefined && value < spec.min) throw new UsageError(`--${flag} must be >= ${spec.min}; got ${raw}`);
      if (spec.max !== undefined && value > spec.max) throw new UsageError(`--${flag} must be <= ${spec.max}; got ${raw}`);
      if (spec.greaterThan !== undefined && !(value > spec.greaterThan)) {
        throw new UsageError(`--${flag} must be > ${spec.greaterThan}; got ${raw}`);
      }
      return value;
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
        throw new UsageError(`unknown option '${arg}' for '${spec.name}' (see --help)`);
      }
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const flag = arg.slice(2, equals >= 0 ? equals : undefined);
    const optionSpec = spec.options[flag];
    if (!optionSpec) throw new UsageError(`unknown option '--${flag}' for '${spec.name}' (see --help)`);
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
        ? `'${spec.name}' takes no positional arguments; got '${positionals.join(' ')}'`
        : `'${spec.name}' expects ${names}; got ${positionals.length === 0 ? 'nothing' : `'${positionals.join(' ')}'`}`,
    );
  }
  return { options, positionals, given };
}

/**
 * Formats a command's usage text for `--help`.
 *
 * @example
 * ```ts
 * process.stdout.write(formatUsage(simulateSpec));
 * ```
 */
export function formatUsage(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => ` ${p.name}`).join('');
  const lines = [`Usage: srn-bench ${spec.name}${positionals} [options]`, '', spec.summary, ''];
  if (spec.positionals?.length) {
    lines.push('Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(26)}${p.description}`);
    lines.push('');
  }
  lines.push('Options:');
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
    lines.push(`  ${left.padEnd(26)}${right}`);
  }
  lines.push(`  ${'--help, -h'.padEnd(26)}show this help`);
  if (spec.examples?.length) {
    lines.push('', 'Examples:');
    for (const example of spec.examples) lines.push(`  ${example}`);
  }
  return `${lines.join('\n')}\n`;
}
