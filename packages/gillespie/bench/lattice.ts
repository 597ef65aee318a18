/**
 * Lattice benchmarks: `npx tsx --conditions=@srn/source bench/lattice.ts [--quick]`.
 * 1. The paper's ensemble (100 runs × 500 steps, 40 × 40) on 1 and 2 worker threads, both schemes.
 * 2. A 1000 × 1000 lattice at the paper's densities: sweep throughput (hop attempts per second) and exact-SSA events/s.
 * Prints a Markdown table; figures go into README.lattice.md.
 */
import { createRng } from '../src/index.ts';
import { LatticeSimulator, type LatticeEventCounts, lotkaVolterraLattice } from '../src/lattice.ts';
import { simulateLatticeEnsembleParallel } from '../src/lattice-node.ts';

const quick = process.argv.includes('--quick');
const rows: string[] = ['| case | wall time | throughput |', '|---|---|---|'];

function total(e: LatticeEventCounts): number {
  return e.attempts + e.unimolecular;
}

async function ensemble(scheme: 'paper' | 'exact', workers: number): Promise<void> {
  const runs = quick ? 20 : 100;
  const start = performance.now();
  const { replicates, summary } = await simulateLatticeEnsembleParallel(lotkaVolterraLattice({ scheme }), { runs, seed: 1, workers });
  const ms = performance.now() - start;
  const events = replicates.reduce((a, r) => a + total(r.events), 0);
  rows.push(
    `| LV ${scheme}, ${runs} runs × 500 steps, 40×40, ${workers} worker(s) (incl. NN/NNN stats) | ${(ms / 1000).toFixed(2)} s | ${(events / ms / 1000).toFixed(2)} M events/s (${summary.extinctRuns.length} extinct runs) |`,
  );
}

function big(scheme: 'paper' | 'exact'): void {
  const steps = quick ? 3 : scheme === 'paper' ? 20 : 4;
  const sim = new LatticeSimulator(lotkaVolterraLattice({ scheme, size: 1000, steps }), createRng(1));
  const start = performance.now();
  for (let t = 1; t <= steps; t++) sim.advanceTo(t);
  const ms = performance.now() - start;
  const e = sim.events;
  const detail =
    scheme === 'paper'
      ? `${(e.attempts / ms / 1000).toFixed(1)} M hop attempts/s (site-updates), ${((1e6 * steps) / ms / 1000).toFixed(0)} M lattice sites swept/s`
      : `${(e.attempts / ms / 1000).toFixed(1)} M events/s (incl. ${((100 * e.nullEvents) / e.attempts).toFixed(0)} % null)`;
  rows.push(`| LV ${scheme}, 1000×1000, ${steps} steps, 1 thread | ${(ms / 1000).toFixed(2)} s | ${detail} |`);
}

await ensemble('paper', 1);
await ensemble('paper', 2);
await ensemble('exact', 2);
big('paper');
big('exact');
const mem = process.resourceUsage().maxRSS / 1024;
console.log(rows.join('\n'));
console.log(`\npeak RSS of the main thread process: ${mem.toFixed(0)} MiB (node ${process.version})`);
