/**
 * The self-describing binary container used by checkpoints and serialised models: a fixed preamble (magic, format
 * version, lengths, CRC-32), a UTF-8 JSON header and a binary payload of named, 8-byte aligned sections.
 *
 * | offset | content |
 * |---|---|
 * | 0 | magic `SRNDBD\0\0` (8 bytes) |
 * | 8 | u32 container version (1) |
 * | 12 | u32 header length h (bytes of UTF-8 JSON) |
 * | 16 | u32 payload length p |
 * | 20 | u32 CRC-32 (IEEE) of bytes [24, 24 + pad8(h) + p) |
 * | 24 | header JSON, zero-padded to a multiple of 8 |
 * | 24 + pad8(h) | payload: the sections listed in `header.sections` (`{ name, offset, length }`, offsets relative to the payload start) |
 *
 * All numbers little-endian.
 *
 * @packageDocumentation
 */

import { CheckpointError } from './errors.ts';

const MAGIC = [0x53, 0x52, 0x4e, 0x44, 0x42, 0x44, 0, 0]; // "SRNDBD\0\0"
/**
 * Version of the container layout.
 *
 * @example
 * ```ts
 * CONTAINER_VERSION; // 1
 * ```
 */
export const CONTAINER_VERSION = 1;
const PREAMBLE = 24;

let crcTable: Uint32Array | null = null;

