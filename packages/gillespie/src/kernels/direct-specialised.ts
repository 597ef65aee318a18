/**
 * The direct method specialised to one model by code generation: propensities and state changes are emitted as
 * straight-line code per reaction (constants inlined, no loops over CSR arrays), which roughly halves the cost per
 * event on small networks. Same algorithm, same random draws and same arithmetic order as `runDirect`, so it returns
 * identical trajectories.
 */
import { EXPONENTIAL_ZIGGURAT, type Rng, standardExponential, Xoshiro128 } from '../rng.ts';
import {
  FRESH_SUM_MAX_REACTIONS,
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
  const tiny = r >= 1 && r <= FRESH_SUM_MAX_REACTIONS && m.speciesCount >= 1 && m.speciesCount <= TINY_MAX_SPECIES ? tinySource(m) : null;
  return compile(tiny ?? switchSource(m));
}

/**
 * Species held in local variables by the branch-free kernel, which runs networks of up to
 * `FRESH_SUM_MAX_REACTIONS` (8) reactions: there every kernel sums the total propensity afresh after each event,
 * so the branch-free kernel, the switch kernel and `runDirect` give identical runs.
 */
export const TINY_MAX_SPECIES = 16;

/**
 * The branch-free kernel of small networks: species amounts and propensities live in local variables, the firing
 * reaction is the number of cumulative sums at or below the target (the linear search's answer, without its
 * unpredictable branches), the state changes by table look-up (one table per species, indexed by the reaction),
 * and every propensity is recomputed. Per event this trades a few multiplications for the mispredicted branches
 * of the search and of a switch over the reactions.
 */
function tinySource(m: KernelModel): string | null {
  const r = m.reactionCount;
  const S = m.speciesCount;
  const checked = (j: number): boolean => m.propensitySource[j] !== null;
  // Propensity code reads amounts as x[<index>] (propensityCode, translateExpression); anything else keeps the array.
  const local = (code: string): string => code.replace(/\bx\[(\d+)\]/g, 'x_$1');
  for (let j = 0; j < r; j++) if (/\bx\b/.test(local(propensityCode(m, j)))) return null;
  const delta: number[][] = Array.from({ length: S }, () => new Array<number>(r).fill(0));
  for (let j = 0; j < r; j++) {
    for (let k = m.changeStart[j]; k < m.changeStart[j + 1]; k++) delta[m.changeSpecies[k]][j] += m.changeDelta[k];
  }
  const changed = [...delta.keys()].filter((q) => delta[q].some((d) => d !== 0));
  const grows = changed.filter((q) => delta[q].some((d) => d > 0));
  const sum = [...Array(r).keys()].map((j) => `a_${j}`).join(' + ');
  const body = (draw: DrawCode): string => {
    const store = `${[...Array(S).keys()].map((q) => `x[${q}] = x_${q};`).join(' ')} ${draw.save}`;
    const propensities = (time: string, rows: string): string[] => {
      const code: string[] = [];
      for (let j = 0; j < r; j++) {
        code.push(`a_${j} = ${local(propensityCode(m, j))};`);
        if (checked(j)) code.push(`if (!(a_${j} >= 0 && a_${j} < Infinity)) { ${store} return h.failBad(report, ${j}, a_${j}, ${time}, events, ${rows}); }`);
      }
      return code;
    };
    const select: string[] = ['let c = a_0; let j = 0;'];
    for (let j = 0; j < r - 1; j++) select.push(`${j === 0 ? '' : `c += a_${j}; `}j += +(c <= target);`);
    return `function (m, ws, rng, t0, tEnd, grid, out, control, report) {
      const x = ws.x, a = ws.a, p = m.parameterValues;
      const s = ${S};
      const gridLength = grid.length;
      const maxPopulation = control.maxPopulation, maxEvents = control.maxEvents;
      ${draw.load}
      let ${[...Array(S).keys()].map((q) => `x_${q} = x[${q}]`).join(', ')};
      let ${[...Array(r).keys()].map((j) => `a_${j} = 0`).join(', ')};
      let t = t0, g = 0, events = 0;
      ${propensities('t0', '0').join('\n      ')}
      let a0 = ${sum};
      const logLimit = control.logTimes === null ? 0 : control.logTimes.length;
      for (;;) {
        if (!(a0 > 0)) break;
        ${draw.exponential('wait')}
        const tNext = t + wait / a0;
        if (g < gridLength && grid[g] < tNext) { ${store} g = h.recordUntil(x, s, grid, g, tNext, out); }
        if (tNext > tEnd) break;
        if (events >= maxEvents) { ${store} return h.finish(report, h.STATUS_EVENT_CAP, events, t, g); }
        t = tNext;
        ${draw.uniform('u')}
        const target = u * a0;
        ${select.join(' ')}
        if (events < logLimit) { control.logTimes[events] = t; control.logReactions[events] = j; }
        events++;
        ${changed.map((q) => `x_${q} += d_${q}[j];`).join(' ')}
        let over = false;
        ${grows.map((q) => `if (x_${q} > maxPopulation && d_${q}[j] > 0) over = true;`).join(' ')}
        ${propensities('t', 'g').join('\n        ')}
        a0 = ${sum};
        if (over) { ${store} return h.finish(report, h.STATUS_POPULATION_CAP, events, t, g); }
      }
      ${store}
      ${[...Array(r).keys()].map((j) => `a[${j}] = a_${j};`).join(' ')}
      h.recordRows(x, s, g, gridLength, out);
      h.finish(report, h.STATUS_COMPLETED, events, tEnd, gridLength);
    }`;
  };
  return dispatch(body, changed.map((q) => `const d_${q} = new Float64Array([${delta[q].map(literal).join(', ')}]);`).join('\n    '));
}

