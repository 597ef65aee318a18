import { describe, expect, it } from 'vitest';
import {
  createMachine,
  createParameters,
  paperMachine,
  parameterRecord,
  setParameters,
} from '../src/index.ts';

describe('machine structure', () => {
  it('builds the paper machine: names, order, q = 4, 6400 edges per layer pair', () => {
    const m = paperMachine();
    expect(m.parameters.names).toEqual(['hX', 'hY', 'bX1', 'bY1', 'bX2', 'bY2', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']);
    expect(m.parameters.index('wXX1')).toBe(6);
    expect(m.parameters.index('weight:visible.X:hidden1.X1')).toBe(6);
    expect(m.unitCount).toBe(4800);
    expect(m.probabilityCount).toBe(9600);
    expect(m.centerCount).toBe(6);
    for (const c of m.connections) {
      expect(c.edgeCount).toBe(6400);
      expect(c.lowerMultiplicity).toBe(4);
      expect(c.upperMultiplicity).toBe(4);
      for (let u = 0; u < 1600; u++) {
        expect(c.upperPtr[u + 1] - c.upperPtr[u]).toBe(4);
        expect(c.lowerPtr[u + 1] - c.lowerPtr[u]).toBe(4);
      }
    }
  });

  it('gives upper unit (r, c) the receptive field {r-1, r} x {c-1, c} with periodic wrap', () => {
    const L = 5;
    const m = paperMachine({ size: L, layers: 2 });
    const c = m.connections[0];
    for (let r = 0; r < L; r++) {
      for (let col = 0; col < L; col++) {
        const u = r * L + col;
        const nb = Array.from(c.upperAdj.slice(c.upperPtr[u], c.upperPtr[u + 1])).sort((a, b) => a - b);
        const want = [
          [r - 1, col - 1],
          [r - 1, col],
          [r, col - 1],
          [r, col],
        ]
          .map(([i, j]) => ((i + L) % L) * L + ((j + L) % L))
          .sort((a, b) => a - b);
        expect(nb).toEqual(want);
        // Both CSR directions describe the same edges.
        for (let e = c.upperPtr[u]; e < c.upperPtr[u + 1]; e++) {
          const id = c.upperEdge[e];
          expect(c.edgeUpper[id]).toBe(u);
          expect(c.edgeLower[id]).toBe(c.upperAdj[e]);
        }
      }
    }
  });

  it('supports 3x3, 1D, 3D, custom fields and dense connections', () => {
    const m3 = paperMachine({ size: 6, field: '3x3' });
    expect(m3.connections[0].lowerMultiplicity).toBe(9);
    const oneD = createMachine({
      layers: [
        { name: 'v', shape: [7], states: ['on'] },
        { name: 'h', shape: [7], states: ['on'] },
      ],
      connections: [{ lower: 'v', upper: 'h', field: [[0], [1], [3]] }],
    });
    expect(oneD.connections[0].edgeCount).toBe(21);
    expect(Array.from(oneD.connections[0].lowerAdj.slice(0, 3))).toEqual([0, 1, 3]);
    const threeD = createMachine({
      layers: [
        { name: 'v', shape: [3, 3, 3], states: ['A'] },
        { name: 'h', shape: [3, 3, 3], states: ['B'] },
      ],
    });
    expect(threeD.connections[0].lowerMultiplicity).toBe(8);
    expect(threeD.parameters.names).toEqual(['hA', 'bB', 'wAB']);
    const rbm = createMachine({
      layers: [
        { name: 'v', shape: [6], states: ['on'] },
        { name: 'h', shape: [4], states: ['on'] },
      ],
      connections: [{ kind: 'dense', lower: 'v', upper: 'h' }],
      parameterization: 'per-unit',
    });
    expect(rbm.parameters.count).toBe(6 + 4 + 24);
    expect(rbm.connections[0].lowerMultiplicity).toBe(4);
    expect(rbm.connections[0].upperMultiplicity).toBe(6);
    // Duplicate short names fall back to qualified ones.
    expect(rbm.parameters.blocks.map((b) => b.name)).toEqual(['hon', 'bon', 'won' + 'on']);
    expect(rbm.parameters.index('won' + 'on', 5)).toBe(10 + 5);
    expect(rbm.parameters.index('bias:h.on', 3)).toBe(6 + 3);
    const deep = createMachine({
      layers: [
        { name: 'v', shape: [4], states: ['on'] },
        { name: 'h1', shape: [4], states: ['on'] },
        { name: 'h2', shape: [4], states: ['on'] },
      ],
    });
    expect(deep.parameters.names).toEqual(['hon', 'bias:h1.on', 'bias:h2.on', 'weight:v.on:h1.on', 'weight:h1.on:h2.on']);
  });

  it('lays out per-unit parameters unit-major and couplings as requested', () => {
    const m = createMachine({
      layers: [
        { name: 'v', shape: [2, 2], states: ['X', 'Y'] },
        { name: 'h', shape: [2, 2], states: ['P', 'Q', 'R'] },
      ],
      connections: [{ lower: 0, upper: 1, couplings: [['X', 'Q'], [2, 3]] }],
      parameterization: 'per-unit',
    });
    expect(m.parameters.index('hY', 3)).toBe(3 * 2 + 1);
    expect(m.parameters.index('bR', 1)).toBe(8 + 3 + 2);
    expect(m.parameters.index('wXQ', 2)).toBe(20 + 2 * 2);
    expect(m.parameters.index('wYR', 2)).toBe(20 + 2 * 2 + 1);
    const c = m.connections[0];
    expect(c.pairIndex[1 * 4 + 2]).toBe(0);
    expect(c.pairIndex[2 * 4 + 3]).toBe(1);
    expect(c.pairIndex[1 * 4 + 1]).toBe(-1);
    const all = createMachine({
      layers: [
        { name: 'v', shape: [2], states: ['X', 'Y'] },
        { name: 'h', shape: [2], states: ['A', 'B', 'C'] },
      ],
      connections: [{ lower: 0, upper: 1, couplings: 'all' }],
    });
    expect(all.connections[0].pairCount).toBe(6);
  });

  it('sets and reads parameters by name', () => {
    const m = paperMachine({ size: 3 });
    const theta = createParameters(m, { hX: -2.63, wYY1: 0.5 });
    expect(parameterRecord(m, theta)).toMatchObject({ hX: -2.63, hY: 0, wYY1: 0.5 });
    setParameters(m, theta, { bX2: 1 });
    expect(theta[m.parameters.index('bX2')]).toBe(1);
    expect(() => createParameters(m, { nope: 1 })).toThrow(/name must be a parameter name; got "nope"/);
    expect(() => createParameters(m, { hX: Number.NaN })).toThrow(RangeError);
  });

  it('rejects bad specs with errors naming the field and value', () => {
    const v = { name: 'v', shape: [2, 2], states: ['X'] };
    expect(() => createMachine({ layers: [] })).toThrow(/spec.layers/);
    expect(() => createMachine({ layers: [{ ...v, shape: [0] }] })).toThrow(/spec.layers\[0\].shape.*\[0\]/);
    expect(() => createMachine({ layers: [{ ...v, states: ['X', 'X'] }] })).toThrow(RangeError);
    expect(() => createMachine({ layers: [v, { ...v, name: 'h', shape: [3, 3] }] })).toThrow(/equal layer shapes/);
    expect(() =>
      createMachine({ layers: [v, { ...v, name: 'h' }, { ...v, name: 'g' }], connections: [{ lower: 0, upper: 2 }] }),
    ).toThrow(/different parity/);
    expect(() => createMachine({ layers: [v, { ...v, name: 'h', states: ['A', 'B'] }] })).toThrow(/'same'/);
    expect(() =>
      createMachine({ layers: [v, { ...v, name: 'h' }], connections: [{ lower: 0, upper: 'zz' }] }),
    ).toThrow(/spec.connections\[0\].upper names no layer; got "zz"/);
    expect(() =>
      createMachine({ layers: [v, { ...v, name: 'h' }], connections: [{ lower: 0, upper: 1, field: [[1]] }] }),
    ).toThrow(/field\[0\]/);
    expect(() => createMachine({ layers: [v], parameterization: 'tied' as never })).toThrow(/parameterization/);
  });
});

describe('lateral connections', () => {
  const v = { name: 'v', shape: [4, 4], states: ['X', 'Y'] };
  it('couples each unordered pair once, with prefixed short names', () => {
    const m = createMachine({
      layers: [v],
      connections: [
        { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
        { lower: 0, upper: 0, field: [[0, 2], [1, 1], [2, 0], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
      ],
    });
    expect(m.parameters.names).toEqual(['hX', 'hY', 'nXX', 'nXY', 'nYX', 'nYY', 'mXY', 'mYX']);
    const nn = m.connections[0];
    expect(nn.edgeCount).toBe(32);
    expect(nn.lowerMultiplicity).toBe(2);
    // Unit 5 = (1, 1): right neighbour (1, 2) = 6 and lower neighbour (2, 1) = 9; as the upper end: 4 and 1.
    expect(Array.from(nn.lowerAdj.subarray(nn.lowerPtr[5], nn.lowerPtr[6])).sort()).toEqual([6, 9]);
    expect(Array.from(nn.upperAdj.subarray(nn.upperPtr[5], nn.upperPtr[6])).sort()).toEqual([1, 4]);
    expect(m.parameters.block('mXY').qualifiedName).toBe('weight:v.X:v.Y#1');
  });

  it('rejects self-couplings, repeated pairs and dense lateral connections', () => {
    const lateral = (field: number[][], shape = [4, 4]) =>
      createMachine({ layers: [{ ...v, shape }], connections: [{ lower: 0, upper: 0, field }] });
    expect(() => lateral([[0, 0]])).toThrow(/field\[0\] couples every unit with itself/);
    expect(() => lateral([[0, 4]])).toThrow(/itself on a lattice of shape \[4, 4\]/);
    expect(() => lateral([[0, 1], [0, -1]])).toThrow(/field\[1\] couples pairs that an earlier lateral offset/);
    expect(() => lateral([[1, 1], [1, -1]], [2, 2])).toThrow(/field\[1\]/);
    expect(() =>
      createMachine({
        layers: [v],
        connections: [
          { lower: 0, upper: 0, field: [[0, 1]] },
          { lower: 0, upper: 0, field: [[1, 0], [0, -1]], weightPrefix: 'm' },
        ],
      }),
    ).toThrow(/spec.connections\[1\].field\[1\] couples pairs/);
    expect(() => createMachine({ layers: [v], connections: [{ kind: 'dense', lower: 0, upper: 0 }] })).toThrow(
      /lateral connection .* must be a convolution/,
    );
    expect(() =>
      createMachine({ layers: [v], connections: [{ lower: 0, upper: 0, field: [[0, 1]], weightPrefix: '' }] }),
    ).toThrow(/weightPrefix must be a non-empty string/);
  });
});