/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) of `bytes[start, end)`.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode('123456789')); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const t = crcTable;
  let c = (seed ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A named binary section of a container: its bytes in one array, or as consecutive chunks (e.g. the views of an FE
 * function's store that `toBinaryChunks` of `@srn/fem-basis` gives, so that a large section is never copied into one
 * buffer).
 *
 * @example
 * ```ts
 * const s: Section = { name: 'theta0', bytes: new Uint8Array(80) };
 * const t: Section = { name: 'F0', bytes: toBinaryChunks(fn) };
 * ```
 */
export interface Section {
  readonly name: string;
  readonly bytes: Uint8Array | readonly Uint8Array[];
}

/** The chunks of a section's bytes. */
const sectionChunks = (s: Section): readonly Uint8Array[] => (s.bytes instanceof Uint8Array ? [s.bytes] : s.bytes);

/** Header entry describing one section. */
interface SectionEntry {
  name: string;
  offset: number;
  length: number;
}

const pad8 = (n: number): number => (n + 7) & ~7;

/**
 * Builds a container (internal).
 *
 * @example
 * ```ts
 * const bytes = encodeContainer({ kind: 'demo' }, [{ name: 'a', bytes: Uint8Array.of(1, 2) }]);
 * ```
 */
export function encodeContainer(header: Record<string, unknown>, sections: readonly Section[]): Uint8Array {
  const chunks = encodeContainerChunks(header, sections);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * The bytes of {@link encodeContainer} as consecutive chunks (the preamble with the header, then every section and
 * its zero padding), without copying the sections into one buffer: a large container (a late training checkpoint,
 * tens of MB) can be written to a file piece by piece. The sections' own arrays (and chunks) are chunks, so they must
 * not change until the chunks are written.
 *
 * @example
 * ```ts
 * const chunks = encodeContainerChunks({ kind: 'demo' }, [{ name: 'a', bytes: new Uint8Array(3) }]);
 * ```
 */
export function encodeContainerChunks(header: Record<string, unknown>, sections: readonly Section[]): Uint8Array[] {
  const entries: SectionEntry[] = [];
  let offset = 0;
  for (const s of sections) {
    const length = sectionChunks(s).reduce((n, c) => n + c.length, 0);
    entries.push({ name: s.name, offset, length });
    offset = pad8(offset + length);
  }
  const text = new TextEncoder().encode(JSON.stringify({ ...header, sections: entries }));
  const h = text.length;
  const payloadStart = PREAMBLE + pad8(h);
  const head = new Uint8Array(payloadStart);
  head.set(MAGIC, 0);
  const view = new DataView(head.buffer);
  view.setUint32(8, CONTAINER_VERSION, true);
  view.setUint32(12, h, true);
  view.setUint32(16, offset, true);
  head.set(text, PREAMBLE);
  const chunks: Uint8Array[] = [head];
  let crc = crc32(head, PREAMBLE, head.length);
  const zeros = new Uint8Array(8);
  sections.forEach((s, i) => {
    for (const c of sectionChunks(s)) {
      if (c.length === 0) continue;
      chunks.push(c);
      crc = crc32(c, 0, c.length, crc);
    }
    const end = i + 1 < sections.length ? entries[i + 1].offset : offset;
    const gap = end - (entries[i].offset + entries[i].length);
    if (gap > 0) {
      const padding = zeros.subarray(0, gap);
      chunks.push(padding);
      crc = crc32(padding, 0, gap, crc);
    }
  });
  view.setUint32(20, crc, true);
  return chunks;
}

/**
 * A decoded container: its header and a section lookup that throws CheckpointError for missing sections. Sections are
 * views of the decoded bytes (copy what you keep).
 *
 * @example
 * ```ts
 * const c: DecodedContainer = decodeContainer(bytes, 'checkpoint'); c.section('a');
 * ```
 */
export interface DecodedContainer {
  readonly header: Record<string, unknown>;
  section(name: string): Uint8Array;
  has(name: string): boolean;
}

/**
 * Decodes and verifies a container (internal). Throws {@link CheckpointError}.
 *
 * @example
 * ```ts
 * const { header, section } = decodeContainer(bytes, 'checkpoint');
 * ```
 */
export function decodeContainer(bytes: unknown, what: string): DecodedContainer {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`bytes must be a Uint8Array holding a ${what}; got ${bytes === null ? 'null' : typeof bytes}`);
  }
  if (bytes.length < PREAMBLE) {
    throw new CheckpointError('truncated', `${what} is truncated: ${bytes.length} bytes, less than the ${PREAMBLE}-byte preamble`);
  }
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new CheckpointError('format', `${what} does not start with the SRNDBD magic bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CONTAINER_VERSION) {
    throw new CheckpointError('version', `${what} has container version ${version}; this build reads version ${CONTAINER_VERSION}`);
  }
  const h = view.getUint32(12, true);
  const p = view.getUint32(16, true);
  const total = PREAMBLE + pad8(h) + p;
  if (bytes.length < total) {
    throw new CheckpointError('truncated', `${what} is truncated: ${bytes.length} bytes, the preamble announces ${total}`);
  }
  if (bytes.length > total) {
    throw new CheckpointError('format', `${what} has ${bytes.length - total} trailing bytes after the announced ${total}`);
  }
  const expected = view.getUint32(20, true);
  const actual = crc32(bytes, PREAMBLE, total);
  if (expected !== actual) {
    throw new CheckpointError(
      'checksum',
      `${what} is corrupt: CRC-32 ${actual.toString(16).padStart(8, '0')} does not match the stored ${expected.toString(16).padStart(8, '0')}`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + h)));
  } catch (e) {
    throw new CheckpointError('header', `${what} has an unreadable JSON header: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || !Array.isArray(header.sections)) {
    throw new CheckpointError('header', `${what} header must be an object with a sections list`);
  }
  const payloadStart = PREAMBLE + pad8(h);
  const map = new Map<string, Uint8Array>();
  for (const e of header.sections as SectionEntry[]) {
    if (
      e === null ||
      typeof e !== 'object' ||
      typeof e.name !== 'string' ||
      !Number.isSafeInteger(e.offset) ||
      !Number.isSafeInteger(e.length) ||
      e.offset < 0 ||
      e.length < 0 ||
      e.offset + e.length > p
    ) {
      throw new CheckpointError('header', `${what} lists an invalid section ${JSON.stringify(e)}`);
    }
    // A view, not a copy: every reader copies what it keeps (bytesF64, bytesU32, fromBinary, the chains), so a
    // decoded model or checkpoint does not hold the input, and a 60 MB model is not held twice while it is read.
    map.set(e.name, bytes.subarray(payloadStart + e.offset, payloadStart + e.offset + e.length));
  }
  return {
    header,
    has: (name) => map.has(name),
    section(name) {
      const s = map.get(name);
      if (s === undefined) throw new CheckpointError('header', `${what} lacks the section ${JSON.stringify(name)}`);
      return s;
    },
  };
}

/**
 * Float64Array → bytes (copy).
 *
 * @example
 * ```ts
 * f64Bytes(Float64Array.of(1, 2)).length; // 16
 * ```
 */
export function f64Bytes(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/**
 * bytes → Float64Array (length checked).
 *
 * @example
 * ```ts
 * bytesF64(f64Bytes(Float64Array.of(1, 2)), 2, 'demo'); // Float64Array [1, 2]
 * ```
 */
export function bytesF64(b: Uint8Array, length: number, what: string): Float64Array {
  if (b.length !== length * 8) {
    throw new CheckpointError('header', `${what} must hold ${length} float64 values; got ${b.length} bytes`);
  }
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * bytes → Uint32Array (length checked).
 *
 * @example
 * ```ts
 * bytesU32(new Uint8Array(8), 2, 'demo'); // Uint32Array [0, 0]
 * ```
 */
export function bytesU32(b: Uint8Array, length: number, what: string): Uint32Array {
  if (b.length !== length * 4) {
    throw new CheckpointError('header', `${what} must hold ${length} uint32 values; got ${b.length} bytes`);
  }
  return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
