import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { CoefficientStore, createFunction } from '../src/index.ts';

describe('CoefficientStore', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 8 }).chain((d) =>
        fc.tuple(
          fc.constant(d),
          fc.array(
            fc.tuple(
              fc.array(fc.integer({ min: -3, max: 3 }), { minLength: d, maxLength: d }),
              fc.double({ min: -10, max: 10, noNaN: true }),
              fc.boolean(),
            ),
            { maxLength: 300 },
          ),
        ),
      ),
    ],
    { numRuns: 60 },
  )('behaves like a reference Map keyed by the index tuple', ([d, ops]) => {
    const store = new CoefficientStore(d, 2, { initialCapacity: 1 });
    const ref = new Map<string, number[]>();
    for (const [v, x, isSet] of ops) {
      const key = v.join(',');
      const cur = ref.get(key) ?? [0, 0];
      if (isSet) {
        store.set(v, [x, -x]);
        ref.set(key, [x + 0, -x + 0]);
      } else {
        store.add(v, [1, 2], x);
        ref.set(key, [cur[0] + x, cur[1] + 2 * x]);
      }
    }
    expect(store.size).toBe(ref.size);
    for (const [key, val] of ref) {
      const v = key.split(',').map(Number);
      expect(Array.from(store.get(v))).toEqual(val);
    }
    let seen = 0;
    store.forEach((v, c, s) => {
      expect(store.slotOf(v)).toBe(s);
      expect(Array.from(c)).toEqual(ref.get(Array.from(v).join(',')));
      seen++;
    });
    expect(seen).toBe(ref.size);
    expect(store.get([9, 9, 9, 9, 9, 9, 9, 9].slice(0, d))).toEqual(new Float64Array(2));
    expect(store.size).toBe(ref.size); // reads do not allocate
  });

  it('handles large and negative indices, frozen coefficients, memory and clear', () => {
    const s = new CoefficientStore(3, 8);
    s.set([-2147483646, 0, 2147483646], [1, 2, 3, 4, 5, 6, 7, 8]);
    expect(s.get([-2147483646, 0, 2147483646])[7]).toBe(8);
    s.fix([-2147483646, 0, 2147483646], 7);
    s.add([-2147483646, 0, 2147483646], [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(s.get([-2147483646, 0, 2147483646]))).toEqual([2, 3, 4, 5, 6, 7, 8, 8]);
    expect(s.isFixed([-2147483646, 0, 2147483646], 7)).toBe(true);
    expect(s.isFixed([-2147483646, 0, 2147483646], 6)).toBe(false);
    expect(s.fixedCount).toBe(1);
    s.fix([1, 1, 1]);
    expect(s.fixedCount).toBe(9);
    s.unfix([1, 1, 1], 0);
    expect(s.fixedCount).toBe(8);
    const before = s.memoryBytes();
    for (let i = 0; i < 1000; i++) s.add([i, -i, i % 7], [1, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.size).toBe(1002);
    expect(s.memoryBytes()).toBeGreaterThan(before);
    expect(s.memoryBytes()).toBeLessThan(1002 * (8 * 9 + 12) * 4);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.get([5, -5, 5])[0]).toBe(0);
  });

  it('holds no frozen flags until something is frozen, grows by half, and reserve/trim set the capacity', () => {
    const s = new CoefficientStore(2, 4, { initialCapacity: 16 });
    for (let i = 0; i < 17; i++) s.add([i, 0], [1, 1, 1, 1]);
    expect(s.fixed).toBeNull();
    expect(s.fixedCount).toBe(0);
    expect(s.capacity).toBe(24); // 16 + 16/2
    // 8 bytes per coefficient, 4 per index, a hash table of at least 2 slots per vertex: no flag bytes
    expect(s.memoryBytes()).toBe(24 * (4 * 8 + 2 * 4) + s.table.byteLength);
    s.unfix([0, 0]);
    expect(s.fixed).toBeNull(); // unfixing nothing allocates nothing
    s.fix([3, 0], 2);
    expect(s.fixed).not.toBeNull();
    expect(s.fixed!.length).toBe(s.coeffs.length);
    s.add([3, 0], [1, 1, 1, 1]);
    expect(Array.from(s.get([3, 0]))).toEqual([2, 2, 1, 2]);
    for (let i = 17; i < 25; i++) s.add([i, 0], [1, 1, 1, 1]); // the flags grow with the coefficients
    expect(s.capacity).toBe(36);
    expect(s.fixed!.length).toBe(36 * 4);
    expect(s.isFixed([3, 0], 2)).toBe(true);
    s.trim();
    expect(s.capacity).toBe(25);
    expect(s.memoryBytes()).toBe(25 * (4 * 9 + 2 * 4) + s.table.byteLength);
    expect(s.isFixed([3, 0], 2)).toBe(true);
    expect(Array.from(s.get([24, 0]))).toEqual([1, 1, 1, 1]);
    s.reserve(1000);
    expect(s.capacity).toBe(1000);
    expect(s.table.length).toBeGreaterThanOrEqual(2000);
    const table = s.table;
    for (let i = 25; i < 1000; i++) s.add([i, 1], [0, 0, 0, 1]);
    expect(s.capacity).toBe(1000); // nothing reallocated
    expect(s.table).toBe(table);
    expect(Array.from(s.get([999, 1]))).toEqual([0, 0, 0, 1]);
    expect(Array.from(s.get([3, 0]))).toEqual([2, 2, 1, 2]);
    s.clear();
    expect(s.fixed).toBeNull();
    expect(s.fixedCount).toBe(0);
    new CoefficientStore(1, 1).trim(); // an empty store keeps room for one vertex
    expect(() => s.reserve(-1)).toThrow(/vertices/);
  });
});

