/**
 * Seedable, splittable pseudo-random numbers for every stochastic function in srn.
 *
 * The hot-path generator is xoshiro128** (Blackman & Vigna, 2018): 128 bits of state held as four 32-bit
 * integers, period 2^128 − 1, about 2-4 ns per 32-bit draw in V8. A run is determined by a seed plus a stream
 * index: {@link createRng}(seed, stream) hashes both through SplitMix64 into the initial state, so stream i of a
 * seed is the same whichever worker computes it. `jump()` advances a generator by 2^64 draws for users who want
 * streams that provably never overlap.
 *
 * @packageDocumentation
 */

/**
 * The random source every srn algorithm takes. Structural, so any object with these methods works.
 *
 * @example
 * ```ts
 * import { createRng } from '@srn/gillespie';
 * const rng = createRng(42);
 * const u = rng.nextFloat64(); // in [0, 1)
 * const run7 = rng.stream(7);  // independent stream 7 of seed 42
 * ```
 */
export interface Rng {
  /** A uniform integer in [0, 2^32). */
  nextUint32(): number;
  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat64(): number;
  /** An independent generator: stream `index` of this generator's seed (does not advance this generator). */
  stream(index: number): Rng;
  /** A copy of the complete state (restorable with `setState`). */
  getState(): Uint32Array;
  /** Restores a state produced by `getState` of a generator of the same kind. */
  setState(state: Uint32Array): void;
}

/** Length of the state vector of {@link Xoshiro128}: four generator words plus the two-word seed key. */
export const XOSHIRO_STATE_LENGTH = 6;

const TWO_POW_32 = 4294967296;
const TWO_POW_53_INV = 1 / 9007199254740992;
const MASK64 = (1n << 64n) - 1n;

function splitMix64Next(state: { x: bigint }): bigint {
  state.x = (state.x + 0x9e3779b97f4a7c15n) & MASK64;
  let z = state.x;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** Hashes a string to a 64-bit seed (FNV-1a over UTF-16 code units, then SplitMix64 finalisation). */
function hashString(seed: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < seed.length; i++) {
    h ^= BigInt(seed.charCodeAt(i));
    h = (h * 0x100000001b3n) & MASK64;
  }
  return splitMix64Next({ x: h });
}

/** A seed as accepted by {@link createRng}: a non-negative safe integer or any string. */
export type Seed = number | string;

