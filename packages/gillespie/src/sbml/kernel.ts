/**
 * The direct-method SSA extended with what SBML adds to a reaction network: events (no delay) with triggers on
 * species and on time, propensities that change in steps at fixed times, and assignment-rule values reported on the
 * grid. Same signature, report and grid conventions as the kernels in `kernels/ssa.ts`.
 *
 * Exactness: between two reactions the state is constant, so propensities and triggers can only change at the
 * thresholds of their time comparisons. The kernel draws the next reaction time; if a threshold comes first it
 * stops there, fires the events that became true, recomputes every propensity and draws afresh. By the
 * memorylessness of the exponential waiting time this samples the same process as an uninterrupted SSA.
 *
 * Event semantics (SBML L3 without delays): an event fires when its trigger goes from false to true (at t0 the
 * previous value is `initialValue`). Assignments are computed from the state at the trigger time
 * (`useValuesFromTriggerTime`) or at execution, and applied at once. Simultaneous events run in order of priority,
 * ties in random order; after each one all triggers are re-evaluated (cascades, non-persistent cancellation).
 * A trigger is taken as true at t when it is true at t or just after t (so `time > 5` fires at 5).
 *
 * @packageDocumentation
 */
import { SimulationError } from '../errors.ts';
import type { SsaKernel } from '../kernels/direct-specialised.ts';
import {
  failBad,
  finish,
  type KernelModel,
  type RunControl,
  type RunReport,
  type SsaWorkspace,
  STATUS_COMPLETED,
  STATUS_EVENT_CAP,
  STATUS_POPULATION_CAP,
} from '../kernels/ssa.ts';
import { type Rng, standardExponential } from '../rng.ts';
import type { SbmlExtension } from './kernel-types.ts';

type Fn = (x: Float64Array, p: Float64Array, t: number) => number;

/** Event firings allowed at one instant before the run is stopped as a runaway cascade. */
export const MAX_CASCADE = 10_000;

function compile(source: string): Fn {
  return new Function('x', 'p', 't', `return ${source};`) as Fn;
}

const kernels = new WeakMap<KernelModel, SsaKernel>();

/**
 * The SBML kernel for a kernel model whose plan carries an SBML extension, or undefined for a plain model.
 * Built once per kernel model (per thread).
 *
 * @example
 * ```ts
 * const kernel = sbmlKernelFor(instantiateModel(loadSbml(xml).plan)); // undefined when no events/rules/time steps
 * ```
 */
export function sbmlKernelFor(m: KernelModel): SsaKernel | undefined {
  const ext = (m as KernelModel & { sbml?: SbmlExtension }).sbml;
  if (ext === undefined) return undefined;
  let kernel = kernels.get(m);
  if (!kernel) {
    kernel = buildKernel(m, ext);
    kernels.set(m, kernel);
  }
  return kernel;
}

