/**
 * Tensor-product kernels (no validation, no allocation). Notation: `d` dimensions, `D` degrees of freedom per
 * dimension (2 for Q3 C1, 1 for Q1), `L = 2·D` one-dimensional shape functions per dimension, `m = D^d`
 * coefficients per vertex, `2^d` corner vertices per cell. The weight matrix of a cell is the Kronecker product
 * `W = M_0 ⊗ M_1 ⊗ … ⊗ M_{d−1}` with `M_k[b][τ] = h[k·L + b·D + τ]` (rows: corners, columns: coefficient types,
 * dimension 0 most significant in both), stored row-major: `W[c·m + τ]`.
 * @module
 */

/**
 * Kronecker product of the matrices of dimensions `[lo, hi)` into `out` (`2^(hi−lo)` rows × `D^(hi−lo)` columns).
 * @example
 * const out = new Float64Array(4); kronRange(h, 2, 0, 1, out); // the 2×2 matrix of dimension 0
 */
export function kronRange(h: Float64Array, D: number, lo: number, hi: number, out: Float64Array): void {
  const L = 2 * D;
  out[0] = 1;
  let rows = 1;
  let cols = 1;
  for (let k = lo; k < hi; k++) {
    const nc = cols * D;
    const hk = k * L;
    // in place, from the last entry backwards: every new index is >= the old one it is derived from
    for (let r = rows - 1; r >= 0; r--) {
      for (let c = cols - 1; c >= 0; c--) {
        const v = out[r * cols + c];
        for (let b = 1; b >= 0; b--) {
          const rowBase = (2 * r + b) * nc + c * D;
          for (let t = D - 1; t >= 0; t--) out[rowBase + t] = v * h[hk + b * D + t];
        }
      }
    }
    rows *= 2;
    cols = nc;
  }
}

/**
 * Writes the full weight matrix `W` (`2^d × m`) into `w[wOff..]` and returns `Σ W·c` over the corners whose
 * `slots[c] >= 0` (coefficients of slot `s` at `coeffs[s·m..]`). `A` and `B` are scratch buffers of at least
 * `2^a·D^a` and `2^(d−a)·D^(d−a)` entries, `a = floor(d/2)`.
 * @example
 * const value = basisAndValue(d, D, h, slots, coeffs, w, 0, A, B);
 */
export function basisAndValue(
  d: number,
  D: number,
  h: Float64Array,
  slots: Int32Array,
  coeffs: Float64Array,
  w: Float64Array,
  wOff: number,
  A: Float64Array,
  B: Float64Array,
): number {
  const a = d >> 1;
  kronRange(h, D, 0, a, A);
  kronRange(h, D, a, d, B);
  const rA = 1 << a;
  const rB = 1 << (d - a);
  let cA = 1;
  for (let k = 0; k < a; k++) cA *= D;
  let cB = 1;
  for (let k = a; k < d; k++) cB *= D;
  const m = cA * cB;
  if ((cB & 3) !== 0) return basisGeneric(rA, rB, cA, cB, A, B, slots, coeffs, w, wOff);
  // cB a multiple of 4 (Q3 C1 from d = 4 on): 4-way unrolled, value factorised as Σ a·(Σ b·c)
  let sum = 0;
  for (let i1 = 0; i1 < rA; i1++) {
    const aRow = i1 * cA;
    for (let i2 = 0; i2 < rB; i2++) {
      const corner = i1 * rB + i2;
      const row = wOff + corner * m;
      const bRow = i2 * cB;
      const slot = slots[corner];
      if (slot >= 0) {
        const cRow = slot * m;
        for (let j1 = 0; j1 < cA; j1++) {
          const av = A[aRow + j1];
          const o = row + j1 * cB;
          const oc = cRow + j1 * cB;
          let t0 = 0;
          let t1 = 0;
          for (let j2 = 0; j2 < cB; j2 += 4) {
            const b0 = B[bRow + j2];
            const b1 = B[bRow + j2 + 1];
            const b2 = B[bRow + j2 + 2];
            const b3 = B[bRow + j2 + 3];
            w[o + j2] = av * b0;
            w[o + j2 + 1] = av * b1;
            w[o + j2 + 2] = av * b2;
            w[o + j2 + 3] = av * b3;
            t0 += b0 * coeffs[oc + j2] + b1 * coeffs[oc + j2 + 1];
            t1 += b2 * coeffs[oc + j2 + 2] + b3 * coeffs[oc + j2 + 3];
          }
          sum += av * (t0 + t1);
        }
      } else {
        for (let j1 = 0; j1 < cA; j1++) {
          const av = A[aRow + j1];
          const o = row + j1 * cB;
          for (let j2 = 0; j2 < cB; j2 += 4) {
            w[o + j2] = av * B[bRow + j2];
            w[o + j2 + 1] = av * B[bRow + j2 + 1];
            w[o + j2 + 2] = av * B[bRow + j2 + 2];
            w[o + j2 + 3] = av * B[bRow + j2 + 3];
          }
        }
      }
    }
  }
  return sum;
}