function seedKey(seed: Seed): bigint {
  if (typeof seed === 'string') return hashString(seed);
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer or a string; got ${String(seed)}`);
  }
  return BigInt(seed);
}

function checkStreamIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new RangeError(`stream index must be a non-negative safe integer; got ${String(index)}`);
  }
}

/**
 * xoshiro128** with a seed key for deriving streams. Prefer {@link createRng}.
 *
 * @example
 * ```ts
 * const rng = new Xoshiro128(123n, 0);
 * rng.nextUint32();
 * ```
 */
export class Xoshiro128 implements Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private keyLo = 0;
  private keyHi = 0;

  /** @param key 64-bit seed key; @param streamIndex which stream of that key. */
  constructor(key: bigint, streamIndex: number) {
    checkStreamIndex(streamIndex);
    const k = key & MASK64;
    this.keyLo = Number(k & 0xffffffffn);
    this.keyHi = Number(k >> 32n);
    // Two SplitMix64 rounds decorrelate (key, stream) pairs that differ in one bit.
    const mixer = { x: k };
    const streamSalt = splitMix64Next({ x: BigInt(streamIndex) ^ 0x5851f42d4c957f2dn });
    mixer.x = (splitMix64Next(mixer) ^ streamSalt) & MASK64;
    const a = splitMix64Next(mixer);
    const b = splitMix64Next(mixer);
    this.s0 = Number(a & 0xffffffffn) | 0;
    this.s1 = Number(a >> 32n) | 0;
    this.s2 = Number(b & 0xffffffffn) | 0;
    this.s3 = Number(b >> 32n) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  nextFloat64(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_53_INV;
  }

  stream(index: number): Xoshiro128 {
    return new Xoshiro128((BigInt(this.keyHi >>> 0) << 32n) | BigInt(this.keyLo >>> 0), index);
  }

  /** Advances the generator by 2^64 draws (the reference jump polynomial of xoshiro128**). */
  jump(): void {
    const polynomial = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (const word of polynomial) {
      for (let bit = 0; bit < 32; bit++) {
        if (word & (1 << bit)) {
          t0 ^= this.s0;
          t1 ^= this.s1;
          t2 ^= this.s2;
          t3 ^= this.s3;
        }
        this.nextUint32();
      }
    }
    this.s0 = t0;
    this.s1 = t1;
    this.s2 = t2;
    this.s3 = t3;
  }

  getState(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3, this.keyLo, this.keyHi);
  }

  setState(state: Uint32Array): void {
    if (!(state instanceof Uint32Array) || state.length !== XOSHIRO_STATE_LENGTH) {
      throw new TypeError(`state must be a Uint32Array of length ${XOSHIRO_STATE_LENGTH}`);
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) {
      throw new RangeError('state: the four generator words must not all be zero');
    }
    this.s0 = state[0] | 0;
    this.s1 = state[1] | 0;
    this.s2 = state[2] | 0;
    this.s3 = state[3] | 0;
    this.keyLo = state[4] | 0;
    this.keyHi = state[5] | 0;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Creates a generator for stream `stream` (default 0) of `seed`.
 *
 * @example
 * ```ts
 * const a = createRng(7, 3);
 * const b = createRng(7).stream(3);
 * a.nextUint32() === b.nextUint32(); // true
 * ```
 */
export function createRng(seed: Seed, stream = 0): Xoshiro128 {
  return new Xoshiro128(seedKey(seed), stream);
}

/**
 * Restores a generator from a state produced by `getState()`.
 *
 * @example
 * ```ts
 * const rng = createRng(1);
 * const saved = rng.getState();
 * const copy = rngFromState(saved); // continues exactly where rng is now
 * ```
 */
export function rngFromState(state: Uint32Array): Xoshiro128 {
  const rng = new Xoshiro128(0n, 0);
  rng.setState(state);
  return rng;
}

/**
 * Wraps a function returning uniform doubles in [0, 1) (e.g. a seedrandom generator, `Math.random`) as an
 * {@link Rng}. It cannot derive streams or serialise state: those methods throw.
 *
 * @example
 * ```ts
 * const rng = rngFromFunction(Math.random);
 * ```
 */
export function rngFromFunction(next: () => number): Rng {
  if (typeof next !== 'function') throw new TypeError('next must be a function returning numbers in [0, 1)');
  const draw = (): number => {
    const u = next();
    if (!(u >= 0 && u < 1)) throw new RangeError(`the wrapped generator returned ${u}, outside [0, 1)`);
    return u;
  };
  return {
    nextUint32: () => Math.floor(draw() * TWO_POW_32) >>> 0,
    nextFloat64: draw,
    stream: () => {
      throw new TypeError('a wrapped function generator cannot derive streams; use createRng');
    },
    getState: () => {
      throw new TypeError('a wrapped function generator has no serialisable state; use createRng');
    },
    setState: () => {
      throw new TypeError('a wrapped function generator has no serialisable state; use createRng');
    },
  };
}

/**
 * An exponential variate with rate `rate` (mean 1/rate): {@link standardExponential} divided by `rate`, which must
 * be positive.
 *
 * @example
 * ```ts
 * const wait = exponential(createRng(1), 2.5); // mean 0.4
 * ```
 */
export function exponential(rng: Rng, rate: number): number {
  return standardExponential(rng) / rate;
}

// ---------------------------------------------------------------- ziggurat for the exponential distribution

/**
 * Layers of the exponential ziggurat (Marsaglia & Tsang 2000 use 256 for the exponential).
 *
 * @example
 * ```ts
 * EXPONENTIAL_ZIGGURAT.width.length === ZIGGURAT_LAYERS; // true
 * ```
 */
export const ZIGGURAT_LAYERS = 256;

/**
 * The ziggurat of the standard exponential density f(x) = e^−x, built at load time: 256 layers of equal area v
 * stacked under f. Layer 0 is the base strip (the rectangle [0, r] × [0, f(r)] plus the tail beyond r, drawn as a
 * rectangle of pseudo-width v/f(r)); layer i ≥ 1 is the rectangle [0, x_i] × [f(x_i), f(x_(i+1))] with x_1 = r,
 * x_i decreasing and x_256 = 0 (f = 1 at the top). r is the root of "the top layer closes at height 1" (bisection),
 * which reproduces Marsaglia & Tsang's r = 7.69711747013104972.
 *
 * @example
 * ```ts
 * const { r, v } = EXPONENTIAL_ZIGGURAT; // 7.697117470131…, 0.003949659822581…
 * ```
 */
export interface ExponentialZiggurat {
  /** Start of the tail (x_1). */
  readonly r: number;
  /** Area of each layer. */
  readonly v: number;
  /** Width of layer i: v/f(r) for the base strip, x_i above it (length 256). */
  readonly width: Float64Array;
  /** x_(i+1): a point of layer i left of it lies under f whatever its height (length 257; x_256 = 0). */
  readonly inner: Float64Array;
  /** f(x_i), the bottom of layer i ≥ 1; index 256 holds 1, the top (index 0 unused). */
  readonly height: Float64Array;
}

function buildExponentialZiggurat(): ExponentialZiggurat {
  const n = ZIGGURAT_LAYERS;
  // Stacking layers of area v = (r + 1) e^−r from x_1 = r upwards: x_(i+1) = −ln(f(x_i) + v / x_i). The right r
  // makes layer n − 1 reach height exactly 1. Too small an r (too large a v) overshoots height 1 early.
  const overshoot = (r: number): number => {
    const v = (r + 1) * Math.exp(-r);
    let x = r;
    for (let i = 1; i < n - 1; i++) {
      const top = Math.exp(-x) + v / x;
      if (top >= 1) return 1;
      x = -Math.log(top);
    }
    return Math.exp(-x) + v / x - 1;
  };
  let lo = 1;
  let hi = 20;
  for (let k = 0; k < 200 && hi - lo > 0; k++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (overshoot(mid) > 0) lo = mid;
    else hi = mid;
  }
  const r = hi;
  const v = (r + 1) * Math.exp(-r);
  const width = new Float64Array(n);
  const inner = new Float64Array(n + 1);
  const height = new Float64Array(n + 1);
  width[0] = v / Math.exp(-r);
  inner[0] = width[0];
  let x = r;
  for (let i = 1; i < n; i++) {
    width[i] = x;
    inner[i] = x;
    height[i] = Math.exp(-x);
    x = i < n - 1 ? -Math.log(Math.exp(-x) + v / x) : 0;
  }
  inner[n] = 0;
  height[n] = 1;
  return { r, v, width, inner, height };
}

/**
 * The tables of {@link standardExponential}, built once when this module loads.
 *
 * @example
 * ```ts
 * const tailStart = EXPONENTIAL_ZIGGURAT.r; // x ≥ r is drawn as r + Exp(1)
 * ```
 */
export const EXPONENTIAL_ZIGGURAT: ExponentialZiggurat = buildExponentialZiggurat();
const ZIG_WIDTH = EXPONENTIAL_ZIGGURAT.width;
const ZIG_INNER = EXPONENTIAL_ZIGGURAT.inner;
const ZIG_HEIGHT = EXPONENTIAL_ZIGGURAT.height;
const ZIG_R = EXPONENTIAL_ZIGGURAT.r;
const TWO_POW_29 = 536870912;

/**
 * A standard exponential variate (mean 1), exact, by the ziggurat method (Marsaglia & Tsang 2000) with 256
 * layers. Two 32-bit draws give the layer (8 bits) and an independent 53-bit uniform U; x = U · width(layer) is
 * returned at once when it lies left of the layer above (98.9 % of calls: no logarithm, no exponential). Otherwise
 * the base layer samples the tail r − ln(1 − U′) (memorylessness) and a wedge accepts x with probability
 * (f(x) − bottom)/(top − bottom), drawing afresh on rejection: the accepted point is uniform under f, so x has
 * density e^−x exactly (up to the 53-bit resolution of U, as for inversion).
 *
 * @example
 * ```ts
 * const rng = createRng(3);
 * const waits = Array.from({ length: 4 }, () => standardExponential(rng)); // mean 1
 * ```
 */
export function standardExponential(rng: Rng): number {
  const a = rng.nextUint32();
  const b = rng.nextUint32();
  const layer = a & 255;
  const x = ((a >>> 8) * TWO_POW_29 + (b >>> 3)) * TWO_POW_53_INV * ZIG_WIDTH[layer];
  if (x < ZIG_INNER[layer + 1]) return x;
  return exponentialEdge(rng, layer, x);
}

/** The rare part of {@link standardExponential}: the tail, a wedge, or a fresh draw after a rejection. */
function exponentialEdge(rng: Rng, layer: number, x: number): number {
  for (;;) {
    if (layer === 0) return ZIG_R - Math.log(1 - rng.nextFloat64());
    const bottom = ZIG_HEIGHT[layer];
    if (bottom + rng.nextFloat64() * (ZIG_HEIGHT[layer + 1] - bottom) < Math.exp(-x)) return x;
    const a = rng.nextUint32();
    const b = rng.nextUint32();
    layer = a & 255;
    x = ((a >>> 8) * TWO_POW_29 + (b >>> 3)) * TWO_POW_53_INV * ZIG_WIDTH[layer];
    if (x < ZIG_INNER[layer + 1]) return x;
  }
}

/** A uniform integer in [0, n) for 1 <= n <= 2^53, from one 53-bit double (bias at most n · 2^-53). */
export function uniformInt(rng: Rng, n: number): number {
  return Math.floor(rng.nextFloat64() * n);
}
