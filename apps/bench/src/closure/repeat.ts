/**
 * Repeated pipelines (issue #16 items 2 and 3): `--seeds 1-5` runs the whole pipeline once per seed into DIR/seed-N
 * (the runs share nothing but the settings), `--train-runs-sweep 100,300,1000` once per training-set size into
 * DIR/train-runs-R/seed-N; then DIR/summary.{md,csv,json} (mean ± SD over seeds of every ladder row, per predictor,
 * moment and training-set size) and the figures summary.{svg,png} (mean relative error per predictor and moment,
 * error bars ± 1 SD) and, with a sweep, learning-curve.{svg,png} (error against training runs for every predictor,
 * the noise floor included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../args.ts';
import { writeFileAtomic } from '../io.ts';
import { formatRows } from './csv.ts';
import { renderFigure } from './figures.ts';
import { LADDER, RUNG_LABELS, type Rung } from './ladder.ts';

/** The most runs one command may ask for (seeds × sizes). */
export const MAX_REPEATS = 1000;

/**
 * A list of non-negative integers: `1-5`, `1,3,7` or both (`1-3,7`), in the order given, without repeats.
 *
 * @param text the option's value
 * @param flag the option's name, for the error
 * @param min the smallest value allowed
 * @throws UsageError naming the flag and the value
 *
 * @example
 * ```ts
 * parseIntegerList('1-3,7', '--seeds'); // [1, 2, 3, 7]
 * ```
 */
export function parseIntegerList(text: string, flag: string, min = 0): number[] {
  const bad = (why: string) => new UsageError(`${flag} ${JSON.stringify(text)}: ${why} (e.g. ${flag} 1-5 or ${flag} 1,3,7)`);
  if (typeof text !== 'string' || text.trim() === '') throw bad('a list of integers is expected');
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw bad(`'${part}' is not an integer or a range a-b`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || b < a) throw bad(`'${part}' is not an increasing range of integers`);
    if (a < min) throw bad(`${a} is below ${min}`);
    if (b - a + out.length >= MAX_REPEATS) throw bad(`more than ${MAX_REPEATS} values`);
    for (let v = a; v <= b; v++) if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** One pipeline of a repeated run. */
export interface RepeatedRun {
  seed: number;
  /** The swept training-set size (runs), when there is a sweep. */
  trainRuns?: number;
  dir: string;
}

/**
 * The pipelines of `seeds` × `sizes` under `out` (DIR/seed-N, or DIR/train-runs-R/seed-N with a sweep).
 *
 * @example
 * ```ts
 * repeatedRuns('out/lv', [1, 2], [100, 300]).map((r) => r.dir); // out/lv/train-runs-100/seed-1, ...
 * ```
 */
export function repeatedRuns(out: string, seeds: readonly number[], sizes?: readonly number[]): RepeatedRun[] {
  if (!sizes) return seeds.map((seed) => ({ seed, dir: join(out, `seed-${seed}`) }));
  if (seeds.length * sizes.length > MAX_REPEATS) throw new UsageError(`--seeds x --train-runs-sweep asks for ${seeds.length * sizes.length} pipelines; at most ${MAX_REPEATS}`);
  return sizes.flatMap((trainRuns) => seeds.map((seed) => ({ seed, trainRuns, dir: join(out, `train-runs-${trainRuns}`, `seed-${seed}`) })));
}

/** One row of the summary: a ladder cell over seeds. */
export interface SummaryRow {
  predictor: Rung;
  on: string;
  moment: string;
  trainRuns: number | null;
  seeds: number[];
  /** The per-seed mean relative errors (null where a seed has no value). */
  values: (number | null)[];
  /** Mean and sample SD (n − 1) over the seeds with a finite value; SD null with fewer than 2. */
  mean: number | null;
  sd: number | null;
}

interface LadderJson {
  moments: string[];
  /** The training runs of the pipeline (K · M for model files). */
  trainRuns?: number;
  rows: { predictor: Rung; on: string; moment: string; meanRelError: number | null }[];
}

/**
 * Mean ± SD over seeds of every ladder row of the runs (read from each DIR/report/ladder.json).
 *
 * @example
 * ```ts
 * const rows = summarizeLadders(repeatedRuns('out/lv', [1, 2, 3]));
 * ```
 */
export function summarizeLadders(runs: readonly RepeatedRun[]): { moments: string[]; rows: SummaryRow[] } {
  const ladders = runs.map((run) => JSON.parse(readFileSync(join(run.dir, 'report', 'ladder.json'), 'utf8')) as LadderJson);
  const moments = ladders[0]?.moments ?? [];
  const groups = new Map<string, SummaryRow>();
  runs.forEach((run, i) => {
    for (const r of ladders[i].rows) {
      // With a sweep, the size is the pipeline's training runs (K · M for model files, where the sweep sets M).
      const size = run.trainRuns === undefined ? null : (ladders[i].trainRuns ?? run.trainRuns);
      const key = JSON.stringify([size, r.predictor, r.on, r.moment]);
      let g = groups.get(key);
      if (!g) {
        g = { predictor: r.predictor, on: r.on, moment: r.moment, trainRuns: size, seeds: [], values: [], mean: null, sd: null };
        groups.set(key, g);
      }
      g.seeds.push(run.seed);
      g.values.push(r.meanRelError);
    }
  });
  for (const g of groups.values()) {
    const x = g.values.filter((v): v is number => v !== null && Number.isFinite(v));
    if (x.length === 0) continue;
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    g.mean = mean;
    g.sd = x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1)) : null;
  }
  const rank = (r: SummaryRow) => [r.trainRuns ?? 0, r.on === 'all' ? 0 : 1, LADDER.indexOf(r.predictor), moments.indexOf(r.moment)];
  const rows = [...groups.values()].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let k = 0; k < ra.length; k++) if (ra[k] !== rb[k]) return ra[k] - rb[k];
    return a.on < b.on ? -1 : a.on > b.on ? 1 : 0;
  });
  return { moments, rows };
}

