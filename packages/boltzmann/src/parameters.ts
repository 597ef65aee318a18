/**
 * Parameter vectors: flat Float64Arrays laid out by a {@link Machine}'s {@link ParameterLayout}, with named access.
 *
 * @packageDocumentation
 */

import { assertMachine, type Machine } from './machine.ts';
import { checkParameters, show } from './validate.ts';

/**
 * Values by parameter name: a number sets every element of the block (all units or edges when per-unit), an array
 * sets element by element.
 *
 * @example
 * ```ts
 * const v: ParameterValues = { hX: -2.63, hY: -2.63 };
 * ```
 */
export type ParameterValues = Readonly<Record<string, number | ArrayLike<number>>>;

/**
 * A zero parameter vector with the given named values set.
 *
 * @example
 * ```ts
 * const m = paperMachine();
 * const theta0 = createParameters(m, { hX: Math.log(1 / 16 / (1 - 2 / 16)), hY: Math.log(1 / 16 / (1 - 2 / 16)) });
 * theta0[m.parameters.index('hX')]; // -2.639
 * ```
 */
export function createParameters(machine: Machine, values: ParameterValues = {}): Float64Array {
  assertMachine(machine, 'machine');
  const params = new Float64Array(machine.parameters.count);
  setParameters(machine, params, values);
  return params;
}

/**
 * Sets named values in an existing parameter vector (in place) and returns it.
 *
 * @example
 * ```ts
 * setParameters(m, theta, { wXX1: 0.5 });
 * ```
 */
export function setParameters(machine: Machine, params: Float64Array, values: ParameterValues): Float64Array {
  assertMachine(machine, 'machine');
  if (!(params instanceof Float64Array) || params.length !== machine.parameters.count) {
    throw new TypeError(`params must be a Float64Array of length ${machine.parameters.count}; got ${show(params)}`);
  }
  if (typeof values !== 'object' || values === null) throw new TypeError(`values must be an object; got ${show(values)}`);
  for (const [name, v] of Object.entries(values)) {
    const b = machine.parameters.block(name);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new RangeError(`values.${name} must be finite; got ${v}`);
      for (let i = 0; i < b.count; i++) params[b.offset + i * b.stride] = v;
    } else {
      if (v === null || typeof v !== 'object' || v.length !== b.count) {
        throw new RangeError(`values.${name} must be a number or an array of length ${b.count}; got ${show(v)}`);
      }
      for (let i = 0; i < b.count; i++) {
        if (!Number.isFinite(v[i])) throw new RangeError(`values.${name}[${i}] must be finite; got ${v[i]}`);
        params[b.offset + i * b.stride] = v[i];
      }
    }
  }
  return params;
}

/**
 * Reads a parameter vector as a name → value record (first element of each block; for per-unit machines use
 * `machine.parameters.index(name, i)` for the others).
 *
 * @example
 * ```ts
 * parameterRecord(m, theta0); // { hX: -2.639, hY: -2.639, bX1: 0, ... }
 * ```
 */
export function parameterRecord(machine: Machine, params: Float64Array): Record<string, number> {
  assertMachine(machine, 'machine');
  checkParameters(machine, params, 'params');
  const out: Record<string, number> = {};
  for (const b of machine.parameters.blocks) out[b.name] = params[b.offset];
  return out;
}