/** Generic (any `cB`) body of {@link basisAndValue}. */
function basisGeneric(
  rA: number,
  rB: number,
  cA: number,
  cB: number,
  A: Float64Array,
  B: Float64Array,
  slots: Int32Array,
  coeffs: Float64Array,
  w: Float64Array,
  wOff: number,
): number {
  const m = cA * cB;
  let sum = 0;
  for (let i1 = 0; i1 < rA; i1++) {
    const aRow = i1 * cA;
    for (let i2 = 0; i2 < rB; i2++) {
      const corner = i1 * rB + i2;
      const row = wOff + corner * m;
      const bRow = i2 * cB;
      const slot = slots[corner];
      if (slot >= 0) {
        const cRow = slot * m;
        for (let j1 = 0; j1 < cA; j1++) {
          const av = A[aRow + j1];
          const o = j1 * cB;
          for (let j2 = 0; j2 < cB; j2++) {
            const wv = av * B[bRow + j2];
            w[row + o + j2] = wv;
            sum += wv * coeffs[cRow + o + j2];
          }
        }
      } else {
        for (let j1 = 0; j1 < cA; j1++) {
          const av = A[aRow + j1];
          const o = row + j1 * cB;
          for (let j2 = 0; j2 < cB; j2++) w[o + j2] = av * B[bRow + j2];
        }
      }
    }
  }
  return sum;
}

/**
 * Returns `Σ W·c` like {@link basisAndValue} without writing the weights; corners with `slots[c] < 0` are skipped.
 * @example
 * const value = valueOnly(d, D, h, slots, coeffs, A, B);
 */
export function valueOnly(
  d: number,
  D: number,
  h: Float64Array,
  slots: Int32Array,
  coeffs: Float64Array,
  A: Float64Array,
  B: Float64Array,
): number {
  const a = d >> 1;
  kronRange(h, D, 0, a, A);
  kronRange(h, D, a, d, B);
  const rA = 1 << a;
  const rB = 1 << (d - a);
  let cA = 1;
  for (let k = 0; k < a; k++) cA *= D;
  let cB = 1;
  for (let k = a; k < d; k++) cB *= D;
  const m = cA * cB;
  let sum = 0;
  if ((cB & 3) === 0) {
    // 4 independent partial sums hide the floating-point add latency
    for (let i1 = 0; i1 < rA; i1++) {
      const aRow = i1 * cA;
      for (let i2 = 0; i2 < rB; i2++) {
        const slot = slots[i1 * rB + i2];
        if (slot < 0) continue;
        const bRow = i2 * cB;
        const cRow = slot * m;
        for (let j1 = 0; j1 < cA; j1++) {
          const o = cRow + j1 * cB;
          let t0 = 0;
          let t1 = 0;
          let t2 = 0;
          let t3 = 0;
          for (let j2 = 0; j2 < cB; j2 += 4) {
            t0 += B[bRow + j2] * coeffs[o + j2];
            t1 += B[bRow + j2 + 1] * coeffs[o + j2 + 1];
            t2 += B[bRow + j2 + 2] * coeffs[o + j2 + 2];
            t3 += B[bRow + j2 + 3] * coeffs[o + j2 + 3];
          }
          sum += A[aRow + j1] * (t0 + t1 + (t2 + t3));
        }
      }
    }
    return sum;
  }
  for (let i1 = 0; i1 < rA; i1++) {
    const aRow = i1 * cA;
    for (let i2 = 0; i2 < rB; i2++) {
      const slot = slots[i1 * rB + i2];
      if (slot < 0) continue;
      const bRow = i2 * cB;
      const cRow = slot * m;
      let s = 0;
      for (let j1 = 0; j1 < cA; j1++) {
        const o = cRow + j1 * cB;
        let t = 0;
        for (let j2 = 0; j2 < cB; j2++) t += B[bRow + j2] * coeffs[o + j2];
        s += A[aRow + j1] * t;
      }
      sum += s;
    }
  }
  return sum;
}

