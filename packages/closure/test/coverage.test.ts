import { describe, expect, it } from 'vitest';
import { createDbd, integrateParameters, trainedCoverage } from '../src/index.ts';

// One species on an 8-site ring, visible bias h only: the FE domain is the single coordinate h, spacing 0.5, origin
// h(0) − 0.25, so the cell of h is ⌊(h − origin) / 0.5⌋ and its corner vertices are that index and the next.
const spec = { layers: [{ name: 'visible', shape: [8], states: ['A'] }], parameterization: 'homogeneous' as const };

describe('trainedCoverage', () => {
  it('says which rows of a θ trajectory lie in FE cells that training touched, and when the first does not', () => {
    const model = createDbd({ machine: spec, theta0: [-1], spacing: 0.5 });
    const F = model.functions[0];
    const times = Float64Array.of(0, 1, 2, 3);
    // An untrained model: F = 0 everywhere, so nothing is covered, from t = 0 on.
    const none = trainedCoverage(model, integrateParameters(model, times));
    expect(Array.from(none.trained)).toEqual([0, 0, 0, 0]);
    expect(none.fraction).toBe(0);
    expect(none.firstUntrainedTime).toBe(0);
    // Train F around h = −1 only (one basis update at the cell of h(0)), then hand-made rows: h = −1 and −0.8 lie in
    // that cell, h = −0.3 lies in the next cell, which shares the vertex at origin + 0.5 (so it is touched too), and
    // h = 1.5 lies four cells away, which no update touched.
    F.addBasisAt([-1], 1e-3);
    const P = model.names.length;
    const theta = new Float64Array(4 * P);
    [-1, -0.8, -0.3, 1.5].forEach((h, r) => {
      theta[r * P] = h;
    });
    const coverage = trainedCoverage(model, { times, names: model.names.slice(), theta });
    expect(Array.from(coverage.trained)).toEqual([1, 1, 1, 0]);
    expect(coverage.fraction).toBe(0.75);
    expect(coverage.firstUntrainedTime).toBe(3);
  });

  it('refuses a trajectory that does not belong to the model with a typed error', () => {
    const model = createDbd({ machine: spec, theta0: [-1], spacing: 0.5 });
    expect(() => trainedCoverage(model, { times: Float64Array.of(0, 1), names: ['hA'], theta: new Float64Array(3) })).toThrow(TypeError);
    expect(() => trainedCoverage(model, null as never)).toThrow(/trajectory must be a ParameterTrajectory/);
  });
});