/** Code that draws the waiting time and the selection uniform in a generated kernel. */
interface DrawCode {
  /** Statements at kernel entry and before every exit. */
  readonly load: string;
  readonly save: string;
  /** Statements declaring `name` as a standard exponential / a uniform double in [0, 1). */
  exponential(name: string): string;
  uniform(name: string): string;
}

const DRAW_PRELUDE = `
    const standardExponential = h.standardExponential;
    const zWidth = h.EXPONENTIAL_ZIGGURAT.width, zInner = h.EXPONENTIAL_ZIGGURAT.inner;
    const zHeight = h.EXPONENTIAL_ZIGGURAT.height, zR = h.EXPONENTIAL_ZIGGURAT.r;`;

/** Through the Rng's methods: any generator. */
const CALLED_DRAWS: DrawCode = {
  load: '',
  save: '',
  exponential: (name) => `const ${name} = standardExponential(rng);`,
  uniform: (name) => `const ${name} = rng.nextFloat64();`,
};

/**
 * xoshiro128** run on local variables: the generator's four state words (the fields s0..s3 of `Xoshiro128`) are
 * read at entry and written back at every exit, and `nextUint32`, `nextFloat64` and `standardExponential`
 * (ziggurat, tail and wedges included) are written out inline, draw for draw the same as the methods. V8 cannot
 * inline all of them into a kernel (its inlining budget runs out), and an out-of-line `nextFloat64` boxes its
 * result: this path is the kernel's largest saving.
 */
const INLINE_DRAWS: DrawCode = (() => {
  const next = (name: string): string =>
    `${name} = Math.imul(((q = Math.imul(s1, 5)) << 7) | (q >>> 25), 9) >>> 0; q = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= q; s3 = (s3 << 11) | (s3 >>> 21);`;
  const float = (name: string): string => `${next('w1')} ${next('w2')} ${name} = ((w1 >>> 5) * 67108864 + (w2 >>> 6)) * ${2 ** -53};`;
  const layerDraw = `${next('w1')} ${next('w2')} layer = w1 & 255; e = ((w1 >>> 8) * 536870912 + (w2 >>> 3)) * ${2 ** -53} * zWidth[layer];`;
  return {
    load: 'let s0 = rng.s0, s1 = rng.s1, s2 = rng.s2, s3 = rng.s3, q = 0, w1 = 0, w2 = 0, layer = 0, e = 0, f = 0;',
    save: 'rng.s0 = s0; rng.s1 = s1; rng.s2 = s2; rng.s3 = s3;',
    exponential: (name) => `${layerDraw}
        if (!(e < zInner[layer + 1])) {
          for (;;) {
            if (layer === 0) { ${float('f')} e = zR - Math.log(1 - f); break; }
            ${float('f')}
            if (zHeight[layer] + f * (zHeight[layer + 1] - zHeight[layer]) < Math.exp(-e)) break;
            ${layerDraw}
            if (e < zInner[layer + 1]) break;
          }
        }
        const ${name} = e;`,
    uniform: (name) => `${float('f')} const ${name} = f;`,
  };
})();

/**
 * The kernel of larger networks (up to 64 reactions): a switch over the reactions updates the dependants of the
 * fired one; draws as in the branch-free kernel (xoshiro128** inlined for a `Xoshiro128`).
 */
