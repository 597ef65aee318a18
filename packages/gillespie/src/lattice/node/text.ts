/**
 * The paper's snapshot text format: one occupied site per line, `i j SPECIES` with 1-based coordinates (one
 * coordinate per axis: `i SPECIES` in 1-D, `i j k SPECIES` in 3-D).
 */
import { checkShape } from '../geometry.ts';
import { checkSnapshot, type LatticeSnapshot } from '../snapshot.ts';

/**
 * Formats a snapshot in the paper's text format (sites in row-major order, `\n` line ends).
 *
 * @example
 * ```ts
 * formatSnapshotText({ shape: [2, 2], species: ['X', 'Y'], occupancy: Uint8Array.of(1, 0, 0, 2) });
 * // '1 1 X\n2 2 Y\n'
 * ```
 */
export function formatSnapshotText(snapshot: LatticeSnapshot): string {
  checkSnapshot(snapshot);
  const shape = snapshot.shape;
  const lines: string[] = [];
  const coords = new Array<number>(shape.length);
  snapshot.occupancy.forEach((code, site) => {
    if (code === 0) return;
    let rest = site;
    for (let k = shape.length - 1; k >= 0; k--) {
      coords[k] = (rest % shape[k]) + 1;
      rest = Math.floor(rest / shape[k]);
    }
    lines.push(`${coords.join(' ')} ${snapshot.species[code - 1]}`);
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * Parses the paper's text format. `species` fixes the codes (default: in order of first appearance). Blank lines
 * are skipped; a bad line, a coordinate out of range or a doubly occupied site throws a RangeError naming the line.
 *
 * @example
 * ```ts
 * parseSnapshotText('1 1 X\n2 2 Y\n', [2, 2], ['X', 'Y']).occupancy; // Uint8Array [1, 0, 0, 2]
 * ```
 */
export function parseSnapshotText(text: string, shape: number[], species?: string[]): LatticeSnapshot {
  if (typeof text !== 'string') throw new TypeError(`text must be a string; got ${typeof text}`);
  const dims = checkShape(shape);
  const names = species ? species.slice() : [];
  const fixed = species !== undefined;
  const size = dims.reduce((a, b) => a * b, 1);
  const occupancy = new Uint8Array(size);
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, lineIndex) => {
    const line = raw.trim();
    if (line === '') return;
    const parts = line.split(/\s+/);
    if (parts.length !== dims.length + 1) {
      throw new RangeError(`line ${lineIndex + 1}: expected ${dims.length} coordinates and a species; got ${JSON.stringify(raw)}`);
    }
    let site = 0;
    for (let k = 0; k < dims.length; k++) {
      const c = Number(parts[k]);
      if (!Number.isInteger(c) || c < 1 || c > dims[k]) {
        throw new RangeError(`line ${lineIndex + 1}: coordinate ${parts[k]} outside 1..${dims[k]}`);
      }
      site = site * dims[k] + (c - 1);
    }
    const name = parts[dims.length];
    let code = names.indexOf(name) + 1;
    if (code === 0) {
      if (fixed) throw new RangeError(`line ${lineIndex + 1}: unknown species ${JSON.stringify(name)}`);
      names.push(name);
      code = names.length;
      if (code > 255) throw new RangeError('text: more than 255 species');
    }
    if (occupancy[site] !== 0) throw new RangeError(`line ${lineIndex + 1}: site (${parts.slice(0, -1).join(', ')}) is occupied twice`);
    occupancy[site] = code;
  });
  return { shape: dims, species: names, occupancy };
}