/**
 * Targets a summary is judged against: upper bounds on the learned closure's (filtered θ) mean relative error, mean
 * over the seeds at one training-set size, and the rungs it must beat (lower mean) on some of the moments.
 */
export interface LadderTargets {
  /** What the targets are (the summary's heading). */
  title: string;
  /** The training-set size the targets are defined for (other sizes are judged as indications). */
  trainRuns: number;
  below: Record<string, number>;
  beat: { moments: readonly string[]; rungs: readonly Rung[] };
}

/** Issue #16 item 5: the LV paper preset with 1,000 training runs, held-out 1,000 runs, mean over seeds 1-5. */
export const LV_PAPER_TARGETS: LadderTargets = {
  title: 'Targets of the LV paper preset (issue #16 item 5: 1,000 training runs, mean over seeds)',
  trainRuns: 1000,
  below: { X: 0.04, NN_XX: 0.08, NNN_XY: 0.1, NN_YY: 0.2 },
  beat: { moments: ['X', 'NN_XX', 'NNN_XY'], rungs: ['mean-field', 'pair', 'feed-forward'] },
};

/** One target checked: `margin` is value − bound (negative: met with room to spare). */
export interface TargetCheck {
  moment: string;
  /** An upper bound on the error, or a rung whose mean error the learned closure must be below. */
  against: number | Rung;
  value: number | null;
  bound: number | null;
  met: boolean | null;
  margin: number | null;
}

/**
 * Checks the learned closure (filtered θ, all times) of the summary rows of one training-set size against targets;
 * a missing value gives `met: null`.
 *
 * @example
 * ```ts
 * const { rows } = summarizeLadders(repeatedRuns('out/lv', [1, 2, 3, 4, 5], [1000]));
 * const checks = checkTargets(rows, LV_PAPER_TARGETS, 1000);
 * checks.filter((c) => c.met === false).map((c) => `${c.moment} misses by ${(100 * c.margin!).toFixed(1)} points`);
 * ```
 */