/**
 * One contraction step on a tensor laid out as `[corner][τ]` (`2^(k+1)` corners × `D^(k+1)` types, the contracted
 * dimension being the lowest bit of both): `dst[c·mk + τ] = Σ_{b,t} u[uOff + b·D + t]·src[(2c + b)·mk·D + τ·D + t]`
 * for `c < corners`, `τ < mk`. Works in place when `dst === src` and `dOff === sOff`.
 * @example
 * contractStep(t, 0, t, 0, 8, 8, 2, h, 20);
 */
export function contractStep(
  src: Float64Array,
  sOff: number,
  dst: Float64Array,
  dOff: number,
  corners: number,
  mk: number,
  D: number,
  u: Float64Array,
  uOff: number,
): void {
  const row = mk * D;
  if (D === 2) {
    const u0 = u[uOff];
    const u1 = u[uOff + 1];
    const u2 = u[uOff + 2];
    const u3 = u[uOff + 3];
    for (let c = 0; c < corners; c++) {
      const b0 = sOff + 2 * c * row;
      const b1 = b0 + row;
      const o = dOff + c * mk;
      for (let t = 0; t < mk; t++) {
        const i0 = b0 + 2 * t;
        const i1 = b1 + 2 * t;
        dst[o + t] = u0 * src[i0] + u1 * src[i0 + 1] + (u2 * src[i1] + u3 * src[i1 + 1]);
      }
    }
  } else {
    const u0 = u[uOff];
    const u1 = u[uOff + 1];
    for (let c = 0; c < corners; c++) dst[dOff + c] = u0 * src[sOff + 2 * c] + u1 * src[sOff + 2 * c + 1];
  }
}

/**
 * Value and all partial derivatives with respect to the fractions, contracting the cell's coefficients (read
 * straight from the store through `slots`; absent corners are zero) one dimension at a time, last dimension first,
 * while carrying every partial derivative along. `h`/`g` are the value/derivative shape tables, `work` a scratch
 * buffer of `(2D)^(d−1)` entries and `gbuf` one of `Σ_{k<d} (2D)^k`. Writes `∂F/∂f_k` to `grad[gOff + k]` and
 * returns F. About 3·4^d multiply-adds in Q3 C1.
 * @example
 * const value = valueAndFracGradient(d, 2, h, g, slots, coeffs, work, gbuf, grad, 0);
 */
