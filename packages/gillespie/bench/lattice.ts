/**
 * Lattice benchmarks: `npx tsx --conditions=@srn/source bench/lattice.ts [--quick]` (or `npm run bench`).
 * 1. The paper's ensemble (100 runs × 500 steps, 40 × 40, NN/NNN statistics at every step) with the original's
 *    row-biased picks and with uniform picks, on 1 and 2 threads; the exact scheme on 2 threads.
 * 2. A 1000 × 1000 lattice at the paper's densities: set-up, then hop attempts per second of the paper scheme
 *    (uniform and row-biased picks), and the exact scheme's events per second.
 * Work is counted as done: hop attempts plus unimolecular events (paper), drawn events including null events
 * (exact). Prints a Markdown table and writes out/bench/lattice.json (see harness.ts).
 */
import { createRng } from '../src/index.ts';
import { LatticeSimulator, type LatticeEventCounts, lotkaVolterraLattice } from '../src/lattice.ts';
import { simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';
import { finish, measure } from './harness.ts';

const quick = process.argv.includes('--quick');

/** The original (LatticeGillespieCpp, `-O3`), measured on this machine in an earlier session (issue #21). */
const ORIGINAL_ENSEMBLE = { seconds: 85.7, note: 'LatticeGillespieCpp 100 runs × 500 steps 40×40: 85.7 s (this machine, earlier session)' };
const ORIGINAL_L1000 = { perSecond: 1430, note: 'LatticeGillespieCpp at L = 1000: 1,430 hop attempts/s (this machine, earlier session)' };

function work(e: LatticeEventCounts): number {
  return e.attempts + e.unimolecular;
}

async function ensemble(scheme: 'paper' | 'exact', selection: 'uniform' | 'row-biased', workers: number): Promise<void> {
  const runs = quick ? 20 : 100;
  const label = scheme === 'paper' ? `LV paper ${selection}` : 'LV exact';
  await measure(
    `${label}, ${runs} runs × 500 steps, 40×40, ${workers} thread${workers > 1 ? 's' : ''}`,
    async () => {
      const { replicates, summary } = await simulateLatticeEnsembleParallel(lotkaVolterraLattice({ scheme, selection: scheme === 'paper' ? selection : undefined }), {
        runs,
        seed: 1,
        workers,
      });
      return {
        amount: replicates.reduce((a, r) => a + work(r.events), 0),
        unit: scheme === 'paper' ? 'hop attempts + events' : 'events',
        extra: { 'extinct runs': summary.extinctRuns.length },
      };
    },
    scheme === 'paper' && selection === 'row-biased' && runs === 100 ? ORIGINAL_ENSEMBLE : undefined,
  );
}

async function big(scheme: 'paper' | 'exact', selection: 'uniform' | 'row-biased' = 'uniform'): Promise<void> {
  const steps = quick ? 3 : scheme === 'paper' ? 20 : 4;
  const config = lotkaVolterraLattice({ scheme, size: 1000, steps, selection: scheme === 'paper' ? selection : undefined });
  let sim: LatticeSimulator | null = null;
  const label = scheme === 'paper' ? `LV paper ${selection}` : 'LV exact';
  await measure(`${label}, 1000×1000: set-up (geometry, state, 125,000 placements)`, () => {
    sim = new LatticeSimulator(config, createRng(1));
    return { amount: sim.state.count('X') + sim.state.count('Y'), unit: 'particles placed' };
  });
  await measure(
    `${label}, 1000×1000, ${steps} ${scheme === 'paper' ? 'steps' : 'time units'}, 1 thread`,
    (): { amount: number; unit: string; extra: Record<string, number> } => {
      const s = sim!;
      for (let t = 1; t <= steps; t++) s.advanceTo(t);
      const e = s.events;
      return scheme === 'paper'
        ? { amount: e.attempts, unit: 'hop attempts', extra: { 'unimolecular events': e.unimolecular } }
        : { amount: e.attempts, unit: 'events', extra: { 'null events %': Math.round((100 * e.nullEvents) / e.attempts) } };
    },
    scheme === 'paper' && selection === 'row-biased' ? ORIGINAL_L1000 : undefined,
  );
}

await ensemble('paper', 'row-biased', 1);
await ensemble('paper', 'row-biased', 2);
await ensemble('paper', 'uniform', 1);
await ensemble('paper', 'uniform', 2);
await ensemble('exact', 'uniform', 2);
await big('paper', 'uniform');
await big('paper', 'row-biased');
await big('exact');
finish(quick ? 'lattice-quick' : 'lattice');