function switchSource(m: KernelModel): string {
  const r = m.reactionCount;
  const checked = (j: number): boolean => m.propensitySource[j] !== null;
  const body = (draw: DrawCode): string => {
    const init: string[] = [];
    for (let j = 0; j < r; j++) {
      init.push(`v = ${propensityCode(m, j)};`);
      if (checked(j)) init.push(`if (!(v >= 0 && v < Infinity)) { ${draw.save} return h.failBad(report, ${j}, v, t0, 0, 0); }`);
      init.push(`a[${j}] = v; a0 += v;`);
    }
    const cases: string[] = [];
    for (let j = 0; j < r; j++) {
      const code: string[] = [];
      for (let k = m.changeStart[j]; k < m.changeStart[j + 1]; k++) {
        const s = m.changeSpecies[k];
        const delta = m.changeDelta[k];
        code.push(`x[${s}] = x[${s}] + ${literal(delta)};`);
        if (delta > 0) code.push(`if (x[${s}] > maxPopulation) over = true;`);
      }
      for (let k = m.dependentStart[j]; k < m.dependentStart[j + 1]; k++) {
        const d = m.dependents[k];
        code.push(`v = ${propensityCode(m, d)};`);
        if (checked(d)) code.push(`if (!(v >= 0 && v < Infinity)) { ${draw.save} return h.failBad(report, ${d}, v, t, events, g); }`);
        code.push(`a0 += v - a[${d}]; a[${d}] = v;`);
      }
      cases.push(`case ${j}: { ${code.join(' ')} break; }`);
    }
    return `function (m, ws, rng, t0, tEnd, grid, out, control, report) {
      const x = ws.x, a = ws.a, p = m.parameterValues;
      const s = ${m.speciesCount}, r = ${r};
      const gridLength = grid.length;
      const maxPopulation = control.maxPopulation, maxEvents = control.maxEvents;
      ${draw.load}
      let v = 0, a0 = 0;
      ${init.join('\n')}
      let t = t0, g = 0, events = 0, sinceRefresh = 0, a0AtRefresh = a0;
      const logLimit = control.logTimes === null ? 0 : control.logTimes.length;
      for (;;) {
        if (!(a0 > 0)) break;
        ${draw.exponential('wait')}
        const tNext = t + wait / a0;
        if (g < gridLength && grid[g] < tNext) g = h.recordUntil(x, s, grid, g, tNext, out);
        if (tNext > tEnd) break;
        if (events >= maxEvents) { ${draw.save} return h.finish(report, h.STATUS_EVENT_CAP, events, t, g); }
        t = tNext;
        ${draw.uniform('u')}
        const target = u * a0;
        ${selectReaction(r)}
        while (a[j] === 0 && j > 0) j--;
        if (events < logLimit) { control.logTimes[events] = t; control.logReactions[events] = j; }
        events++;
        let over = false;
        switch (j) {
          ${cases.join('\n          ')}
        }
        if (over) { ${draw.save} return h.finish(report, h.STATUS_POPULATION_CAP, events, t, g); }
        ${r <= FRESH_SUM_MAX_REACTIONS ? `a0 = ${[...Array(r).keys()].map((q) => `a[${q}]`).join(' + ')}; continue;` : ''}
        if (++sinceRefresh >= 4096 || a0 < a0AtRefresh * 1e-9) {
          sinceRefresh = 0;
          a0 = 0;
          for (let q = 0; q < r; q++) a0 += a[q];
          a0AtRefresh = a0;
        }
      }
      ${draw.save}
      h.recordRows(x, s, g, gridLength, out);
      h.finish(report, h.STATUS_COMPLETED, events, tEnd, gridLength);
    }`;
  };
  return dispatch(body);
}

/** The kernel source: one function per way of drawing, chosen per call by the generator's class. */
function dispatch(body: (draw: DrawCode) => string, prelude = ''): string {
  return `
    ${DRAW_PRELUDE}
    ${prelude}
    const inline = ${body(INLINE_DRAWS)};
    const called = ${body(CALLED_DRAWS)};
    return function runDirectSpecialised(m, ws, rng, t0, tEnd, grid, out, control, report) {
      if (rng instanceof h.Xoshiro128) inline(m, ws, rng, t0, tEnd, grid, out, control, report);
      else called(m, ws, rng, t0, tEnd, grid, out, control, report);
    };`;
}

function compile(source: string): SsaKernel {
  // One compiled function per distinct source: every ensemble batch instantiates its model afresh, and a new
  // function per batch would start cold in the interpreter and be optimised again each time.
  let kernel = compiled.get(source);
  if (kernel === undefined) {
    const helpers = { EXPONENTIAL_ZIGGURAT, Xoshiro128, failBad, finish, recordRows, recordUntil, standardExponential, STATUS_COMPLETED, STATUS_EVENT_CAP, STATUS_POPULATION_CAP };
    kernel = new Function('h', source)(helpers) as SsaKernel;
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value as string);
    compiled.set(source, kernel);
  }
  return kernel;
}

/** Generated kernels by source (the source fixes the behaviour: constants are inlined, parameters read from `m`). */
const compiled = new Map<string, SsaKernel>();
const COMPILED_MAX = 64;
