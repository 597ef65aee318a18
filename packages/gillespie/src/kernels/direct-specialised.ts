/**
 * The direct method specialised to one model by code generation: propensities and state changes are emitted as
 * straight-line code per reaction (constants inlined, no loops over CSR arrays), which roughly halves the cost per
 * event on small networks. Same algorithm, same random draws and same arithmetic order as `runDirect`, so it returns
 * identical trajectories.
 */
import type { Rng } from '../rng.ts';
import {
  failBad,
  finish,
  type KernelModel,
  type RunControl,
  type RunReport,
  recordRows,
  recordUntil,
  type SsaWorkspace,
  STATUS_COMPLETED,
  STATUS_EVENT_CAP,
  STATUS_POPULATION_CAP,
} from './ssa.ts';

/** Signature shared by every SSA kernel. */
export type SsaKernel = (
  m: KernelModel, ws: SsaWorkspace, rng: Rng, t0: number, tEnd: number, grid: Float64Array, out: Float64Array,
  control: RunControl, report: RunReport,
) => void;

function literal(value: number): string {
  return Object.is(value, -0) ? '0' : String(value);
}

/**
 * The linear search for the firing reaction, unrolled: the same comparisons and the same additions in the same
 * order as `while (cumulative <= target && j < r − 1) cumulative += a[++j]` (the sum after the last comparison is
 * not needed). Large networks keep the loop.
 */
function selectReaction(r: number): string {
  if (r > 16) return 'let j = 0; let cumulative = a[0]; while (cumulative <= target && j < r - 1) cumulative += a[++j];';
  let code = `j = ${r - 1};`;
  for (let j = r - 2; j >= 0; j--) {
    const add = j === 0 ? 'let c = a[0];' : `c += a[${j}];`;
    code = `${j === 0 ? '' : add} if (c <= target) { ${code} } else j = ${j};`;
  }
  return `let j = 0; let c = a[0]; ${r === 1 ? '' : code}`;
}

/** JS expression of reaction j's propensity over `x` and `p`. */
function propensityCode(m: KernelModel, j: number): string {
  const source = m.propensitySource[j];
  if (source !== null) return `(${source})`;
  const factors = [literal(m.massActionConstant[j])];
  for (let k = m.reactantStart[j]; k < m.reactantStart[j + 1]; k++) {
    const species = m.reactantSpecies[k];
    for (let i = 0; i < m.reactantCount[k]; i++) factors.push(i === 0 ? `x[${species}]` : `(x[${species}] - ${i})`);
  }
  return factors.join(' * ');
}

/**
 * Generates the specialised direct-method kernel for `m`.
 *
 * @example
 * ```ts
 * const kernel = specialiseDirect(instantiateModel(compileModel(model)));
 * ```
 */
export function specialiseDirect(m: KernelModel): SsaKernel {
  const r = m.reactionCount;
  const checked = (j: number): boolean => m.propensitySource[j] !== null;
  const init: string[] = [];
  for (let j = 0; j < r; j++) {
    init.push(`v = ${propensityCode(m, j)};`);
    if (checked(j)) init.push(`if (!(v >= 0 && v < Infinity)) return h.failBad(report, ${j}, v, t0, 0, 0);`);
    init.push(`a[${j}] = v; a0 += v;`);
  }
  const cases: string[] = [];
  for (let j = 0; j < r; j++) {
    const body: string[] = [];
    for (let k = m.changeStart[j]; k < m.changeStart[j + 1]; k++) {
      const s = m.changeSpecies[k];
      const delta = m.changeDelta[k];
      body.push(`x[${s}] = x[${s}] + ${literal(delta)};`);
      if (delta > 0) body.push(`if (x[${s}] > maxPopulation) over = true;`);
    }
    for (let k = m.dependentStart[j]; k < m.dependentStart[j + 1]; k++) {
      const d = m.dependents[k];
      body.push(`v = ${propensityCode(m, d)};`);
      if (checked(d)) body.push(`if (!(v >= 0 && v < Infinity)) return h.failBad(report, ${d}, v, t, events, g);`);
      body.push(`a0 += v - a[${d}]; a[${d}] = v;`);
    }
    cases.push(`case ${j}: { ${body.join(' ')} break; }`);
  }
  const source = `
    return function runDirectSpecialised(m, ws, rng, t0, tEnd, grid, out, control, report) {
      const x = ws.x, a = ws.a, p = m.parameterValues;
      const s = ${m.speciesCount}, r = ${r};
      const gridLength = grid.length;
      const maxPopulation = control.maxPopulation, maxEvents = control.maxEvents;
      let v = 0, a0 = 0;
      ${init.join('\n')}
      let t = t0, g = 0, events = 0, sinceRefresh = 0, a0AtRefresh = a0;
      const logLimit = control.logTimes === null ? 0 : control.logTimes.length;
      for (;;) {
        if (!(a0 > 0)) break;
        const tNext = t - Math.log(1 - rng.nextFloat64()) / a0;
        if (g < gridLength && grid[g] < tNext) g = h.recordUntil(x, s, grid, g, tNext, out);
        if (tNext > tEnd) break;
        if (events >= maxEvents) return h.finish(report, h.STATUS_EVENT_CAP, events, t, g);
        t = tNext;
        const target = rng.nextFloat64() * a0;
        ${selectReaction(r)}
        while (a[j] === 0 && j > 0) j--;
        if (events < logLimit) { control.logTimes[events] = t; control.logReactions[events] = j; }
        events++;
        let over = false;
        switch (j) {
          ${cases.join('\n          ')}
        }
        if (over) return h.finish(report, h.STATUS_POPULATION_CAP, events, t, g);
        if (++sinceRefresh >= 4096 || a0 < a0AtRefresh * 1e-9) {
          sinceRefresh = 0;
          a0 = 0;
          for (let q = 0; q < r; q++) a0 += a[q];
          a0AtRefresh = a0;
        }
      }
      h.recordRows(x, s, g, gridLength, out);
      h.finish(report, h.STATUS_COMPLETED, events, tEnd, gridLength);
    };`;
  // One compiled function per distinct source: every ensemble batch instantiates its model afresh, and a new
  // function per batch would start cold in the interpreter and be optimised again each time.
  let kernel = compiled.get(source);
  if (kernel === undefined) {
    const helpers = { failBad, finish, recordRows, recordUntil, STATUS_COMPLETED, STATUS_EVENT_CAP, STATUS_POPULATION_CAP };
    kernel = new Function('h', source)(helpers) as SsaKernel;
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value as string);
    compiled.set(source, kernel);
  }
  return kernel;
}

/** Generated kernels by source (the source fixes the behaviour: constants are inlined, parameters read from `m`). */
const compiled = new Map<string, SsaKernel>();
const COMPILED_MAX = 64;
