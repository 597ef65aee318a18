/**
 * `srn-bench lv simulate`: an ensemble of lattice Lotka-Volterra runs (spec sections 1-3), written as compact
 * binary trajectories plus DIR/moments.csv (time, counts, NN and NNN means and SDs, extinction fractions).
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeLattice, latticeSummaryToCsv, lotkaVolterraLattice, type LatticeEnsembleSummary } from '@srn/gillespie/lattice';
import { formatSnapshotText, simulateLatticeEnsembleParallel } from '@srn/gillespie/lattice-node';
import type { CommandSpec, ParsedOptions } from '../args.ts';
import { prepareOutputDirectory, startProgress, writeFileAtomic } from '../io.ts';

/** Declaration of the `lv simulate` command. */
export const lvSimulateSpec: CommandSpec = {
  name: 'lv simulate',
  summary:
    'Simulate the lattice Lotka-Volterra ensemble (paper parameters by default) and write DIR/moments.csv ' +
    '(time,X-mean,X-sd,...,NN_*,NNN_*,extinct_*), DIR/trajectories/run-NNNN.srnl and DIR/summary.json.',
  options: {
    'out': { type: 'string', description: 'output directory', required: true, placeholder: 'DIR' },
    'runs': { type: 'integer', description: 'number of independent runs', default: 100, min: 1, max: 1e7 },
    'seed': { type: 'integer', description: 'seed; run i uses stream i', default: 1, min: 0, max: Number.MAX_SAFE_INTEGER },
    'scheme': { type: 'choice', description: 'paper (operator-split hybrid) or exact (lattice SSA)', choices: ['paper', 'exact'], default: 'paper' },
    'size': { type: 'integer', description: 'lattice side L (L x L, periodic); densities stay 1/16', default: 40, min: 2, max: 16384 },
    'steps': { type: 'integer', description: 'snapshots at t = 0 .. steps-1 (dt = 1)', default: 500, min: 1, max: 1e7 },
    'workers': { type: 'integer', description: 'worker threads (results do not depend on it)', default: availableParallelism(), min: 1, max: 256 },
    'selection': {
      type: 'choice',
      description: "paper scheme: uniform picks, or 'row-biased' to emulate the original's picks (slow)",
      choices: ['uniform', 'row-biased'],
      default: 'uniform',
    },
    'exclude-extinct': { type: 'boolean', description: 'leave runs with a species at 0 at the end out of the means' },
    'trajectories': {
      type: 'choice',
      description: "binary: one .srnl file per run; text: the paper's i j SPECIES files; none",
      choices: ['binary', 'text', 'none'],
      default: 'binary',
    },
  },
  examples: ['srn-bench lv simulate --runs 100 --seed 7 --out out/lv-paper', 'srn-bench lv simulate --scheme exact --size 100 --steps 200 --out out/lv-exact'],
};

/** Options of {@link lvSimulate} (the parsed command line). */
export interface LvSimulateOptions {
  out: string;
  runs: number;
  seed: number;
  scheme: 'paper' | 'exact';
  size: number;
  steps: number;
  workers: number;
  selection?: 'uniform' | 'row-biased';
  excludeExtinct?: boolean;
  trajectories?: 'binary' | 'text' | 'none';
  /** Progress callback (the command draws a bar on an interactive stderr). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the ensemble and writes every file atomically; returns the summary.
 *
 * @example
 * ```ts
 * await lvSimulate({ out: 'out/lv', runs: 100, seed: 1, scheme: 'paper', size: 40, steps: 500, workers: 2 });
 * ```
 */
export async function lvSimulate(options: LvSimulateOptions): Promise<{ summary: LatticeEnsembleSummary; wallSeconds: number; events: number }> {
  const out = resolve(options.out);
  prepareOutputDirectory(out);
  const config = lotkaVolterraLattice({ scheme: options.scheme, size: options.size, steps: options.steps, selection: options.selection });
  const mode = options.trajectories ?? 'binary';
  const started = performance.now();
  const { summary, replicates } = await simulateLatticeEnsembleParallel(config, {
    runs: options.runs,
    seed: options.seed,
    workers: options.workers,
    excludeExtinct: options.excludeExtinct ?? false,
    keepTrajectories: mode !== 'none',
    onProgress: options.onProgress,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const N = options.size * options.size;
  const digits = Math.max(4, String(options.runs - 1).length);
  if (mode !== 'none') {
    const dir = join(out, 'trajectories');
    mkdirSync(dir, { recursive: true });
    for (const r of replicates) {
      const name = `run-${String(r.run).padStart(digits, '0')}`;
      const trajectory = { shape: config.shape, species: ['X', 'Y'], times: summary.times, occupancy: r.occupancy! };
      if (mode === 'binary') writeFileAtomic(join(dir, `${name}.srnl`), encodeLattice(trajectory));
      else {
        const runDir = join(dir, name, 'lattice');
        mkdirSync(runDir, { recursive: true });
        const tDigits = Math.max(4, String(options.steps - 1).length);
        for (let t = 0; t < options.steps; t++) {
          const snapshot = { shape: config.shape, species: ['X', 'Y'], occupancy: r.occupancy!.subarray(t * N, (t + 1) * N) };
          writeFileAtomic(join(runDir, `${String(t).padStart(tDigits, '0')}.txt`), formatSnapshotText(snapshot));
        }
      }
    }
  }
  const events = replicates.reduce((a, r) => a + r.events.attempts + r.events.unimolecular, 0);
  writeFileAtomic(join(out, 'moments.csv'), latticeSummaryToCsv(summary));
  const summaryJson = {
    command: 'lv simulate',
    config,
    runs: options.runs,
    seed: options.seed,
    workers: options.workers,
    excludeExtinct: options.excludeExtinct ?? false,
    runsUsed: summary.runsUsed,
    extinctRuns: summary.extinctRuns,
    extinctionTimes: replicates.map((r) => ({ run: r.run, X: nanToNull(r.extinctionTimes[0]), Y: nanToNull(r.extinctionTimes[1]) })),
    events,
    wallSeconds,
    files: { moments: 'moments.csv', trajectories: mode === 'none' ? null : `trajectories/run-*.${mode === 'binary' ? 'srnl' : 'txt'}` },
  };
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summaryJson, null, 2)}\n`);
  return { summary, wallSeconds, events };
}

function nanToNull(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

/** Runs the `lv simulate` command. */
export async function runLvSimulate(options: ParsedOptions): Promise<void> {
  const runs = Number(options.runs);
  const progress = startProgress('runs', runs);
  const { summary, wallSeconds, events } = await lvSimulate({
    out: String(options.out),
    runs,
    seed: Number(options.seed),
    scheme: options.scheme as 'paper' | 'exact',
    size: Number(options.size),
    steps: Number(options.steps),
    workers: Number(options.workers),
    selection: options.selection as 'uniform' | 'row-biased',
    excludeExtinct: options.excludeExtinct === true,
    trajectories: options.trajectories as 'binary' | 'text' | 'none',
    onProgress: (done) => progress.update(done),
  });
  progress.stop();
  const out = resolve(String(options.out));
  process.stdout.write(
    `${runs} runs in ${wallSeconds.toFixed(2)} s (${(events / wallSeconds / 1e6).toFixed(2)} M events/s); ` +
      `${summary.extinctRuns.length} runs with an extinct species${options.excludeExtinct ? ' (excluded from the means)' : ''}\n` +
      `wrote ${join(out, 'moments.csv')}, summary.json${options.trajectories === 'none' ? '' : ', trajectories/'}\n`,
  );
}
