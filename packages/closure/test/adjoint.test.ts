import { createMachine, exactMoments, type MachineSpec } from '@srn/boltzmann';
import { describe, expect, it } from 'vitest';
import { createDbd, createDbdTrainer, integrateParameters, type LearnedDbd } from '../src/index.ts';
import { createRng, randomTrajectories, twoLayerSpec } from './helpers.ts';

// Gradient check of the centered adjoint (spec 6.4-6.5) against central finite differences of the windowed
// objective S(u) = Σ_{t=τ+1}^{τ+Δτ} Δt·D_KL(p_data(t) ‖ p(·; θ(t))), with all moments exact (enumeration of a
// 2 × 2 visible + 2 × 2 hidden machine, 3^8 = 6561 states) via the trainer's `moments: 'exact'` mode. Up to a
// θ-independent constant, D_KL(t) = log Z(θ_t) − mean_b log Z(θ_t | v_b(t)).
//
// With explicit Euler forward, θ(t+1) = θ(t) + Δt·F(x(θ(t))), the code's backward recurrence
// φ(t−1) = φ(t) − Δt·[ΔE_t − ψ(t)] and g = −Σ_t Δt φ(t) ∂F/∂u|x(t) is exactly the discrete adjoint of this S
// (θ(τ) held fixed: the truncated adjoint; at τ = 0 θ(0) is fixed anyway). In centered coordinates the raw costates
// are λ_W = Λ_W + q μ_up φ_low + q μ_low φ_up; the centered recurrence with backward differences of μ reproduces the
// raw one exactly when the offsets do not change in time (λ = 0 here) and up to Δt·q·Δμ·(ΔE − ψ) terms otherwise.

const dims = 4; // domain hX, hY, wXX1, wYY1 (or hX, hY, nXX, nXY for the lateral machine)

/** A machine under test: its spec, lattice side and 4-D FE domain. */
interface Case {
  spec: MachineSpec;
  L: number;
  domain?: string[];
}

const bipartite: Case = { spec: twoLayerSpec(2), L: 2 };

// Visible-only 3 × 3 Potts machine with lateral couplings (3^9 = 19,683 states): every species pair between nearest
// neighbours, prey–predator pairs along both diagonals. Both endpoints of a lateral weight are visible biases, so the
// centered adjoint's ψ and offset terms act twice on the same layer.
const lateral: Case = {
  spec: {
    layers: [{ name: 'visible', shape: [3, 3], states: ['X', 'Y'] }],
    connections: [
      { lower: 0, upper: 0, field: [[0, 1], [1, 0]], couplings: 'all', weightPrefix: 'n' },
      { lower: 0, upper: 0, field: [[1, 1], [1, -1]], couplings: [['X', 'Y'], ['Y', 'X']], weightPrefix: 'm' },
    ],
    parameterization: 'homogeneous',
  },
  L: 3,
  domain: ['hX', 'hY', 'nXX', 'nXY'],
};

function seededModel(c: Case, dt: number, amplitude: number, seed: number): LearnedDbd {
  const model = createDbd({
    machine: c.spec,
    spacing: 0.5,
    psiDerivScale: 'physical',
    dt,
    theta0: { hX: -1.2, hY: -1.5 },
    ...(c.domain ? { domain: c.domain } : {}),
  });
  const rng = createRng(seed);
  const m = model.functions[0].coefficientsPerVertex;
  // Random coefficients on every vertex of the box [−2, 2]^4 around θ(0)'s cell, for every F.
  const v = new Int32Array(dims);
  for (const f of model.functions) {
    for (let idx = 0; idx < 5 ** dims; idx++) {
      let r = idx;
      for (let k = 0; k < dims; k++) {
        v[k] = (r % 5) - 2;
        r = Math.floor(r / 5);
      }
      f.store.set(v, Float64Array.from({ length: m }, () => amplitude * (2 * rng.nextFloat64() - 1)));
    }
  }
  return model;
}

function objective(
  model: LearnedDbd,
  data: ReturnType<typeof randomTrajectories>,
  H: number,
  tau: number,
  N: number,
  theta0?: Float64Array,
): number {
  const machine = createMachine(model.machineSpec);
  const times = Float64Array.from({ length: H + 1 }, (_, t) => t * model.dt);
  const { theta } = integrateParameters(model, times, theta0 === undefined ? {} : { theta0 });
  const P = model.names.length;
  let S = 0;
  for (let t = tau + 1; t <= H; t++) {
    const th = theta.slice(t * P, (t + 1) * P);
    let kl = exactMoments(machine, th).logZ;
    for (const tr of data) kl -= exactMoments(machine, th, { visible: tr.occupancy.slice(t * N, (t + 1) * N) }).logZ / data.length;
    S += model.dt * kl;
  }
  return S;
}

// A second initial condition (other θ(0), other densities) for the multi-condition check: the trainer's gradient is
// then that of the mean (1/K) Σ_k S_k of the conditions' objectives, each from its own θ(0), with one shared F.
const secondTheta0 = { hX: -0.8, hY: -1.9 };

/**
 * Adjoint gradient −Δu/η of one SGD step, and the FD gradient, for the `count` largest components (with
 * `conditions` = 2: two initial conditions of 3 trajectories each).
 */