describe('CoefficientStore.adopt', () => {
  it("works on the caller's arrays until it grows, and rejects repeats, out-of-range vertices and bad arrays", () => {
    const indices = Int32Array.of(0, 0, 1, 0, 0, 1);
    const coeffs = Float64Array.from({ length: 12 }, (_, i) => i);
    const s = new CoefficientStore(2, 4);
    s.adopt(indices, coeffs);
    expect(s.size).toBe(3);
    expect(s.capacity).toBe(3);
    expect(Array.from(s.get([0, 1]))).toEqual([8, 9, 10, 11]);
    expect(s.slotOf([1, 0])).toBe(1);
    s.add([1, 0], [1, 1, 1, 1]);
    expect(coeffs[4]).toBe(5); // in place
    s.add([5, 5], [1, 0, 0, 0]); // grows into arrays of its own
    expect(s.coeffs).not.toBe(coeffs);
    expect(Array.from(s.get([1, 0]))).toEqual([5, 6, 7, 8]);
    expect(Array.from(s.get([5, 5]))).toEqual([1, 0, 0, 0]);
    expect(() => s.adopt(indices, coeffs)).toThrow(/empty store/);
    const t = new CoefficientStore(2, 4);
    expect(() => t.adopt(Int32Array.of(0, 0, 0, 0), new Float64Array(8))).toThrow(/repeats vertex \[0,0\]/);
    expect(t.size).toBe(0);
    expect(() => t.adopt(Int32Array.of(0, 0, 1), new Float64Array(8))).toThrow(TypeError);
    expect(() => t.adopt(Int32Array.of(0, 0), new Float64Array(3))).toThrow(/coeffs/);
    const b = new CoefficientStore(1, 1, { vertexLower: [0], vertexUpper: [3] });
    expect(() => b.adopt(Int32Array.of(4), new Float64Array(1))).toThrow(/outside the bounded grid/);
  });
});

