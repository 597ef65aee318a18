/**
 * srn-bench: the command line of srn. Usage errors exit with code 2, failures with code 1.
 *
 * Commands load lazily: the table below names each command with its one-line summary, and a command's module (with
 * its dependencies: mathjs, vega, resvg, worker pools) is imported only when that command runs or prints its help,
 * so `--version` and `--help` stay fast.
 */
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { type CommandSpec, formatUsage, parseCommandLine, type ParsedOptions, UsageError } from './args.ts';
import { LvInputError, LvInterruptedError, LvMissingCapabilityError } from './closure/errors.ts';

/** What a command gets besides its options: the flags given explicitly, and Ctrl-C as an abort signal. */
export interface CommandContext {
  readonly given: ReadonlySet<string>;
  readonly signal: AbortSignal;
}

/** A loaded command: its option declarations and its implementation. */
export interface Command {
  readonly spec: CommandSpec;
  readonly run: (options: ParsedOptions, positionals: string[], context: CommandContext) => Promise<void>;
}

/** An entry of the command table: what the overview shows, and how to load the command. */
export interface CommandEntry {
  /** Full command path, e.g. `simulate` or `lv simulate` (equal to the loaded spec's name). */
  readonly name: string;
  /** One line for the overview: the start of the loaded spec's summary (up to its first full stop). */
  readonly summary: string;
  /** Imports the command's module. */
  readonly load: () => Promise<Command>;
  /** The command handles Ctrl-C itself (checkpoint, then stop); others exit at once. */
  readonly graceful?: boolean;
  /**
   * The command's own thread runs lattice simulation kernels (with `--workers 2` it is one of the two): `runCli`
   * keeps V8's young generation at its start-up size (2 MB semi-spaces; the pool's worker threads get a 4 MB young
   * generation) instead of letting it grow to 16 MB semi-spaces, whose pages the kernels' short-lived garbage then
   * keeps resident: about 30 MB of the peak of a 100-run `lv simulate`, for no measurable CPU time.
   */
  readonly smallYoungGeneration?: boolean;
}

/** The commands, in overview order. */
export const commands: readonly CommandEntry[] = [
  {
    name: 'simulate',
    summary: 'Simulate an ensemble of exact stochastic runs of a model (reaction DSL or SBML).',
    load: async () => {
      const m = await import('./commands/simulate.ts');
      return { spec: m.simulateSpec, run: m.runSimulate };
    },
  },
  {
    name: 'closure all',
    summary: 'Learn a moment closure for a lattice model file end to end.',
    graceful: true,
    load: async () => {
      const m = await import('./commands/closure.ts');
      return { spec: m.closureAllSpec, run: m.runClosureAll };
    },
  },
  {
    name: 'closure simulate',
    summary: 'Stage 1 of closure all: the training and held-out ensembles.',
    load: async () => {
      const m = await import('./commands/closure.ts');
      return { spec: m.closureSimulateSpec, run: m.runClosureSimulate };
    },
  },
  {
    name: 'closure train',
    summary: 'Stage 2 of closure all: train the dynamic Boltzmann distribution.',
    graceful: true,
    load: async () => {
      const m = await import('./commands/closure.ts');
      return { spec: m.closureTrainSpec, run: m.runClosureTrain };
    },
  },
  {
    name: 'closure predict',
    summary: 'Stage 3 of closure all: learned-closure moments per initial condition and the generated baselines.',
    load: async () => {
      const m = await import('./commands/closure.ts');
      return { spec: m.closurePredictSpec, run: m.runClosurePredict };
    },
  },
  {
    name: 'closure report',
    summary: 'Stage 4 of closure all: report.md, report.html, metrics.json and figures.',
    load: async () => {
      const m = await import('./commands/closure.ts');
      return { spec: m.closureReportSpec, run: m.runClosureReport };
    },
  },
  {
    name: 'lv all',
    summary: 'Run the lattice Lotka-Volterra moment-closure experiment (arXiv 1905.12122) end to end.',
    graceful: true,
    load: async () => {
      const m = await import('./commands/lv-all.ts');
      return { spec: m.lvAllSpec, run: m.runLvAll };
    },
  },
  {
    name: 'lv simulate',
    summary: 'Simulate a lattice Lotka-Volterra ensemble (or stage 1 of lv all).',
    smallYoungGeneration: true,
    load: async () => {
      const m = await import('./commands/lv-simulate.ts');
      return { spec: m.lvSimulateSpec, run: m.runLvSimulate };
    },
  },
  {
    name: 'lv train',
    summary: 'Train the dynamic Boltzmann distribution (stage 2 of lv all).',
    graceful: true,
    load: async () => {
      const m = await import('./commands/lv-train.ts');
      return { spec: m.lvTrainSpec, run: m.runLvTrain };
    },
  },
  {
    name: 'lv predict',
    summary: 'Predict moments with the learned closure and the baselines (stage 3 of lv all).',
    load: async () => {
      const m = await import('./commands/lv-predict.ts');
      return { spec: m.lvPredictSpec, run: m.runLvPredict };
    },
  },
  {
    name: 'lv report',
    summary: 'Write the report, metrics and figures (stage 4 of lv all).',
    load: async () => {
      const m = await import('./commands/lv-report.ts');
      return { spec: m.lvReportSpec, run: m.runLvReport };
    },
  },
  {
    name: 'lattice simulate',
    summary: 'Simulate an ensemble of a lattice model file (text or JSON; see packages/gillespie/examples/lattice).',
    smallYoungGeneration: true,
    load: async () => {
      const m = await import('./commands/lattice-simulate.ts');
      return { spec: m.latticeSimulateSpec, run: m.runLatticeSimulate };
    },
  },
  {
    name: 'lattice check',
    summary: 'Validate a lattice model file and print what it understood.',
    load: async () => {
      const m = await import('./commands/lattice-check.ts');
      return { spec: m.latticeCheckSpec, run: m.runLatticeCheck };
    },
  },
  {
    name: 'sweep',
    summary: 'Run an ensemble of a reaction-DSL model at every point of a parameter grid (locally or with --queue)',
    load: async () => {
      const m = await import('./commands/sweep.ts');
      return { spec: m.sweepSpec, run: m.runSweep };
    },
  },
  {
    name: 'worker',
    summary: "Compute ensemble shards from a Redis queue (for 'simulate', 'lattice simulate', 'lv simulate' and 'sweep' run with --queue)",
    graceful: true,
    load: async () => {
      const m = await import('./commands/worker.ts');
      return { spec: m.workerSpec, run: m.runWorker };
    },
  },
];

