/**
 * srn-bench: the command line of srn. Usage errors exit with code 2, failures with code 1.
 */
import { readFileSync } from 'node:fs';
import { type CommandSpec, formatUsage, parseCommandLine, type ParsedOptions, UsageError } from './args.ts';
import { lvSimulateSpec, runLvSimulate } from './commands/lv-simulate.ts';
import { runSimulate, simulateSpec } from './commands/simulate.ts';

interface Command {
  readonly spec: CommandSpec;
  readonly run: (options: ParsedOptions, positionals: string[]) => Promise<void>;
}

const commands: Command[] = [
  { spec: simulateSpec, run: runSimulate },
  { spec: lvSimulateSpec, run: runLvSimulate },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function overview(): string {
  const lines = ['Usage: srn-bench <command> [options]', '', 'Commands:'];
  for (const { spec } of commands) lines.push(`  ${spec.name.padEnd(16)}${spec.summary.split('. ')[0]}`);
  lines.push('', "Run 'srn-bench <command> --help' for a command's options.");
  return `${lines.join('\n')}\n`;
}

/** Finds the longest command name that prefixes argv. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.spec.name.split(' ');
    if (words.every((word, i) => argv[i] === word) && (!best || words.length > best.command.spec.name.split(' ').length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** Runs the CLI on `argv` and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    // A group name alone (e.g. `lv`) lists its subcommands.
    const group = commands.filter((c) => c.spec.name.startsWith(`${argv[0]} `));
    if (group.length > 0 && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      process.stdout.write(`Usage: srn-bench ${argv[0]} <command> [options]\n\nCommands:\n`);
      for (const { spec } of group) process.stdout.write(`  ${spec.name.padEnd(16)}${spec.summary.split('. ')[0]}\n`);
      return argv.length === 1 ? 2 : 0;
    }
    process.stderr.write(`srn-bench: unknown command '${argv.slice(0, group.length ? 2 : 1).join(' ')}'\n\n${overview()}`);
    return 2;
  }
  try {
    const parsed = parseCommandLine(found.rest, found.command.spec);
    if (parsed === null) {
      process.stdout.write(formatUsage(found.command.spec));
      return 0;
    }
    await found.command.run(parsed.options, parsed.positionals);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`srn-bench ${found.command.spec.name}: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`srn-bench ${found.command.spec.name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  const abort = new AbortController();
  process.once('SIGINT', () => {
    abort.abort();
    process.stderr.write('\ninterrupted\n');
    process.exit(130);
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