export function checkTargets(rows: readonly SummaryRow[], targets: LadderTargets, trainRuns: number | null): TargetCheck[] {
  const mean = (predictor: Rung, moment: string) =>
    rows.find((r) => r.trainRuns === trainRuns && r.on === 'all' && r.predictor === predictor && r.moment === moment)?.mean ?? null;
  const check = (moment: string, against: number | Rung, bound: number | null): TargetCheck => {
    const value = mean('learned-filtered', moment);
    const known = value !== null && bound !== null;
    return { moment, against, value, bound, met: known ? value < bound : null, margin: known ? value - bound : null };
  };
  return [
    ...Object.entries(targets.below).map(([moment, bound]) => check(moment, bound, bound)),
    ...targets.beat.moments.flatMap((moment) => targets.beat.rungs.map((rung) => check(moment, rung, mean(rung, moment)))),
  ];
}

/** The targets that apply to the runs (from the first run's config.json): the LV paper preset's, or none. */
function targetsOf(runs: readonly RepeatedRun[]): LadderTargets | null {
  try {
    const config = JSON.parse(readFileSync(join(runs[0].dir, 'config.json'), 'utf8')) as { kind?: string; preset?: string };
    return config.kind === 'srn-lv-experiment' && config.preset === 'paper' ? LV_PAPER_TARGETS : null;
  } catch {
    return null;
  }
}

function targetLines(checks: readonly TargetCheck[], targets: LadderTargets, size: number | null): string[] {
  const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)} %`);
  const verdict = (c: TargetCheck) =>
    c.met === null ? 'no value' : c.met ? `met (${(100 * -c.margin!).toFixed(1)} points to spare)` : `**missed by ${(100 * c.margin!).toFixed(1)} points**`;
  const lines = [
    '',
    `## ${targets.title}${size !== null ? `, ${size} training runs` : ''}`,
    '',
    ...(size === targets.trainRuns ? [] : [`The targets are defined for ${targets.trainRuns} training runs; at ${size ?? 'this'} they are an indication only.`, '']),
    '| moment | target | learned (filtered θ), mean over seeds | result |',
    '|---|---|---:|---|',
  ];
  for (const c of checks) {
    const target = typeof c.against === 'number' ? `< ${pct(c.against)}` : `below ${RUNG_LABELS[c.against]} (${pct(c.bound)})`;
    lines.push(`| ${c.moment} | ${target} | ${pct(c.value)} | ${verdict(c)} |`);
  }
  return lines;
}

function pm(row: SummaryRow | undefined): string {
  if (!row || row.mean === null) return '–';
  return row.sd === null ? `${(100 * row.mean).toFixed(1)}` : `${(100 * row.mean).toFixed(1)} ± ${(100 * row.sd).toFixed(1)}`;
}

/**
 * Writes DIR/summary.{md,csv,json} and its figures (see the module notes).
 *
 * @example
 * ```ts
 * await writeSummary('out/lv', repeatedRuns('out/lv', [1, 2, 3]), 'srn-bench lv all --seeds 1-3 --out out/lv');
 * ```
 */
