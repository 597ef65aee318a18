import { describe, expect, it } from 'vitest';
import { CoefficientStore, coefficientsPerVertex, createFunction, elementInfo, Grid, MAX_DIMS } from '../src/index.ts';

describe('grid', () => {
  it('places nodes at origin + n·spacing for negative n too and locates points', () => {
    const g = new Grid({ spacing: [0.5, 2], origin: [1, -3] });
    expect(Array.from(g.node([-4, 2]))).toEqual([-1, 1]);
    const { cell, frac } = g.locate([-1, 1]); // exactly on a node
    expect(Array.from(cell)).toEqual([-4, 2]);
    expect(Array.from(frac)).toEqual([0, 0]);
    const l = g.locate([-1.125, 0]);
    expect(Array.from(l.cell)).toEqual([-5, 1]);
    expect(l.frac[0]).toBeCloseTo(0.75, 14);
    expect(l.frac[1]).toBeCloseTo(0.5, 14);
    expect(g.contains([1e9, 0])).toBe(true);
  });

  it('supports 1 to MAX_DIMS dimensions', () => {
    expect(MAX_DIMS).toBeGreaterThanOrEqual(8);
    for (let d = 1; d <= 8; d++) {
      const fn = createFunction({ spacing: 1, dims: d });
      expect(fn.coefficientsPerVertex).toBe(2 ** d);
      expect(fn.value(new Array(d).fill(-0.5))).toBe(0);
    }
    expect(coefficientsPerVertex('q1', 5)).toBe(1);
    expect(elementInfo('q3c1').continuity).toBe(1);
  });

  it('rejects bad grid options naming the argument', () => {
    expect(() => new Grid({ spacing: 0, dims: 2 })).toThrow(/spacing must be > 0 \(got 0\)/);
    expect(() => new Grid({ spacing: [1, -1] })).toThrow(/spacing\[1\]/);
    expect(() => new Grid({ spacing: [1, Number.NaN] })).toThrow(/spacing\[1\]/);
    expect(() => new Grid({ spacing: 1 })).toThrow(TypeError);
    expect(() => new Grid({ spacing: 1, dims: 0 })).toThrow(/dims/);
    expect(() => new Grid({ spacing: 1, dims: MAX_DIMS + 1 })).toThrow(/dims/);
    expect(() => new Grid({ spacing: [1, 1], origin: [0] })).toThrow(/origin/);
    expect(() => new Grid({ spacing: [1], bounds: { lower: [1], upper: [0] } })).toThrow(/bounds.lower\[0\]/);
    expect(() => new Grid(null as unknown as { spacing: number })).toThrow(TypeError);
    expect(() => createFunction({ spacing: [1], element: 'q2' as 'q1' })).toThrow(/element/);
  });
});

describe('bounded grids', () => {
  const fn = createFunction({ spacing: [0.5, 0.5], bounds: { lower: [-1, 0], upper: [1, 2] } });

  it('evaluate inside and on the box boundary', () => {
    fn.setFromDerivatives([-2, 0], [2, 4], (_x, out) => {
      out[0] = 1;
    });
    expect(fn.value([1, 2])).toBeCloseTo(1, 14);
    expect(fn.value([-1, 0])).toBeCloseTo(1, 14);
    const buf = fn.createBasisBuffers();
    fn.basisAt([1, 2], buf.vertices, buf.weights);
    fn.addToCoefficients(buf.vertices, buf.weights, 1); // the zero-weight corners outside are skipped
  });

  it('reject points and vertices outside the box with a RangeError', () => {
    expect(() => fn.value([1.01, 1])).toThrow(/x\[0\] = 1.01 lies outside the grid bounds \[-1, 1\]/);
    expect(() => fn.gradient([0, -0.1])).toThrow(RangeError);
    expect(() => fn.valueMany([0, 0, 0, 3])).toThrow(/points\[3\]/);
    expect(() => fn.store.set([3, 0], [0, 0, 0, 0])).toThrow(/outside the bounded grid/);
    expect(fn.grid.contains([0, 3])).toBe(false);
  });
});

describe('evaluation arguments', () => {
  const fn = createFunction({ spacing: [0.5, 0.5] });
  it('throw TypeError/RangeError naming the argument and value', () => {
    expect(() => fn.value([0])).toThrow(/x must have 2 entries \(got length 1\)/);
    expect(() => fn.value([0, Number.NaN])).toThrow(/x\[1\] must be a finite number \(got NaN\)/);
    expect(() => fn.value('ab' as unknown as number[])).toThrow(TypeError);
    expect(() => fn.value([1e12, 0])).toThrow(/nodes from the origin/);
    expect(() => fn.gradient([0, 0], new Float64Array(1))).toThrow(/out/);
    expect(() => fn.gradient([0, 0], undefined, { units: 'metric' as 'physical' })).toThrow(/options.units/);
    expect(() => fn.derivative([0, 0], 2)).toThrow(/k must be an integer in \[0, 1\] \(got 2\)/);
    const buf = fn.createBasisBuffers();
    expect(() => fn.basisAt([0, 0], new Int32Array(3), buf.weights)).toThrow(/vertices/);
    expect(() => fn.basisAt([0, 0], buf.vertices, new Float32Array(16) as unknown as Float64Array)).toThrow(/weights must be a Float64Array/);
    expect(() => fn.addToCoefficients(buf.vertices, buf.weights, Number.POSITIVE_INFINITY)).toThrow(/scale/);
    const badW = buf.weights.slice();
    badW[5] = Number.NaN;
    expect(() => fn.addToCoefficients(buf.vertices, badW, 1)).toThrow(/weights\[5\] must be finite \(got NaN\)/);
    expect(() => fn.addFactoredToCoefficients(new Int32Array(2), new Float64Array(7))).toThrow(/factors/);
    expect(() => fn.valueMany([0, 0, 1])).toThrow(/points must hold n·2/);
    expect(() => fn.setPhysical([0, 0], [1, 2])).toThrow(/derivatives/);
    expect(() => fn.setFromDerivatives([0, 0], [-1, 0], () => {})).toThrow(/upper\[0\]/);
    expect(() => fn.store.set([0, 0.5], [0, 0, 0, 0])).toThrow(/vertex\[1\]/);
    expect(() => fn.store.add([0, 0], [0, 0, 0, Number.NaN])).toThrow(/deltas\[3\]/);
    expect(() => fn.store.isFixed([0, 0], 4)).toThrow(/coefficient/);
    expect(() => new CoefficientStore(2, 0)).toThrow(/coefficientsPerVertex/);
  });
});