/** The app's version, from its package.json (one level above both `src/` and `dist/`). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const GLOBAL_OPTIONS: readonly [string, string][] = [
  ['--version, -V', 'print the version'],
  ['--help, -h', 'show this help'],
];

function columns(rows: readonly (readonly [string, string])[], width: number): string[] {
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

function commandList(entries: readonly CommandEntry[], width = Math.max(...entries.map((c) => c.name.length)) + 2): string[] {
  return columns(entries.map((c) => [c.name, c.summary] as const), width);
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length), ...GLOBAL_OPTIONS.map(([left]) => left.length)) + 2;
  const lines = ['Usage: srn-bench <command> [options]', '', 'Commands:', ...commandList(commands, width)];
  lines.push('', 'Options:', ...columns(GLOBAL_OPTIONS, width));
  lines.push('', "Run 'srn-bench <command> --help' for a command's options.");
  return `${lines.join('\n')}\n`;
}

/** Finds the longest command name that prefixes argv. */
function findCommand(argv: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: { entry: CommandEntry; rest: string[] } | undefined;
  for (const entry of commands) {
    const words = entry.name.split(' ');
    if (words.every((word, i) => argv[i] === word) && (!best || words.length > best.entry.name.split(' ').length)) {
      best = { entry, rest: argv.slice(words.length) };
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
  if (argv[0] === '--version' || argv[0] === '-V') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    // A group name alone (e.g. `lv`) lists its subcommands.
    const group = commands.filter((c) => c.name.startsWith(`${argv[0]} `));
    if (group.length > 0 && (argv.length === 1 || argv[1] === '--help' || argv[1] === '-h')) {
      process.stdout.write(`Usage: srn-bench ${argv[0]} <command> [options]\n\nCommands:\n${commandList(group).join('\n')}\n`);
      return argv.length === 1 ? 2 : 0;
    }
    process.stderr.write(`srn-bench: unknown command '${argv.slice(0, group.length ? 2 : 1).join(' ')}'\n\n${overview()}`);
    return 2;
  }
  const name = found.entry.name;
  try {
    const command = await found.entry.load();
    const parsed = parseCommandLine(found.rest, command.spec);
    if (parsed === null) {
      process.stdout.write(formatUsage(command.spec));
      return 0;
    }
    if (found.entry.graceful) gracefulCommand = true;
    await command.run(parsed.options, parsed.positionals, { given: parsed.given, signal });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`srn-bench ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof LvInterruptedError) {
      process.stderr.write(`\nsrn-bench ${name}: ${error.message}\n`);
      return 130;
    }
    if (error instanceof LvInputError || error instanceof LvMissingCapabilityError) {
      process.stderr.write(`srn-bench ${name}: error: ${error.message}\n`);
      return 1;
    }
    if (signal.aborted) {
      process.stderr.write(`\nsrn-bench ${name}: interrupted\n`);
      return 130;
    }
    process.stderr.write(`srn-bench ${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}

/** Set when the running command handles Ctrl-C itself. */
let gracefulCommand = false;

/**
 * Runs the CLI as the process: Ctrl-C aborts a graceful command once (checkpoint, then exit 130) and exits at once
 * otherwise; SIGTERM and SIGHUP exit at once with 128 + the signal number, so that killing srn-bench stops all
 * of it (worker threads live in this process and end with it). Called by `bin/srn-bench.js`.
 *
 * @example
 * ```ts
 * import { runCli } from '@srn/bench/dist/cli.js';
 * runCli(process.argv.slice(2));
 * ```
 */
export function runCli(argv: string[]): void {
  // Read by V8 whenever the young generation would grow, so it holds from here on (before the command's modules load).
  if (findCommand(argv)?.entry.smallYoungGeneration) v8.setFlagsFromString('--semi-space-growth-factor=1');
  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (gracefulCommand && interrupts === 1) {
      abort.abort();
      // Only the training stage writes a checkpoint, and says so itself when it has.
      process.stderr.write('\ninterrupt: stopping (press Ctrl-C again to quit at once)\n');
      return;
    }
    process.stderr.write('\ninterrupted\n');
    process.exit(130);
  });
  for (const [signalName, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signalName, () => {
      process.stderr.write(`\nsrn-bench: ${signalName}, stopping\n`);
      process.exit(code);
    });
  }
  main(argv, abort.signal).then((code) => {
    process.exitCode = code;
  });
}