export async function writeSummary(out: string, runs: readonly RepeatedRun[], command: string): Promise<SummaryRow[]> {
  const { moments, rows } = summarizeLadders(runs);
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const sizes = [...new Set(rows.map((r) => r.trainRuns).filter((s): s is number => s !== null))].sort((a, b) => a - b);
  const csv: (string | number)[][] = [['trainRuns', 'predictor', 'on', 'moment', 'n', 'mean', 'sd', ...seeds.map((s) => `seed-${s}`)]];
  for (const r of rows) {
    csv.push([r.trainRuns ?? '', r.predictor, r.on, r.moment, r.values.filter((v) => v !== null).length, r.mean ?? Number.NaN, r.sd ?? Number.NaN, ...seeds.map((s) => r.values[r.seeds.indexOf(s)] ?? Number.NaN)]);
  }
  writeFileAtomic(join(out, 'summary.csv'), formatRows(csv));
  const targets = targetsOf(runs);
  const checks = targets ? (sizes.length > 0 ? sizes : [null]).map((size) => ({ trainRuns: size, checks: checkTargets(rows, targets, size) })) : null;
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify({ command, seeds, trainRuns: sizes.length > 0 ? sizes : null, metric: 'meanRelError', moments, runs: runs.map((r) => ({ ...r, dir: r.dir.slice(out.length + 1) })), rows, targets: checks ? { ...targets, checks } : null }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  const lines = [
    '# Summary over seeds',
    '',
    `\`${command}\`: the pipeline once per seed (${seeds.join(', ')})${sizes.length > 0 ? ` and training-set size (${sizes.join(', ')} runs)` : ''}, sharing nothing but the settings. ` +
      'Mean relative error (%) against each seed\'s held-out mean, mean ± SD over the seeds (SD with n − 1), from every DIR/…/report/ladder.json.',
  ];
  for (const size of sizes.length > 0 ? sizes : [null]) {
    lines.push('', ...(size !== null ? [`## ${size} training runs`, ''] : []), `| predictor | times | ${moments.join(' | ')} |`, `|---|---|${moments.map(() => '---:').join('|')}|`);
    const keys = [...new Set(rows.filter((r) => r.trainRuns === size).map((r) => `${r.on}\u0000${r.predictor}`))];
    for (const key of keys) {
      const [on, predictor] = key.split('\u0000');
      const cells = moments.map((m) => pm(rows.find((r) => r.trainRuns === size && r.on === on && r.predictor === predictor && r.moment === m)));
      lines.push(`| ${RUNG_LABELS[predictor as Rung]} | ${on} | ${cells.join(' | ')} |`);
    }
  }
  for (const c of checks ?? []) lines.push(...targetLines(c.checks, targets!, c.trainRuns));
  writeFileAtomic(join(out, 'summary.md'), `${lines.join('\n')}\n`);
  const whole = rows.filter((r) => r.on === 'all' && r.mean !== null);
  const values = whole.map((r) => ({
    predictor: RUNG_LABELS[r.predictor],
    moment: r.moment,
    runs: r.trainRuns,
    error: 100 * r.mean!,
    low: 100 * (r.mean! - (r.sd ?? 0)),
    high: 100 * (r.mean! + (r.sd ?? 0)),
  }));
  const largest = sizes.length > 0 ? sizes[sizes.length - 1] : null;
  await renderFigure(out, 'summary', 'Mean relative error over seeds (± 1 SD)', {
    data: { values: values.filter((v) => v.runs === largest) },
    facet: { column: { field: 'moment', type: 'nominal', sort: moments } },
    spec: {
      width: 90,
      height: 160,
      layer: [
        { mark: 'bar', encoding: { x: { field: 'predictor', type: 'nominal', sort: LADDER.map((r) => RUNG_LABELS[r]), axis: null }, y: { field: 'error', type: 'quantitative', title: 'mean relative error (%)' }, color: { field: 'predictor', type: 'nominal', sort: LADDER.map((r) => RUNG_LABELS[r]) } } },
        { mark: 'rule', encoding: { x: { field: 'predictor', type: 'nominal', sort: LADDER.map((r) => RUNG_LABELS[r]) }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
      ],
    },
  } as never);
  if (sizes.length > 0) {
    await renderFigure(out, 'learning-curve', 'Mean relative error against training runs (mean ± 1 SD over seeds)', {
      data: { values },
      facet: { column: { field: 'moment', type: 'nominal', sort: moments } },
      spec: {
        width: 140,
        height: 160,
        layer: [
          { mark: { type: 'line', point: true }, encoding: { x: { field: 'runs', type: 'quantitative', scale: { type: 'log' }, title: 'training runs' }, y: { field: 'error', type: 'quantitative', title: 'mean relative error (%)' }, color: { field: 'predictor', type: 'nominal', sort: LADDER.map((r) => RUNG_LABELS[r]) } } },
          { mark: 'rule', encoding: { x: { field: 'runs', type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: { field: 'predictor', type: 'nominal', sort: LADDER.map((r) => RUNG_LABELS[r]) } } },
        ],
      },
    } as never);
  }
  return rows;
}

/** The `--seeds` and `--train-runs-sweep` options of `lv all` and `closure all`. */
export const REPEAT_OPTIONS = {
  'seeds': { type: 'string', description: 'run the pipeline once per seed into DIR/seed-N (1-5, 1,3,7) and write DIR/summary.{md,csv,json}', placeholder: 'LIST' },
  'train-runs-sweep': {
    type: 'string',
    description: 'run the pipeline once per training-set size into DIR/train-runs-R/seed-N (100,300,1000; model files: samples per condition) and draw the learning curve',
    placeholder: 'LIST',
  },
} as const;

/**
 * Runs `runOne` for every seed × size of the options (each into its own directory), then writes the summary. Returns
 * false when neither option is given (the caller runs one pipeline as before).
 *
 * @example
 * ```ts
 * await runRepeated(options, dir, 'srn-bench lv all ...', (run) => runPipeline(cliContext(run.dir, ...), { seed: run.seed }));
 * ```
 */
export async function runRepeated(
  options: Record<string, unknown>,
  out: string,
  command: string,
  runOne: (run: RepeatedRun) => Promise<boolean>,
  log: (line: string) => void,
  given: ReadonlySet<string> = new Set(),
): Promise<boolean> {
  if (options.seeds === undefined && options.trainRunsSweep === undefined) return false;
  if (options.resume === true || options.until !== undefined || options.stopAfterTrainSteps !== undefined) {
    throw new UsageError('--seeds and --train-runs-sweep run whole pipelines; drop --resume, --until and --stop-after-train-steps');
  }
  if (options.seeds !== undefined && given.has('seed')) throw new UsageError('--seed and --seeds both given; give --seeds 7 for a single seed');
  const seeds = options.seeds === undefined ? [Number(options.seed)] : parseIntegerList(String(options.seeds), '--seeds');
  const sizes = options.trainRunsSweep === undefined ? undefined : parseIntegerList(String(options.trainRunsSweep), '--train-runs-sweep', 1);
  const runs = repeatedRuns(out, seeds, sizes);
  for (const [i, run] of runs.entries()) {
    log(`== ${i + 1}/${runs.length}: seed ${run.seed}${run.trainRuns !== undefined ? `, training-set size ${run.trainRuns}` : ''} -> ${run.dir}`);
    if (!(await runOne(run))) throw new UsageError(`the pipeline in ${run.dir} stopped before its report`);
  }
  await writeSummary(out, runs, command);
  log(`summary over ${seeds.length} seed${seeds.length > 1 ? 's' : ''}: ${join(out, 'summary.md')} (summary.csv, summary.json${sizes ? ', learning-curve.svg' : ''}, summary.svg)`);
  return true;
}

/**
 * The command line of a run, from the flags given (for the summary's provenance).
 *
 * @example
 * ```ts
 * commandLine('srn-bench lv all', { seeds: '1-3', out: 'o' }, new Set(['seeds', 'out'])); // 'srn-bench lv all --seeds 1-3 --out o'
 * ```
 */
export function commandLine(name: string, options: Record<string, unknown>, given: ReadonlySet<string>): string {
  const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const parts = [name];
  for (const flag of given) {
    const value = options[camel(flag)] ?? options[flag];
    parts.push(value === true ? `--${flag}` : `--${flag} ${String(value)}`);
  }
  return parts.join(' ');
}