function buildKernel(m: KernelModel, ext: SbmlExtension): SsaKernel {
  const R = m.reactionCount;
  const S = m.speciesCount;
  const E = ext.events.length;
  const propensity = ext.propensity.map(compile);
  const hasThresholds = ext.thresholds.length > 0;
  const nextThreshold = new Function(
    'x', 'p', 't',
    `let m = Infinity, v = 0;\n${ext.thresholds.map((h) => `v = ${h}; if (v > t && v < m) m = v;`).join('\n')}\nreturn m;`,
  ) as Fn;
  const triggerExact = ext.events.map((e) => compile(e.triggerExact));
  const triggerRight = ext.events.map((e) => compile(e.triggerRight));
  const priority = ext.events.map((e) => (e.priority === null ? null : compile(e.priority)));
  const assignValue = ext.events.map((e) => e.assignments.map((a) => compile(a.source)));
  const assignScale = ext.events.map((e) => e.assignments.map((a) => (a.scale === null ? null : compile(a.scale))));
  const record = ext.record.map((r) => ({ column: r.column, fn: compile(r.source) }));
  const p = new Float64Array(m.parameterValues.length);
  const prev = new Uint8Array(E);
  const pending = new Uint8Array(E);
  const stored = ext.events.map((e) => new Float64Array(e.assignments.length));
  const scratch = ext.events.map((e) => new Float64Array(e.assignments.length));

  const computeValues = (e: number, x: Float64Array, t: number, into: Float64Array): void => {
    const fns = assignValue[e];
    for (let k = 0; k < fns.length; k++) into[k] = fns[k](x, p, t);
  };
  /** Re-evaluates triggers `list[from..to)` (or all when list is null); returns true when one became pending. */
  const checkTriggers = (x: Float64Array, t: number, list: Int32Array | null, from: number, to: number): boolean => {
    let fired = false;
    for (let q = from; q < to; q++) {
      const e = list === null ? q : list[q];
      const right = triggerRight[e](x, p, t) ? 1 : 0;
      const now = right === 1 || triggerExact[e](x, p, t);
      if (!prev[e] && now) {
        if (!pending[e]) {
          pending[e] = 1;
          if (ext.events[e].useValuesFromTriggerTime) computeValues(e, x, t, stored[e]);
        }
        fired = true;
      } else if (pending[e] && !now && !ext.events[e].persistent) {
        pending[e] = 0;
      }
      prev[e] = right;
    }
    return fired;
  };
  const executePending = (x: Float64Array, t: number, rng: Rng): void => {
    for (let cascade = 0; ; cascade++) {
      let chosen = -1;
      let best = -Infinity;
      let ties = 0;
      for (let e = 0; e < E; e++) {
        if (!pending[e]) continue;
        const fn = priority[e];
        const value = fn === null ? -Infinity : fn(x, p, t);
        const key = value === value ? value : -Infinity;
        if (chosen < 0 || key > best) {
          chosen = e;
          best = key;
          ties = 1;
        } else if (key === best && rng.nextFloat64() * ++ties < 1) {
          chosen = e;
        }
      }
      if (chosen < 0) return;
      if (cascade >= MAX_CASCADE) {
        throw new SimulationError(`more than ${MAX_CASCADE} event firings at t = ${t}; events keep re-triggering each other (last: '${ext.events[chosen].id}')`);
      }
      pending[chosen] = 0;
      const spec = ext.events[chosen];
      const values = spec.useValuesFromTriggerTime ? stored[chosen] : scratch[chosen];
      if (!spec.useValuesFromTriggerTime) computeValues(chosen, x, t, values);
      for (let k = 0; k < spec.assignments.length; k++) {
        const a = spec.assignments[k];
        if (!Number.isFinite(values[k])) {
          throw new SimulationError(`event '${spec.id}' assigns ${values[k]} to '${a.variable}' at t = ${t}`);
        }
        if (a.target === 'p') p[a.index] = values[k];
      }
      for (let k = 0; k < spec.assignments.length; k++) {
        const a = spec.assignments[k];
        if (a.target !== 'x') continue;
        const scale = assignScale[chosen][k];
        let v = scale === null ? values[k] : values[k] * scale(x, p, t);
        const r = Math.round(v);
        if (Math.abs(v - r) <= 1e-9 * Math.max(1, Math.abs(v))) v = r;
        if (!Number.isFinite(v)) throw new SimulationError(`event '${spec.id}' assigns ${v} to '${a.variable}' at t = ${t}`);
        if (v < 0 || v > Number.MAX_SAFE_INTEGER) {
          throw new SimulationError(`event '${spec.id}' assigns the amount ${v} to species '${a.variable}' at t = ${t}; expected 0 to 2^53 − 1`);
        }
        x[a.index] = v;
      }
      checkTriggers(x, t, null, 0, E);
    }
  };
  const recordRows = (x: Float64Array, grid: Float64Array, out: Float64Array, from: number, until: number): void => {
    for (let g = from; g < until; g++) {
      const base = g * S;
      for (let i = 0; i < S; i++) out[base + i] = x[i];
      for (let k = 0; k < record.length; k++) out[base + record[k].column] = record[k].fn(x, p, grid[g]);
    }
  };

  return function runSbmlDirect(
    km: KernelModel, ws: SsaWorkspace, rng: Rng, t0: number, tEnd: number, grid: Float64Array, out: Float64Array,
    control: RunControl, report: RunReport,
  ): void {
    const { x, a } = ws;
    const gridLength = grid.length;
    p.set(km.parameterValues);
    for (let e = 0; e < E; e++) {
      prev[e] = ext.events[e].initialValue ? 1 : 0;
      pending[e] = 0;
    }
    let t = t0;
    let g = 0;
    let events = 0;
    let a0 = 0;
    const refreshAll = (): number => {
      a0 = 0;
      for (let j = 0; j < R; j++) {
        const v = propensity[j](x, p, t);
        if (!(v >= 0 && v < Infinity)) return j;
        a[j] = v;
        a0 += v;
      }
      return -1;
    };
    if (E > 0 && checkTriggers(x, t, null, 0, E)) executePending(x, t, rng);
    let bad = refreshAll();
    if (bad >= 0) return failBad(report, bad, propensity[bad](x, p, t), t, 0, 0);
    let stop = hasThresholds ? nextThreshold(x, p, t) : Infinity;
    let sinceRefresh = 0;
    let a0AtRefresh = a0;
    // Threshold stops count against maxEvents too, so that a threshold an event keeps moving cannot stall a run.
    let stops = 0;
    for (;;) {
      const tNext = a0 > 0 ? t + standardExponential(rng) / a0 : Infinity;
      if (stop <= tNext && stop <= tEnd) {
        if (++stops > control.maxEvents) return finish(report, STATUS_EVENT_CAP, events, t, g);
        let gEnd = g;
        while (gEnd < gridLength && grid[gEnd] < stop) gEnd++;
        recordRows(x, grid, out, g, gEnd);
        g = gEnd;
        t = stop;
        if (E > 0 && checkTriggers(x, t, null, 0, E)) executePending(x, t, rng);
        bad = refreshAll();
        if (bad >= 0) return failBad(report, bad, propensity[bad](x, p, t), t, events, g);
        a0AtRefresh = a0;
        stop = nextThreshold(x, p, t);
        continue;
      }
      let gEnd = g;
      while (gEnd < gridLength && grid[gEnd] < tNext) gEnd++;
      if (gEnd > g) {
        recordRows(x, grid, out, g, gEnd);
        g = gEnd;
      }
      if (tNext > tEnd) break;
      if (events >= control.maxEvents) return finish(report, STATUS_EVENT_CAP, events, t, g);
      t = tNext;
      const target = rng.nextFloat64() * a0;
      let j = 0;
      let cumulative = a[0];
      while (cumulative <= target && j < R - 1) cumulative += a[++j];
      while (a[j] === 0 && j > 0) j--;
      if (control.logTimes !== null && events < control.logTimes.length) {
        control.logTimes[events] = t;
        control.logReactions![events] = j;
      }
      events++;
      let over = false;
      for (let k = km.changeStart[j]; k < km.changeStart[j + 1]; k++) {
        const s = km.changeSpecies[k];
        const value = x[s] + km.changeDelta[k];
        x[s] = value;
        if (value > control.maxPopulation) over = true;
      }
      const triggerFrom = ext.triggerStart[j];
      const triggerTo = ext.triggerStart[j + 1];
      if (triggerTo > triggerFrom && checkTriggers(x, t, ext.triggers, triggerFrom, triggerTo)) {
        executePending(x, t, rng);
        bad = refreshAll();
        if (bad >= 0) return failBad(report, bad, propensity[bad](x, p, t), t, events, g);
        a0AtRefresh = a0;
        stop = hasThresholds ? nextThreshold(x, p, t) : Infinity;
      } else {
        for (let k = km.dependentStart[j]; k < km.dependentStart[j + 1]; k++) {
          const d = km.dependents[k];
          const v = propensity[d](x, p, t);
          if (!(v >= 0 && v < Infinity)) return failBad(report, d, v, t, events, g);
          a0 += v - a[d];
          a[d] = v;
        }
        if (ext.thresholdsReadSpecies) stop = nextThreshold(x, p, t);
        // Incremental sums drift: refresh now and then, and when cancellation may have eaten the sum.
        if (++sinceRefresh >= 4096 || a0 < a0AtRefresh * 1e-9) {
          sinceRefresh = 0;
          a0 = 0;
          for (let q = 0; q < R; q++) a0 += a[q];
          a0AtRefresh = a0;
        }
      }
      if (over) return finish(report, STATUS_POPULATION_CAP, events, t, g);
    }
    recordRows(x, grid, out, g, gridLength);
    finish(report, STATUS_COMPLETED, events, tEnd, gridLength);
  };
}
