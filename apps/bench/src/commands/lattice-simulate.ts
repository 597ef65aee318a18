/**
 * `srn-bench lattice simulate MODEL`: an ensemble of a lattice model file (issue #14), written as DIR/moments.csv,
 * DIR/summary.json and DIR/trajectories/.
 */
import { availableParallelism } from 'node:os';
import { type CommandSpec, type ParsedOptions, UsageError } from '../args.ts';
import type { CommandContext } from '../cli.ts';
import { startProgress } from '../io.ts';
import { latticeQueueEnsemble, queueOptions, queueSettings } from '../queue/options.ts';
import { latticeRunReport, latticeSimulate } from './lattice-run.ts';

/** Options every lattice ensemble command has (`lattice simulate`, `lv simulate`): workers and what is written. */
export const latticeEnsembleOptions: CommandSpec['options'] = {
  'workers': { type: 'integer', description: 'worker threads (results do not depend on it)', default: availableParallelism(), min: 1, max: 256 },
  'exclude-extinct': { type: 'boolean', description: 'leave runs with a species at 0 at the end out of the means' },
  'trajectories': {
    type: 'choice',
    description: "binary: one .srnl file per run; text: the paper's i j SPECIES files; none",
    choices: ['binary', 'text', 'none'],
    default: 'binary',
  },
};

/** Declaration of the `lattice simulate` command. */
export const latticeSimulateSpec: CommandSpec = {
  name: 'lattice simulate',
  summary:
    'Simulate an ensemble of a lattice model file (text or JSON; see packages/gillespie/examples/lattice). Writes DIR/moments.csv ' +
    '(time, then a mean and an SD column per observable; with several initial conditions condition,time,runs,...), ' +
    'DIR/summary.json (settings, pick rule, every run\'s IC parameters) and DIR/trajectories/.',
  positionals: [{ name: 'MODEL', description: 'lattice model file (.lattice text form, or JSON)' }],
  options: {
    'out': { type: 'string', description: 'output directory (new, empty, or an earlier output)', required: true, placeholder: 'DIR' },
    'runs': { type: 'integer', description: 'number of runs (K initial conditions x M samples: a multiple of K)', default: 100, min: 1, max: 1e7 },
    'seed': { type: 'integer', description: 'seed; run i uses stream i', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'scheme': { type: 'choice', description: "scheme instead of the file's: paper (operator-split hybrid) or exact (lattice SSA)", choices: ['paper', 'exact'] },
    'selection': { type: 'choice', description: "paper scheme's pick rule instead of the file's", choices: ['uniform', 'row-biased'] },
    'steps': { type: 'integer', description: "number of snapshots instead of the file's time grid", min: 1, max: 1e7 },
    'initial': { type: 'string', description: "initial condition instead of the file's, as in the file: 'densities A = 0.3'", placeholder: 'IC' },
    'observables': { type: 'string', description: "observables instead of the file's: 'count A; pair A A nn; run A 3'", placeholder: 'LIST' },
    ...latticeEnsembleOptions,
    ...queueOptions(100),
  },
  examples: [
    'srn-bench lattice simulate packages/gillespie/examples/lattice/barw-1d.lattice --runs 500 --seed 1 --out out/barw',
    "srn-bench lattice simulate annihilation-1d.lattice --runs 2500 --trajectories none --out out/a-a",
    "srn-bench lattice simulate my.lattice --scheme exact --initial 'densities A = 0.1' --observables 'count A; pair A A nn' --out out/my",
  ],
};

/** Runs the `lattice simulate` command. */
export async function runLatticeSimulate(options: ParsedOptions, positionals: string[], context?: CommandContext): Promise<void> {
  const [model] = positionals;
  if (model === undefined) throw new UsageError('expected MODEL');
  const runs = Number(options.runs);
  const trajectories = options.trajectories as 'binary' | 'text' | 'none';
  const queue = queueSettings(options);
  const progress = startProgress('runs', runs);
  const result = await latticeSimulate({
    model,
    out: String(options.out),
    runs,
    seed: Number(options.seed),
    workers: Number(options.workers),
    scheme: options.scheme as 'paper' | 'exact' | undefined,
    selection: options.selection as 'uniform' | 'row-biased' | undefined,
    steps: options.steps === undefined ? undefined : Number(options.steps),
    initial: options.initial as string | undefined,
    observables: options.observables as string | undefined,
    trajectories,
    excludeExtinct: options.excludeExtinct === true,
    signal: context?.signal,
    onProgress: (done) => progress.update(done),
    ensemble: latticeQueueEnsemble(queue),
  });
  progress.stop();
  process.stdout.write(latticeRunReport(result, String(options.out), runs, trajectories));
}
