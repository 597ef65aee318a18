/**
 * srn-bench: the command line of srn. Usage errors exit with code 2, failures with code 1.
 */
import { readFileSync } from 'node:fs';
import { type CommandSpec, formatUsage, parseCommandLine, type ParsedOptions, UsageError } from './args.ts';
import { LvInputError, LvInterruptedError, LvMissingCapabilityError } from './lv/errors.ts';

/** What a command gets besides its options: the flags given explicitly, and Ctrl-C as an abort signal. */
export interface CommandContext {
  readonly given: ReadonlySet<string>;
  readonly signal: AbortSignal;
}

interface LoadedCommand {
  readonly spec: CommandSpec;
  readonly run: (options: ParsedOptions, positionals: string[], context: CommandContext) => Promise<void>;
}

interface Command {
  /** The command's words (its spec's name). */
  readonly name: string;
  /**
   * Imports the command's module on demand: each command pulls in only its own dependencies (`lv simulate` needs
   * neither mathjs nor the closure or figure packages), which keeps start-up time and memory down.
   */
  readonly load: () => Promise<LoadedCommand>;
  /** The command handles Ctrl-C itself (checkpoint, then stop); others exit at once. */
  readonly graceful?: boolean;
}

const commands: Command[] = [
  { name: 'simulate', load: async () => import('./commands/simulate.ts').then((m) => ({ spec: m.simulateSpec, run: m.runSimulate })) },
  { name: 'lv all', load: async () => import('./commands/lv-all.ts').then((m) => ({ spec: m.lvAllSpec, run: m.runLvAll })), graceful: true },
  { name: 'lv simulate', load: async () => import('./commands/lv-simulate.ts').then((m) => ({ spec: m.lvSimulateSpec, run: m.runLvSimulate })) },
  { name: 'lv train', load: async () => import('./commands/lv-train.ts').then((m) => ({ spec: m.lvTrainSpec, run: m.runLvTrain })), graceful: true },
  { name: 'lv predict', load: async () => import('./commands/lv-predict.ts').then((m) => ({ spec: m.lvPredictSpec, run: m.runLvPredict })) },
  { name: 'lv report', load: async () => import('./commands/lv-report.ts').then((m) => ({ spec: m.lvReportSpec, run: m.runLvReport })) },
];

async function loadCommand(command: Command): Promise<LoadedCommand> {
  const loaded = await command.load();
  if (loaded.spec.name !== command.name) throw new Error(`command table: '${command.name}' loads the spec of '${loaded.spec.name}'`);
  return loaded;
}

async function summaries(list: readonly Command[]): Promise<string[]> {
  const loaded = await Promise.all(list.map(loadCommand));
  return loaded.map(({ spec }) => `  ${spec.name.padEnd(16)}${spec.summary.split('. ')[0]}`);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function overview(): Promise<string> {
  const lines = ['Usage: srn-bench <command> [options]', '', 'Commands:', ...(await summaries(commands))];
  lines.push('', "Run 'srn-bench <command> --help' for a command's options.");
  return `${lines.join('\n')}\n`;
}

/** Finds the longest command name that prefixes argv. */
function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((word, i) => argv[i] === word) && (!best || words.length > best.command.name.split(' ').length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

/** Runs the CLI on `argv` and returns the exit code (130 after Ctrl-C). */
export async function main(argv: string[], signal: AbortSignal = new AbortController().signal): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(await overview());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    // A group name alone (e.g. `lv`) lists its subcommands.
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (group.length > 0 && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      process.stdout.write(`Usage: srn-bench ${argv[0]} <command> [options]\n\nCommands:\n`);
      for (const line of await summaries(group)) process.stdout.write(`${line}\n`);
      return argv.length === 1 ? 2 : 0;
    }
    process.stderr.write(`srn-bench: unknown command '${argv.slice(0, group.length ? 2 : 1).join(' ')}'\n\n${await overview()}`);
    return 2;
  }
  const { spec, run } = await loadCommand(found.command);
  try {
    const parsed = parseCommandLine(found.rest, spec);
    if (parsed === null) {
      process.stdout.write(formatUsage(spec));
      return 0;
    }
    if (found.command.graceful) gracefulCommand = true;
    await run(parsed.options, parsed.positionals, { given: parsed.given, signal });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`srn-bench ${spec.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof LvInterruptedError) {
      process.stderr.write(`\nsrn-bench ${spec.name}: ${error.message}\n`);
      return 130;
    }
    if (error instanceof LvInputError || error instanceof LvMissingCapabilityError) {
      process.stderr.write(`srn-bench ${spec.name}: error: ${error.message}\n`);
      return 1;
    }
    if (signal.aborted) {
      process.stderr.write(`\nsrn-bench ${spec.name}: interrupted\n`);
      return 130;
    }
    process.stderr.write(`srn-bench ${spec.name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
/** Set when the running command handles Ctrl-C itself. */
let gracefulCommand = false;

if (isEntry) {
  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (gracefulCommand && interrupts === 1) {
      abort.abort();
      process.stderr.write('\ninterrupt: saving a checkpoint (press Ctrl-C again to quit at once)\n');
      return;
    }
    process.stderr.write('\ninterrupted\n');
    process.exit(130);
  });
  main(process.argv.slice(2), abort.signal).then((code) => {
    process.exitCode = code;
  });
}
