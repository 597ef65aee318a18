import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { createFunction, FORMAT, type FeFunction, fromBinary, fromJSON, toBinary, toBinaryChunks, toJSON } from '../src/index.ts';
import { lcg } from './helpers.ts';

function same(a: FeFunction, b: FeFunction): void {
  expect(b.element.kind).toBe(a.element.kind);
  expect(Array.from(b.grid.spacing)).toEqual(Array.from(a.grid.spacing));
  expect(Array.from(b.grid.origin)).toEqual(Array.from(a.grid.origin));
  expect(b.grid.bounds === null).toBe(a.grid.bounds === null);
  if (a.grid.bounds !== null) expect(Array.from(b.grid.bounds!.upper)).toEqual(Array.from(a.grid.bounds.upper));
  const n = a.store.count;
  expect(b.store.count).toBe(n);
  expect(Array.from(b.store.indices.subarray(0, n * a.dims))).toEqual(Array.from(a.store.indices.subarray(0, n * a.dims)));
  const m = a.coefficientsPerVertex;
  const ca = a.store.coeffs.subarray(0, n * m);
  const cb = b.store.coeffs.subarray(0, n * m);
  for (let i = 0; i < n * m; i++) expect(Object.is(cb[i], ca[i])).toBe(true);
  const flags = (f: FeFunction) => Array.from(f.store.fixed?.subarray(0, n * m) ?? new Uint8Array(n * m));
  expect(flags(b)).toEqual(flags(a));
  expect(b.store.fixedCount).toBe(a.store.fixedCount);
}

describe('serialisation', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom('q3c1' as const, 'q1' as const),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 20 }),
    ],
    { numRuns: 60 },
  )('JSON text and binary round-trip exactly (bits, order, frozen flags)', (d, element, bounded, seed, extremes) => {
    const r = lcg(seed);
    const spacing = Array.from({ length: d }, () => 0.01 + r() * 3);
    const origin = Array.from({ length: d }, () => (r() - 0.5) * 20);
    const bounds = bounded
      ? { lower: origin.map((o, k) => o - 10 * spacing[k]), upper: origin.map((o, k) => o + 10 * spacing[k]) }
      : null;
    const fn = createFunction({ spacing, origin, element, bounds });
    const m = fn.coefficientsPerVertex;
    const nv = 1 + Math.floor(r() * 20);
    let e = 0;
    for (let i = 0; i < nv; i++) {
      const v = Array.from({ length: d }, () => Math.floor(r() * 21) - 10);
      const c = Array.from({ length: m }, () => (r() < 0.3 ? extremes[e++ % extremes.length] : (r() - 0.5) * 1e3 * r()));
      fn.store.set(v, c);
      if (r() < 0.3) fn.store.fix(v, Math.floor(r() * m));
    }
    const text = JSON.stringify(toJSON(fn));
    same(fn, fromJSON(text));
    same(fn, fromJSON(JSON.parse(text)));
    const bin = toBinary(fn);
    same(fn, fromBinary(bin));
    expect(fromBinary(bin).store.capacity).toBe(fn.store.size);
    // sharing the bytes: the same function, on bin's own memory when nothing is frozen (toBinary's buffer is aligned)
    const shared = fromBinary(bin, { share: true });
    same(fn, shared);
    expect(shared.store.coeffs.buffer === bin.buffer).toBe(fn.store.fixedCount === 0);
    // the chunks are the same bytes, in pieces
    const chunks = toBinaryChunks(fn);
    expect(chunks.reduce((k, c) => k + c.length, 0)).toBe(bin.length);
    let at = 0;
    for (const c of chunks) {
      expect(c).toEqual(bin.subarray(at, at + c.length));
      at += c.length;
    }
    // binary inside a larger buffer at an odd offset
    const shifted = new Uint8Array(bin.length + 3);
    shifted.set(bin, 3);
    same(fn, fromBinary(shifted.subarray(3)));
    const unaligned = fromBinary(shifted.subarray(3), { share: true }); // misaligned: copied
    same(fn, unaligned);
    expect(unaligned.store.coeffs.buffer === shifted.buffer).toBe(false);
  });

  it('writes the documented JSON layout', () => {
    const fn = createFunction({ spacing: [0.5], origin: [1] });
    fn.store.set([-3], [1.25, -0.5]);
    fn.store.fix([-3], 1);
    expect(toJSON(fn)).toEqual({
      format: FORMAT,
      version: 1,
      element: 'q3c1',
      dims: 1,
      spacing: [0.5],
      origin: [1],
      bounds: null,
      coefficientsPerVertex: 2,
      vertices: [{ index: [-3], coefficients: [1.25, -0.5], fixed: [1] }],
    });
    const bin = toBinary(fn);
    expect(String.fromCharCode(...bin.subarray(0, 4))).toBe('SFEM');
    expect(bin.length).toBe(16 + 16 + 8 + 16 + 2);
  });

  it('rejects malformed input with clear errors', () => {
    const fn = createFunction({ spacing: [0.5, 0.5] });
    fn.store.set([0, 0], [1, 2, 3, 4]);
    const good = toJSON(fn);
    expect(() => fromJSON('{')).toThrow(TypeError);
    expect(() => fromJSON({ ...good, format: 'x' as typeof FORMAT })).toThrow(/json.format/);
    expect(() => fromJSON({ ...good, version: 2 })).toThrow(/json.version/);
    expect(() => fromJSON({ ...good, coefficientsPerVertex: 3 })).toThrow(/coefficientsPerVertex/);
    expect(() => fromJSON({ ...good, vertices: [{ index: [0, 0.5], coefficients: [1, 2, 3, 4] }] })).toThrow(/index\[1\]/);
    expect(() => fromJSON({ ...good, vertices: [{ index: [0, 0], coefficients: [1, 2, 3] }] })).toThrow(/coefficients/);
    expect(() => fromJSON({ ...good, vertices: [good.vertices[0], good.vertices[0]] })).toThrow(/repeats/);
    const bin = toBinary(fn);
    expect(() => fromBinary(bin.subarray(0, bin.length - 1))).toThrow(/length/);
    const bad = bin.slice();
    bad[0] = 0;
    expect(() => fromBinary(bad)).toThrow(/magic/);
    // the coefficient 1 at offset 32 (header 16 + spacing and origin 32 + indices 8 = 56 → coefficients at 56)
    const nan = bin.slice();
    new DataView(nan.buffer).setFloat64(56, Number.NaN, true);
    expect(() => fromBinary(nan)).toThrow(/non-finite coefficient NaN \(vertex 0, coefficient 0\)/);
    const flag = bin.slice();
    flag[56 + 32] = 2;
    expect(() => fromBinary(flag)).toThrow(/invalid frozen flag 2/);
    const twice = createFunction({ spacing: [0.5, 0.5] });
    twice.store.set([0, 0], [1, 2, 3, 4]);
    twice.store.set([1, 0], [1, 2, 3, 4]);
    const rep = toBinary(twice);
    new DataView(rep.buffer).setInt32(56, 0, true); // the second vertex (1, 0) becomes (0, 0)
    expect(() => fromBinary(rep)).toThrow(/repeats vertex \[0,0\]/);
    expect(() => fromBinary(rep, { share: true })).toThrow(/bytes repeats vertex \[0,0\]/);
    expect(() => fromBinary(nan, { share: true })).toThrow(/non-finite coefficient NaN/); // not shared: checked as usual
    expect(() => fromBinary(bin, null as unknown as object)).toThrow(/options must be an object/);
    expect(() => fromBinary([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
