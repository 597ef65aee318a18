/**
 * Open-addressing hash table from int32 index tuples to dense slots (no validation, no allocation).
 * `table[h] = slot + 1`, 0 = empty; linear probing; `mask = table.length − 1` (power of two).
 * The tuples themselves live in `indices` (`dims` int32s per slot).
 * @module
 */

/**
 * Hash of the tuple `key[off..off+dims)` (32-bit mix).
 * @example
 * hashTuple(new Int32Array([1, -2]), 0, 2);
 */
export function hashTuple(key: ArrayLike<number>, off: number, dims: number): number {
  let h = 0x2545f491;
  for (let k = 0; k < dims; k++) {
    h = Math.imul(h ^ (key[off + k] | 0), 0x9e3779b1);
    h ^= h >>> 15;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Returns the slot of the tuple `key[off..off+dims)`, or −1 if absent.
 * @example
 * findSlot(table, mask, indices, 2, new Int32Array([0, 0]), 0);
 */
export function findSlot(
  table: Int32Array,
  mask: number,
  indices: Int32Array,
  dims: number,
  key: ArrayLike<number>,
  off: number,
): number {
  let h = hashTuple(key, off, dims) & mask;
  for (;;) {
    const e = table[h];
    if (e === 0) return -1;
    const s = e - 1;
    const base = s * dims;
    let k = 0;
    while (k < dims && indices[base + k] === key[off + k]) k++;
    if (k === dims) return s;
    h = (h + 1) & mask;
  }
}

/**
 * Returns the table position where the tuple is stored, or the empty position where it would be inserted.
 * @example
 * const pos = probe(table, mask, indices, 2, key, 0); if (table[pos] === 0) table[pos] = slot + 1;
 */
export function probe(
  table: Int32Array,
  mask: number,
  indices: Int32Array,
  dims: number,
  key: ArrayLike<number>,
  off: number,
): number {
  let h = hashTuple(key, off, dims) & mask;
  for (;;) {
    const e = table[h];
    if (e === 0) return h;
    const base = (e - 1) * dims;
    let k = 0;
    while (k < dims && indices[base + k] === key[off + k]) k++;
    if (k === dims) return h;
    h = (h + 1) & mask;
  }
}
