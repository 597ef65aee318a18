import { describe, expect, it } from 'vitest';
import { adamStep, adamUpdate, createAdam } from '../src/index.ts';

describe('adamUpdate (the Adam kernel shared by dense and sparse callers)', () => {
  it('slice by slice reproduces createAdam bit for bit, and a fixed coefficient keeps its value', () => {
    const n = 6;
    const dense = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const sparse = dense.slice();
    const m = new Float64Array(2 * n); // moments stored at other offsets than the parameters
    const v = new Float64Array(2 * n);
    const adam = createAdam({ learningRate: 0.05, beta1: 0.8, beta2: 0.99 });
    for (let t = 1; t <= 5; t++) {
      const g = Float64Array.from({ length: n }, (_, i) => Math.cos(t * (i + 2)));
      adam.step(dense, g);
      const k = adamStep({ learningRate: 0.05, beta1: 0.8, beta2: 0.99 }, t);
      for (let s = 0; s < n; s += 2) adamUpdate(k, sparse, s, m, n + s, v, n + s, g, s, 2);
    }
    expect(Array.from(sparse)).toEqual(Array.from(dense));
    const p = Float64Array.of(1, 1);
    const fixed = Uint8Array.of(0, 1);
    const mm = new Float64Array(2);
    const vv = new Float64Array(2);
    adamUpdate(adamStep({ learningRate: 0.1 }, 1), p, 0, mm, 0, vv, 0, Float64Array.of(1, 1), 0, 2, fixed);
    // The first Adam step moves by η·sign(g) (up to ε): 1 − 0.1; the fixed one stays, its moments move.
    expect(p[0]).toBeCloseTo(0.9, 8);
    expect(p[1]).toBe(1);
    expect(mm[1]).toBeCloseTo(0.1, 15);
  });

  it('adamStep validates its options and the step index', () => {
    expect(() => adamStep({ learningRate: -1 }, 1)).toThrow(/options.learningRate/);
    expect(() => adamStep({ learningRate: 0.1 }, 0)).toThrow(/t must be an integer >= 1; got 0/);
  });
});
