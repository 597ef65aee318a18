/**
 * Shared measurement of the benchmarks: each case reports the work it actually did (events, hop attempts) per wall
 * second and per CPU second, wall and CPU time (all threads of the process), the process's peak RSS so far, the
 * machine's load average over the case, and the ratio to the original's figure when one exists. `finish` prints a
 * Markdown table and writes `out/bench/NAME.json` (the latest run) and appends to `out/bench/history.jsonl` (every
 * run), so a regression shows up run to run.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** The work a case did, in one unit (e.g. `hop attempts`, `events`). */
export interface Work {
  readonly amount: number;
  readonly unit: string;
}

/** The original's figure for the same workload, to compare against. */
export interface Original {
  /** What the figure is, with where it was measured. */
  readonly note: string;
  /** The original's seconds for the workload, single-threaded (ratio = original s / our CPU s) … */
  readonly seconds?: number;
  /** … or its work per second (ratio = our work per CPU second / original's). */
  readonly perSecond?: number;
}

export interface CaseResult {
  name: string;
  work: number;
  unit: string;
  wallSeconds: number;
  cpuSeconds: number;
  perWallSecond: number;
  perCpuSecond: number;
  peakRssMB: number;
  loadBefore: number;
  loadAfter: number;
  ratioToOriginal: number | null;
  original: string | null;
  extra: Record<string, number | string>;
}

const results: CaseResult[] = [];

/**
 * Runs `body` once and records it; `body` returns the work done plus optional extra figures.
 *
 * @example
 * ```ts
 * await measure('LV, 100 runs', () => ({ amount: runEnsemble().events, unit: 'events' }), { perSecond: 6.55e6, note: 'gillespie-cpp' });
 * ```
 */
export async function measure(
  name: string,
  body: () => Promise<Work & { extra?: Record<string, number | string> }> | (Work & { extra?: Record<string, number | string> }),
  original?: Original,
): Promise<CaseResult> {
  const loadBefore = loadavg()[0];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const work = await body();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perWallSecond = work.amount / wallSeconds;
  // The original's figures are single-threaded runs on an idle machine, where wall time is CPU time; comparing them
  // with this process's CPU time keeps the ratio meaningful when the machine is shared.
  let ratio: number | null = null;
  if (original?.seconds !== undefined) ratio = original.seconds / cpuSeconds;
  else if (original?.perSecond !== undefined) ratio = work.amount / cpuSeconds / original.perSecond;
  const result: CaseResult = {
    name,
    work: work.amount,
    unit: work.unit,
    wallSeconds,
    cpuSeconds,
    perWallSecond,
    perCpuSecond: work.amount / cpuSeconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    loadBefore,
    loadAfter: loadavg()[0],
    ratioToOriginal: ratio,
    original: original?.note ?? null,
    extra: work.extra ?? {},
  };
  results.push(result);
  console.error(`done: ${name} (${wallSeconds.toFixed(2)} s)`);
  return result;
}

function si(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/**
 * Prints the table and writes the JSON files under `out/bench/` of the current directory.
 *
 * @example
 * ```ts
 * finish('lattice'); // out/bench/lattice.json, out/bench/history.jsonl
 * ```
 */
export function finish(benchName: string): void {
  const lines = [
    '| case | work | wall s | CPU s | per wall s | per CPU s | peak RSS | load (1 min) | × original (CPU) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const extra = Object.entries(r.extra)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? si(v) : v}`)
      .join(', ');
    lines.push(
      `| ${r.name}${extra ? ` (${extra})` : ''} | ${si(r.work)} ${r.unit} | ${r.wallSeconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ` +
        `${si(r.perWallSecond)} | ${si(r.perCpuSecond)} | ${r.peakRssMB.toFixed(0)} MB | ${r.loadBefore.toFixed(1)}–${r.loadAfter.toFixed(1)} | ` +
        `${r.ratioToOriginal === null ? '—' : `${r.ratioToOriginal.toFixed(1)}×`} |`,
    );
  }
  const machine = { node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown' };
  console.log(lines.join('\n'));
  console.log(`\nNode ${machine.node}, ${machine.cpus} cores (${machine.cpuModel}); CPU s = all threads of the process; peak RSS = the process's so far.`);
  const notes = [...new Set(results.map((r) => r.original).filter((n): n is string => n !== null))];
  if (notes.length) console.log(`Original's figures: ${notes.join('; ')}.`);
  const record = { bench: benchName, date: new Date().toISOString(), machine, args: process.argv.slice(2), results };
  const dir = join(process.cwd(), 'out', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${benchName}.json`), `${JSON.stringify(record, null, 2)}\n`);
  appendFileSync(join(dir, 'history.jsonl'), `${JSON.stringify(record)}\n`);
  console.log(`wrote ${join(dir, `${benchName}.json`)} and appended to history.jsonl`);
}