export function valueAndFracGradient(
  d: number,
  D: number,
  h: Float64Array,
  g: Float64Array,
  slots: Int32Array,
  coeffs: Float64Array,
  work: Float64Array,
  gbuf: Float64Array,
  grad: Float64Array,
  gOff: number,
): number {
  const L = 2 * D;
  let m = 1;
  for (let k = 0; k < d; k++) m *= D;
  const mk = m / D; // types left after contracting dimension d − 1
  const half = 1 << (d - 1); // corners left
  const offLast = ((L ** (d - 1)) - 1) / (L - 1); // offset of the gradient tensor of dimension d − 1 in gbuf
  const hb = (d - 1) * L;
  // First step, straight from the store: V = contraction with h_{d−1}, G_{d−1} = contraction with g_{d−1}.
  for (let c = 0; c < half; c++) {
    const s0 = slots[2 * c];
    const s1 = slots[2 * c + 1];
    const o = c * mk;
    for (let t = 0; t < mk; t++) {
      work[o + t] = 0;
      gbuf[offLast + o + t] = 0;
    }
    for (let b = 0; b < 2; b++) {
      const s = b === 0 ? s0 : s1;
      if (s < 0) continue;
      const base = s * m;
      if (D === 2) {
        const h0 = h[hb + 2 * b];
        const h1 = h[hb + 2 * b + 1];
        const g0 = g[hb + 2 * b];
        const g1 = g[hb + 2 * b + 1];
        for (let t = 0; t < mk; t++) {
          const a0 = coeffs[base + 2 * t];
          const a1 = coeffs[base + 2 * t + 1];
          work[o + t] += h0 * a0 + h1 * a1;
          gbuf[offLast + o + t] += g0 * a0 + g1 * a1;
        }
      } else {
        const a0 = coeffs[base];
        work[o] += h[hb + b] * a0;
        gbuf[offLast + o] += g[hb + b] * a0;
      }
    }
  }
  // Remaining dimensions k = d−2 … 0: tensors have 2^(k+1) corners × D^(k+1) types before the step.
  let corners = half;
  let types = mk;
  for (let k = d - 2; k >= 0; k--) {
    const nc = corners / 2;
    const nt = types / D;
    let offJ = ((L ** (k + 1)) - 1) / (L - 1); // offset of gradient tensor k + 1
    let sizeJ = L ** (k + 1);
    for (let j = k + 1; j < d; j++) {
      contractStep(gbuf, offJ, gbuf, offJ, nc, nt, D, h, k * L);
      offJ += sizeJ;
      sizeJ *= L;
    }
    const offK = ((L ** k) - 1) / (L - 1);
    contractStep(work, 0, gbuf, offK, nc, nt, D, g, k * L);
    contractStep(work, 0, work, 0, nc, nt, D, h, k * L);
    corners = nc;
    types = nt;
  }
  let off = 0;
  let sz = 1;
  for (let k = 0; k < d; k++) {
    grad[gOff + k] = gbuf[off];
    off += sz;
    sz *= L;
  }
  return work[0];
}

/**
 * Scatter-add `scale·W` onto the coefficients of the corners whose `slots[c] >= 0`, skipping frozen coefficients
 * (`fixed[s·m + τ] !== 0`; pass `null` when nothing is frozen).
 * @example
 * scatterAdd(d, m, slots, weights, 0, -0.01, coeffs, fixed);
 */
export function scatterAdd(
  d: number,
  m: number,
  slots: Int32Array,
  w: Float64Array,
  wOff: number,
  scale: number,
  coeffs: Float64Array,
  fixed: Uint8Array | null,
): void {
  const corners = 1 << d;
  for (let c = 0; c < corners; c++) {
    const slot = slots[c];
    if (slot < 0) continue;
    const o = slot * m;
    const r = wOff + c * m;
    if (fixed === null) for (let t = 0; t < m; t++) coeffs[o + t] += scale * w[r + t];
    else for (let t = 0; t < m; t++) if (fixed[o + t] === 0) coeffs[o + t] += scale * w[r + t];
  }
}

/**
 * Scatter-add of `scale·W` where `W` is given in factored form (the shape tables `h`, see {@link kronRange}), onto
 * the corners with `slots[c] >= 0`, skipping frozen coefficients. `A`/`B` are scratch as in {@link basisAndValue}.
 * @example
 * scatterAddFactored(d, 2, h, slots, -0.01, coeffs, fixed, A, B);
 */
export function scatterAddFactored(
  d: number,
  D: number,
  h: Float64Array,
  slots: Int32Array,
  scale: number,
  coeffs: Float64Array,
  fixed: Uint8Array | null,
  A: Float64Array,
  B: Float64Array,
): void {
  const a = d >> 1;
  kronRange(h, D, 0, a, A);
  kronRange(h, D, a, d, B);
  const rA = 1 << a;
  const rB = 1 << (d - a);
  let cA = 1;
  for (let k = 0; k < a; k++) cA *= D;
  let cB = 1;
  for (let k = a; k < d; k++) cB *= D;
  const m = cA * cB;
  for (let i1 = 0; i1 < rA; i1++) {
    for (let i2 = 0; i2 < rB; i2++) {
      const slot = slots[i1 * rB + i2];
      if (slot < 0) continue;
      const bRow = i2 * cB;
      for (let j1 = 0; j1 < cA; j1++) {
        const av = scale * A[i1 * cA + j1];
        const o = slot * m + j1 * cB;
        if (fixed === null) for (let j2 = 0; j2 < cB; j2++) coeffs[o + j2] += av * B[bRow + j2];
        else for (let j2 = 0; j2 < cB; j2++) if (fixed[o + j2] === 0) coeffs[o + j2] += av * B[bRow + j2];
      }
    }
  }
}