describe('coefficient updates through the function', () => {
  it('addToCoefficients scatters scale·weights, skips all-zero corners and frozen coefficients', () => {
    const fn = createFunction({ spacing: [0.5, 0.5, 0.5] });
    const buf = fn.createBasisBuffers();
    fn.basisAt([0.5, -1, 0], buf.vertices, buf.weights); // exactly on node (1, -2, 0): one corner has weight
    fn.addToCoefficients(buf.vertices, buf.weights, 2);
    expect(fn.store.size).toBe(1);
    expect(fn.store.get([1, -2, 0])[0]).toBe(2);
    expect(fn.value([0.5, -1, 0])).toBe(2);

    const x = [0.3, -0.8, 0.1];
    fn.store.fix([0, -2, 0], 0);
    const v0 = fn.basisAt(x, buf.vertices, buf.weights);
    const w = buf.weights.slice();
    fn.addToCoefficients(buf.vertices, buf.weights, 0.1);
    expect(fn.store.size).toBe(8);
    // F is linear in c: the change is 0.1·Σ w² over the non-frozen coefficients
    let expected = 0;
    const m = fn.coefficientsPerVertex;
    for (let c = 0; c < fn.corners; c++) {
      const v = Array.from(buf.vertices.subarray(3 * c, 3 * c + 3));
      for (let t = 0; t < m; t++) if (!fn.store.isFixed(v, t)) expected += 0.1 * w[c * m + t] ** 2;
    }
    expect(fn.value(x) - v0).toBeCloseTo(expected, 12);
    expect(fn.store.get([0, -2, 0])[0]).toBe(0);
  });

  it('a training loop with addBasisAt (SGD on squared error) fits a smooth target', () => {
    const fn = createFunction({ spacing: [0.25, 0.25] });
    let s = 1;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const target = (x: number[]) => Math.sin(2 * x[0]) + x[1] * x[1];
    const loss = () => {
      let l = 0;
      for (let i = 0; i < 200; i++) {
        const x = [r(), r()];
        l += (fn.value(x) - target(x)) ** 2;
      }
      return l / 200;
    };
    const l0 = loss();
    for (let it = 0; it < 20000; it++) {
      const x = [r(), r()];
      const err = fn.value(x) - target(x);
      fn.addBasisAt(x, -0.5 * err);
    }
    expect(loss()).toBeLessThan(l0 * 1e-3);
    expect(fn.memoryBytes()).toBeGreaterThan(fn.store.memoryBytes());
  });
});

describe('factored basis', () => {
  test.prop([fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1e9 }), fc.constantFrom('q3c1' as const, 'q1' as const)], {
    numRuns: 30,
  })('expands to the basisAt weights and scatters identically', (d, seed, element) => {
    let s = seed || 1;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const spacing = Array.from({ length: d }, () => 0.1 + r());
    const a = createFunction({ spacing, element });
    const b = createFunction({ spacing, element });
    const x = spacing.map((h) => (r() * 8 - 4) * h * (r() < 0.2 ? 0 : 1));
    a.store.fix(Array.from(a.grid.locate(x).cell), 0);
    b.store.fix(Array.from(b.grid.locate(x).cell), 0);
    const buf = a.createBasisBuffers();
    const va = a.basisAt(x, buf.vertices, buf.weights);
    const cell = new Int32Array(d);
    const factors = new Float64Array(b.factorsPerPoint);
    const vb = b.basisFactorsAt(x, cell, factors);
    expect(vb).toBe(va);
    expect(Array.from(b.expandFactors(factors, new Float64Array(b.weightsPerPoint)))).toEqual(Array.from(buf.weights));
    a.addToCoefficients(buf.vertices, buf.weights, 0.7);
    b.addFactoredToCoefficients(cell, factors, 0.7);
    expect(b.store.size).toBe(a.store.size);
    a.store.forEach((v, c) => {
      const cb = b.store.get(v);
      for (let t = 0; t < c.length; t++) expect(Math.abs(cb[t] - c[t])).toBeLessThanOrEqual(1e-15);
    });
    expect(Math.abs(a.value(x) - b.value(x))).toBeLessThan(1e-12);
  });
});
