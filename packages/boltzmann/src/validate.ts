/**
 * Internal argument checks shared by the public API (not exported from the package entry).
 *
 * @packageDocumentation
 */

import type { RandomSource as Rng } from './random-source.ts';
import type { Machine } from './machine.ts';

/** Short printable form of a bad value for error messages. */
export function show(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as unknown as { length: number }).length})`;
  if (Array.isArray(value)) return `array(length ${value.length})`;
  if (typeof value === 'object') return 'object';
  return String(value);
}

/** Checks a parameter (or gradient) vector: a Float64Array of the machine's parameter count with finite entries. */
export function checkParameters(machine: Machine, params: unknown, name: string): asserts params is Float64Array {
  if (!(params instanceof Float64Array)) throw new TypeError(`${name} must be a Float64Array; got ${show(params)}`);
  if (params.length !== machine.parameters.count) {
    throw new RangeError(`${name} must have length ${machine.parameters.count}; got length ${params.length}`);
  }
  for (let i = 0; i < params.length; i++) {
    if (!Number.isFinite(params[i])) {
      throw new RangeError(`${name}[${i}] (${machine.parameters.names[i]}) must be finite; got ${params[i]}`);
    }
  }
}

/** Checks a centers vector (one offset per layer and state). */
export function checkCenters(machine: Machine, centers: unknown, name: string): asserts centers is Float64Array {
  if (!(centers instanceof Float64Array)) throw new TypeError(`${name} must be a Float64Array; got ${show(centers)}`);
  if (centers.length !== machine.centerCount) {
    throw new RangeError(`${name} must have length ${machine.centerCount}; got length ${centers.length}`);
  }
  for (let i = 0; i < centers.length; i++) {
    if (!Number.isFinite(centers[i])) throw new RangeError(`${name}[${i}] must be finite; got ${centers[i]}`);
  }
}

/** Checks a chain-state array and returns the number of chains; every entry must be a valid state of its layer. */
export function checkStates(machine: Machine, states: unknown, name: string): number {
  if (!(states instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array; got ${show(states)}`);
  const n = machine.unitCount;
  if (states.length === 0 || states.length % n !== 0) {
    throw new RangeError(`${name} length must be a positive multiple of machine.unitCount (${n}); got ${states.length}`);
  }
  const chains = states.length / n;
  for (const L of machine.layers) {
    const k = L.stateCount;
    for (let c = 0; c < chains; c++) {
      const b = c * n + L.unitOffset;
      for (let i = 0; i < L.size; i++) {
        if (states[b + i] > k) {
          throw new RangeError(
            `${name}[${b + i}] must be a state of layer ${JSON.stringify(L.name)} in [0, ${k}]; got ${states[b + i]}`,
          );
        }
      }
    }
  }
  return chains;
}

/** Checks a probability array and returns the number of chains. */
export function checkProbabilities(machine: Machine, probs: unknown, name: string): number {
  if (!(probs instanceof Float64Array)) throw new TypeError(`${name} must be a Float64Array; got ${show(probs)}`);
  const n = machine.probabilityCount;
  if (probs.length === 0 || probs.length % n !== 0) {
    throw new RangeError(
      `${name} length must be a positive multiple of machine.probabilityCount (${n}); got ${probs.length}`,
    );
  }
  for (let i = 0; i < probs.length; i++) {
    if (!(probs[i] >= 0 && probs[i] <= 1)) throw new RangeError(`${name}[${i}] must be in [0, 1]; got ${probs[i]}`);
  }
  return probs.length / n;
}

/** Checks an Rng-like object. */
export function checkRng(rng: unknown, name: string): asserts rng is Rng {
  if (
    typeof rng !== 'object' ||
    rng === null ||
    typeof (rng as Rng).nextUint32 !== 'function' ||
    typeof (rng as Rng).nextFloat64 !== 'function'
  ) {
    throw new TypeError(`${name} must be an Rng (e.g. createRng(seed) from @srn/gillespie); got ${show(rng)}`);
  }
}

/** Checks a non-negative (or positive) integer. */
export function checkInteger(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}; got ${show(value)}`);
  }
  return value;
}

/** Checks a finite number in [min, max]. */
export function checkNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new RangeError(`${name} must be a number in [${min}, ${max}]; got ${show(value)}`);
  }
  return value;
}

/** Checks an options object (undefined allowed). */
export function checkOptions<T>(options: T | undefined, name: string): T | Record<string, never> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`${name} must be an object; got ${show(options)}`);
  return options;
}
