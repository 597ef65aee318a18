/**
 * Lattice snapshots (the data format shared with the simulators) and clamping them onto a layer.
 *
 * @packageDocumentation
 */

import { assertMachine, layerIndex, type Machine } from './machine.ts';
import { checkInteger, checkOptions, checkStates, show } from './validate.ts';

/**
 * One lattice configuration: `occupancy[i]` is 0 (empty) or k (species `species[k − 1]`), sites in row-major order.
 *
 * @example
 * ```ts
 * const snap: LatticeSnapshot = { shape: [2, 2], species: ['X', 'Y'], occupancy: Uint8Array.of(0, 1, 2, 0) };
 * ```
 */
export interface LatticeSnapshot {
  readonly shape: readonly number[];
  readonly species: readonly string[];
  readonly occupancy: Uint8Array;
}

/**
 * Options of {@link clampSnapshots}.
 *
 * @example
 * ```ts
 * const o: ClampOptions = { layer: 'visible', firstChain: 5 };
 * ```
 */
export interface ClampOptions {
  /** Target layer (default 0, the visible layer). */
  readonly layer?: string | number;
  /** Snapshot b goes to chain firstChain + b (default 0). */
  readonly firstChain?: number;
}

/** Maps snapshot species codes to layer states by name. */
function speciesMap(machine: Machine, layer: number, snap: LatticeSnapshot, name: string): Uint8Array {
  const L = machine.layers[layer];
  if (snap === null || typeof snap !== 'object') throw new TypeError(`${name} must be a LatticeSnapshot; got ${show(snap)}`);
  if (!Array.isArray(snap.shape) || snap.shape.length !== L.shape.length || snap.shape.some((n, d) => n !== L.shape[d])) {
    throw new RangeError(`${name}.shape must equal the layer shape [${L.shape.join(', ')}]; got ${show(snap.shape)}`);
  }
  if (!(snap.occupancy instanceof Uint8Array) || snap.occupancy.length !== L.size) {
    throw new TypeError(`${name}.occupancy must be a Uint8Array of length ${L.size}; got ${show(snap.occupancy)}`);
  }
  if (!Array.isArray(snap.species) || snap.species.length > 255) {
    throw new TypeError(`${name}.species must be an array of species names; got ${show(snap.species)}`);
  }
  const map = new Uint8Array(snap.species.length + 1);
  snap.species.forEach((s, k) => {
    const st = L.states.indexOf(s);
    if (st < 0) {
      throw new RangeError(`${name}.species[${k}] = ${show(s)} is not a state of layer ${show(L.name)} (${L.states.join(', ')})`);
    }
    map[k + 1] = st + 1;
  });
  return map;
}

/**
 * Writes snapshots into a layer of consecutive chains (the awake-phase clamp): snapshot b → chain firstChain + b.
 * Species are matched to layer states by name.
 *
 * @example
 * ```ts
 * const m = paperMachine({ size: 2 });
 * const states = createChains(m, 1);
 * clampSnapshots(m, states, [{ shape: [2, 2], species: ['X', 'Y'], occupancy: Uint8Array.of(0, 1, 2, 0) }]);
 * ```
 */
export function clampSnapshots(
  machine: Machine,
  states: Uint8Array,
  snapshots: readonly LatticeSnapshot[],
  options?: ClampOptions,
): void {
  assertMachine(machine, 'machine');
  const chains = checkStates(machine, states, 'states');
  const o = checkOptions(options, 'options');
  const layer = layerIndex(machine, o.layer ?? 0, 'options.layer');
  const first = o.firstChain === undefined ? 0 : checkInteger(o.firstChain, 'options.firstChain', 0);
  if (!Array.isArray(snapshots)) throw new TypeError(`snapshots must be an array; got ${show(snapshots)}`);
  if (first + snapshots.length > chains) {
    throw new RangeError(
      `snapshots.length (${snapshots.length}) + options.firstChain (${first}) exceeds the number of chains (${chains})`,
    );
  }
  const L = machine.layers[layer];
  snapshots.forEach((snap, b) => {
    const map = speciesMap(machine, layer, snap, `snapshots[${b}]`);
    const occ = snap.occupancy;
    const base = (first + b) * machine.unitCount + L.unitOffset;
    for (let i = 0; i < L.size; i++) {
      const v = occ[i];
      if (v >= map.length) {
        throw new RangeError(`snapshots[${b}].occupancy[${i}] must be in [0, ${map.length - 1}]; got ${v}`);
      }
      states[base + i] = map[v];
    }
  });
}

/**
 * Reads one layer of one chain back as a snapshot (species = the layer's state names).
 *
 * @example
 * ```ts
 * const snap = snapshotFromChain(m, states, 0); // visible layer of chain 0
 * ```
 */
export function snapshotFromChain(
  machine: Machine,
  states: Uint8Array,
  chain: number,
  layer: string | number = 0,
): LatticeSnapshot {
  assertMachine(machine, 'machine');
  const chains = checkStates(machine, states, 'states');
  checkInteger(chain, 'chain', 0);
  if (chain >= chains) throw new RangeError(`chain must be < ${chains}; got ${chain}`);
  const L = machine.layers[layerIndex(machine, layer, 'layer')];
  const base = chain * machine.unitCount + L.unitOffset;
  return { shape: [...L.shape], species: [...L.states], occupancy: states.slice(base, base + L.size) };
}
