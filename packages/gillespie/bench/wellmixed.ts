/**
 * Well-mixed SSA throughput: events per second for the Lotka-Volterra model (10,000 runs, t_end = 10) and for a
 * network of about 2,000 reactions, single thread and all cores (1 and all threads through the pool, so the
 * parallel speed-up is like for like); the figures of harness.ts, JSON in out/bench/wellmixed.json.
 *
 *   npx tsx --conditions=@srn/source bench/wellmixed.ts [--runs 10000]
 */
import { availableParallelism } from 'node:os';
import { compileModel, ModelBuilder, parseModel, type SsaMethod, simulateEnsemble } from '../src/index.ts';
import { simulateEnsembleParallel } from '../src/node.ts';
import { finish, measure } from './harness.ts';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 10_000;
const cores = availableParallelism();

const lv = compileModel(parseModel('X -> 2 X @ 1\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100'));

// A ring of 1,000 species with reversible conversions A_i <-> A_{i+1} (2,000 reactions) plus 100 molecules each.
const ringSize = 1000;
const ringBuilder = new ModelBuilder();
for (let i = 0; i < ringSize; i++) ringBuilder.species(`A${i}`, 100);
for (let i = 0; i < ringSize; i++) {
  const next = (i + 1) % ringSize;
  ringBuilder.reaction({ reactants: { [`A${i}`]: 1 }, products: { [`A${next}`]: 1 }, rate: 1 + (i % 7) * 0.5 });
  ringBuilder.reaction({ reactants: { [`A${next}`]: 1 }, products: { [`A${i}`]: 1 }, rate: 0.7 + (i % 5) * 0.3 });
}
const ring = compileModel(ringBuilder.build());

/** gillespie-cpp, single thread, measured on this machine in an earlier session (issue #21). */
const ORIGINAL_LV = { perSecond: 6.55e6, note: 'gillespie-cpp, LV 10,000 runs to t = 10, 1 thread: 6.55 M events/s (this machine, earlier session)' };

async function inThread(model: string, plan: typeof lv, method: SsaMethod, options: { runs: number; tEnd: number }): Promise<void> {
  await measure(
    `${model}, ${method}, ${options.runs} runs, 1 thread`,
    () => ({ amount: simulateEnsemble(plan, { ...options, seed: 1, steps: 10, method, maxPopulation: 1e7 }).events, unit: 'events' }),
    model === 'Lotka-Volterra' && method === 'direct' ? ORIGINAL_LV : undefined,
  );
}

async function parallel(model: string, plan: typeof lv, method: SsaMethod, options: { runs: number; tEnd: number }, workers: number): Promise<void> {
  await measure(`${model}, ${method}, ${options.runs} runs, ${workers} thread${workers > 1 ? 's' : ''} (pool)`, async () => {
    const stats = await simulateEnsembleParallel(plan, { ...options, seed: 1, steps: 10, method, workers, maxPopulation: 1e7 });
    return { amount: stats.events, unit: 'events' };
  });
}

for (const method of ['direct', 'nrm', 'cr'] as const) await inThread('Lotka-Volterra', lv, method, { runs, tEnd: 10 });
await parallel('Lotka-Volterra', lv, 'direct', { runs, tEnd: 10 }, 1);
await parallel('Lotka-Volterra', lv, 'direct', { runs, tEnd: 10 }, cores);
for (const method of ['direct', 'nrm', 'cr'] as const) await inThread('ring, 2000 reactions', ring, method, { runs: 2, tEnd: 2 });
await parallel('ring, 2000 reactions', ring, 'cr', { runs: 8, tEnd: 2 }, cores);
finish('wellmixed');
