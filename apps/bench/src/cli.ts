/**
 * srn-bench: the command line of srn. Usage errors exit with code 2, failures with code 1.
 */
import { readFileSync } from 'node:fs';
import { type CommandSpec, formatUsage, parseCommandLine, type ParsedOptions, UsageError } from './args.ts';
import { latticeCheckSpec, runLatticeCheck } from './commands/lattice-check.ts';
import { latticeSimulateSpec, runLatticeSimulate } from './commands/lattice-simulate.ts';
import { lvAllSpec, runLvAll } from './commands/lv-all.ts';
import { lvPredictSpec, runLvPredict } from './commands/lv-predict.ts';
import { lvReportSpec, runLvReport } from './commands/lv-report.ts';
import { lvSimulateSpec, runLvSimulate } from './commands/lv-simulate.ts';
import { lvTrainSpec, runLvTrain } from './commands/lv-train.ts';
import { runSimulate, simulateSpec } from './commands/simulate.ts';
import { runSweep, sweepSpec } from './commands/sweep.ts';
import { runWorker, workerSpec } from './commands/worker.ts';
import { LvInputError, LvInterruptedError, LvMissingCapabilityError } from './lv/errors.ts';

/** What a command gets besides its options: the flags given explicitly, and Ctrl-C as an abort signal. */
export interface CommandContext {
  readonly given: ReadonlySet<string>;
  readonly signal: AbortSignal;
}

interface Command {
  readonly spec: CommandSpec;
  readonly run: (options: ParsedOptions, positionals: string[], context: CommandContext) => Promise<void>;
  /** The command handles Ctrl-C itself (checkpoint, then stop); others exit at once. */
  readonly graceful?: boolean;
}

const commands: Command[] = [
  { spec: simulateSpec, run: runSimulate },
  { spec: lvAllSpec, run: runLvAll, graceful: true },
  { spec: lvSimulateSpec, run: runLvSimulate },
  { spec: lvTrainSpec, run: runLvTrain, graceful: true },
  { spec: lvPredictSpec, run: runLvPredict },
  { spec: lvReportSpec, run: runLvReport },
  { spec: latticeSimulateSpec, run: runLatticeSimulate },
  { spec: latticeCheckSpec, run: runLatticeCheck },
  { spec: sweepSpec, run: runSweep },
  { spec: workerSpec, run: runWorker, graceful: true },
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

/** Runs the CLI on `argv` and returns the exit code (130 after Ctrl-C). */
export async function main(argv: string[], signal: AbortSignal = new AbortController().signal): Promise<number> {
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
    if (found.command.graceful) gracefulCommand = true;
    await found.command.run(parsed.options, parsed.positionals, { given: parsed.given, signal });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`srn-bench ${found.command.spec.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof LvInterruptedError) {
      process.stderr.write(`\nsrn-bench ${found.command.spec.name}: ${error.message}\n`);
      return 130;
    }
    if (error instanceof LvInputError || error instanceof LvMissingCapabilityError) {
      process.stderr.write(`srn-bench ${found.command.spec.name}: error: ${error.message}\n`);
      return 1;
    }
    if (signal.aborted) {
      process.stderr.write(`\nsrn-bench ${found.command.spec.name}: interrupted\n`);
      return 130;
    }
    process.stderr.write(`srn-bench ${found.command.spec.name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
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