function compare(dt: number, lambda: number, count: number, seed = 11, constantData = false, c: Case = bipartite, conditions = 1) {
  const N = c.L * c.L;
  const sets = [randomTrajectories(3, 8, c.L, createRng(seed), 0.3, 0.25, dt)];
  if (conditions === 2) sets.push(randomTrajectories(3, 8, c.L, createRng(seed + 7), 0.45, 0.15, dt));
  const data = sets.flat();
  if (constantData) for (const tr of data) for (let t = 1; t < 8; t++) tr.occupancy.copyWithin(t * N, 0, N);
  const model0 = seededModel(c, dt, 0.3, seed + 1);
  const eta = 1;
  const trainer = createDbdTrainer(
    {
      machine: c.spec,
      ...(c.domain ? { domain: c.domain } : {}),
      ...(conditions === 2 ? { theta0PerCondition: [{ hX: -1.2, hY: -1.5 }, secondTheta0] } : { theta0: { hX: -1.2, hY: -1.5 } }),
      spacing: 0.5,
      dt,
      window: 4,
      horizonStart: 4,
      steps: 1,
      batchSize: 3,
      moments: 'exact',
      psiDerivScale: 'physical',
      learningRate: eta,
      lambda,
      initialOffsets: c.spec.layers.length > 1 ? [0.2, 0.4] : [0.2],
    },
    conditions === 2 ? { trajectories: data, conditions: [0, 0, 0, 1, 1, 1] } : { trajectories: data },
    createRng(seed + 2),
    { warmStart: model0 },
  );
  trainer.step();
  const model1 = trainer.model();
  const P = model0.names.length;
  const m = model0.functions[0].coefficientsPerVertex;
  type Entry = { j: number; vertex: Int32Array; q: number; g: number };
  const entries: Entry[] = [];
  for (let j = 0; j < P; j++) {
    model1.functions[j].store.forEach((vertex, c1) => {
      const c0 = model0.functions[j].store.get(vertex);
      for (let q = 0; q < m; q++) if (c1[q] !== c0[q]) entries.push({ j, vertex: vertex.slice(), q, g: -(c1[q] - c0[q]) / eta });
    });
  }
  entries.sort((a, b) => Math.abs(b.g) - Math.abs(a.g));
  const picked = entries.slice(0, count);
  const h = 1e-5;
  const theta2 = createDbd({ machine: c.spec, theta0: secondTheta0 }).theta0;
  const S = () =>
    conditions === 1
      ? objective(model0, sets[0], 4, 0, N)
      : (objective(model0, sets[0], 4, 0, N) + objective(model0, sets[1], 4, 0, N, theta2)) / 2;
  return picked.map((e) => {
    const f = model0.functions[e.j];
    const c = f.store.get(e.vertex);
    const base = c[e.q];
    c[e.q] = base + h;
    f.store.set(e.vertex, c);
    const sp = S();
    c[e.q] = base - h;
    f.store.set(e.vertex, c);
    const sm = S();
    c[e.q] = base;
    f.store.set(e.vertex, c);
    return { adjoint: e.g, fd: (sp - sm) / (2 * h), scale: Math.abs(picked[0].g) };
  });
}

describe('centered adjoint gradient', () => {
  it('is the exact discrete adjoint when the offsets are constant in time (λ = 0)', () => {
    const rows = compare(1, 0, 12);
    expect(rows.length).toBe(12);
    for (const r of rows) {
      // Central differences with h = 1e-5 on an objective of size O(10): truncation O(h²·S''') ≈ 1e-9 and
      // round-off O(ε·S/h) ≈ 1e-10, so 1e-6 relative to the largest component is a generous bound.
      expect(Math.abs(r.adjoint - r.fd)).toBeLessThan(1e-6 * r.scale);
    }
  });

  it('is the exact discrete adjoint for lateral (intra-layer) couplings too', () => {
    const rows = compare(1, 0, 12, 31, false, lateral);
    expect(rows.length).toBe(12);
    // Same bound and reasoning as above.
    for (const r of rows) expect(Math.abs(r.adjoint - r.fd)).toBeLessThan(1e-6 * r.scale);
  });

  it('is the exact discrete adjoint of the mean objective of two initial conditions (one shared F)', () => {
    const rows = compare(1, 0, 12, 41, false, bipartite, 2);
    expect(rows.length).toBe(12);
    // Same bound and reasoning as above.
    for (const r of rows) expect(Math.abs(r.adjoint - r.fd)).toBeLessThan(1e-6 * r.scale);
  });

  it('agrees to O(Δt) when the offsets slide (λ = 0.5) on time-constant data', () => {
    const err = (dt: number) => {
      const rows = compare(dt, 0.5, 8, 21, true);
      return Math.max(...rows.map((r) => Math.abs(r.adjoint - r.fd) / r.scale));
    };
    const e1 = err(0.2);
    const e2 = err(0.1);
    // The residual terms Δt·q·Δμ·(ΔE − ψ) with Δμ = O(Δt) give a relative error O(Δt): small, and shrinking
    // at least linearly (ratio ≤ 0.6 allows for the O(Δt²) remainder).
    expect(e1).toBeLessThan(0.05);
    expect(e2).toBeLessThan(0.6 * e1 + 1e-9);
  });
});
