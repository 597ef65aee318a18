/**
 * The flattened two-state table Gibbs kernel (`sampleFlat2` of `table-gibbs.ts`) compiled to WebAssembly, with the
 * xoshiro128** draws inside the loop. The module's bytes are written here, instruction by instruction (no build
 * step, no toolchain, no binary in the repository; it runs wherever `WebAssembly` does, in Node and in browsers).
 *
 * The kernel is integer-only up to the threshold comparison, so it is bit-identical to the JavaScript one: the same
 * xoshiro128** recurrence on 32-bit words, the same key sums (each slot increment pre-multiplied by 16, the bytes of
 * a key's two f64 thresholds, so the key is the byte offset of its table row; padding slots, whose increments are
 * all 0, left out), the same comparisons of the draw (converted exactly to f64) with the thresholds scaled by 2^32.
 *
 * One function per layer, `(chains) → ()`, with the layer's addresses in the module's memory baked in as constants
 * and load offsets. A layer's units are swept in segments (start, end, kind) in unit order: in a *regular* segment
 * (the interior of a periodic lattice) every unit's slot j reads the state `delta_j` bytes from its own, so the
 * neighbour is one load with a constant offset and no index is read; the other segments (the lattice's borders)
 * read the neighbour indices. The generator's four words live at address 0 and are read and written back once per
 * call.
 *
 * @packageDocumentation
 */

/** Opcodes used (WebAssembly MVP). */
const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  i32Load8u: 0x2d,
  i32Store: 0x36,
  i32Store8: 0x3a,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32LtU: 0x49,
  i32Eq: 0x46,
  select: 0x1b,
  if: 0x04,
  else: 0x05,
  f64Ge: 0x66,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32Rotl: 0x77,
  f64ConvertI32U: 0xb8,
} as const;
const VOID = 0x40;
const I32 = 0x7f;
const F64 = 0x7c;

/** Unsigned LEB128. */
function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

/** Signed LEB128 of a 32-bit integer. */
function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  for (const b of body) out.push(b);
}

function name(s: string, out: number[]): void {
  uleb(s.length, out);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

// Parameter and locals of a kernel function.
const P_CHAINS = 0;
const L_C = 1; // chain counter
const L_BASE = 2; // the chain's first state byte
const L_SEG = 3; // the current segment (start, end, kind: three i32)
const L_P = 4; // the unit's state byte
const L_END = 5; // one past the segment's last state byte
const L_O = 6; // the unit's first neighbour index (irregular segments)
const L_Q = 7; // the unit's state byte + minDelta (regular segments)
const L_KEY = 8; // byte offset of the unit's table row
const L_S0 = 9;
const L_S1 = 10;
const L_S2 = 11;
const L_S3 = 12;
const L_T = 13;
const L_PREV = 14; // the state of the unit before (regular segments with a previous-unit slot)
const L_ACC = 15; // the new state chosen among the candidates
const L_R = 16; // the draw, f64
const I32_LOCALS = L_ACC - L_C + 1;

/** The body of the kernel of one layer (see the module comment). */
function kernelBody(k: Flat2Layer): number[] {
  const c: number[] = [];
  const op = (...bytes: number[]) => {
    for (const b of bytes) c.push(b);
  };
  const get = (l: number) => op(OP.localGet, l);
  const set = (l: number) => op(OP.localSet, l);
  const i32 = (n: number) => {
    op(OP.i32Const);
    sleb(n, c);
  };
  const mem = (opcode: number, align: number, offset: number) => {
    op(opcode, align);
    uleb(offset, c);
  };
  const addTo = (l: number, n: number) => {
    get(l);
    i32(n);
    op(OP.i32Add);
    set(l);
  };
  /** Pushes slotInc16[j·stride + state] for the state address on the stack (the increment's address baked in). */
  const increment = (j: number) => {
    mem(OP.i32Load8u, 0, 0);
    i32(2);
    op(OP.i32Shl);
    mem(OP.i32Load, 2, k.slotInc + 4 * j * k.stride);
  };
  /** r = f64(rotl(s1·5, 7)·9 as uint32); t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11). */
  const draw = () => {
    get(L_S1);
    i32(5);
    op(OP.i32Mul);
    i32(7);
    op(OP.i32Rotl);
    i32(9);
    op(OP.i32Mul, OP.f64ConvertI32U);
    set(L_R);
    get(L_S1);
    i32(9);
    op(OP.i32Shl);
    set(L_T);
    for (const [dst, src] of [
      [L_S2, L_S0],
      [L_S3, L_S1],
      [L_S1, L_S2],
      [L_S0, L_S3],
      [L_S2, L_T],
    ]) {
      get(dst);
      get(src);
      op(OP.i32Xor);
      set(dst);
    }
    get(L_S3);
    i32(11);
    op(OP.i32Rotl);
    set(L_S3);
  };
  /** Pushes (r ≥ table[key + offset]) + (r ≥ table[key + offset + 8]), the new state for the key in L_KEY. */
  const compare = (offset: number) => {
    get(L_R);
    get(L_KEY);
    mem(OP.f64Load, 3, k.table + offset);
    op(OP.f64Ge);
    get(L_R);
    get(L_KEY);
    mem(OP.f64Load, 3, k.table + offset + 8);
    op(OP.f64Ge, OP.i32Add);
  };
  /** p += 1; continue the unit loop while p < end. */
  const next = () => {
    get(L_P);
    i32(1);
    op(OP.i32Add, OP.localTee, L_P);
    get(L_END);
    op(OP.i32LtU, OP.brIf, 0);
  };
  /** states[p] = (r ≥ table[key]) + (r ≥ table[key + 8]); next unit. */
  const updateAndNext = () => {
    get(L_P);
    compare(0);
    mem(OP.i32Store8, 0, 0);
    next();
  };
  const locals: number[] = [2];
  uleb(I32_LOCALS, locals);
  locals.push(I32);
  uleb(1, locals);
  locals.push(F64);
  // s0..s3 = generator words at address 0
  for (let w = 0; w < 4; w++) {
    i32(0);
    mem(OP.i32Load, 2, 4 * w);
    set(L_S0 + w);
  }
  // for c in [0, chains)
  op(OP.block, VOID, OP.loop, VOID);
  get(L_C);
  get(P_CHAINS);
  op(OP.i32GeU, OP.brIf, 1);
  // base = states + c·U
  get(L_C);
  i32(k.unitCount);
  op(OP.i32Mul);
  i32(k.states);
  op(OP.i32Add);
  set(L_BASE);
  i32(k.segments);
  set(L_SEG);
  // for each segment
  op(OP.block, VOID, OP.loop, VOID);
  get(L_SEG);
  i32(k.segments + 12 * k.segmentCount);
  op(OP.i32GeU, OP.brIf, 1);
  // p = base + unitOffset + start; end = base + unitOffset + end
  get(L_BASE);
  get(L_SEG);
  mem(OP.i32Load, 2, 0);
  op(OP.i32Add);
  i32(k.unitOffset);
  op(OP.i32Add);
  set(L_P);
  get(L_BASE);
  get(L_SEG);
  mem(OP.i32Load, 2, 4);
  op(OP.i32Add);
  i32(k.unitOffset);
  op(OP.i32Add);
  set(L_END);
  get(L_SEG);
  mem(OP.i32Load, 2, 8);
  op(OP.if, VOID);
  // regular: slot j of the unit at p reads the state at p + minDelta + offset_j
  const prevSlot = k.previous === null ? -1 : k.deltas.indexOf(-1);
  if (prevSlot >= 0) {
    // prev = states[p − 1] (load offsets are unsigned: the address is computed)
    get(L_P);
    i32(-1);
    op(OP.i32Add);
    mem(OP.i32Load8u, 0, 0);
    set(L_PREV);
  }
  op(OP.loop, VOID);
  get(L_P);
  i32(k.minDelta);
  op(OP.i32Add);
  set(L_Q);
  const summed = k.slots.map((j, i) => [j, i]).filter(([, i]) => i !== prevSlot);
  summed.forEach(([j, i], n) => {
    get(L_Q);
    op(OP.i32Load8u, 0);
    uleb(k.deltas[i] - k.minDelta, c);
    i32(2);
    op(OP.i32Shl);
    mem(OP.i32Load, 2, k.slotInc + 4 * j * k.stride);
    if (n > 0) op(OP.i32Add);
  });
  if (summed.length === 0) i32(0);
  set(L_KEY);
  draw();
  if (prevSlot >= 0 && k.previous !== null) {
    // The unit before (a neighbour) was updated one iteration ago: the new state of every one of its states is
    // computed from the key without it, and the one of its actual state chosen, so the loop does not wait for it.
    const inc = k.previous;
    compare(inc[0]);
    set(L_ACC);
    for (let st = 1; st < inc.length; st++) {
      compare(inc[st]);
      get(L_ACC);
      get(L_PREV);
      i32(st);
      op(OP.i32Eq, OP.select);
      set(L_ACC);
    }
    get(L_P);
    get(L_ACC);
    op(OP.localTee, L_PREV);
    mem(OP.i32Store8, 0, 0);
    next();
  } else {
    updateAndNext();
  }
  op(OP.end);
  op(OP.else);
  // irregular: o = nbr + 4·deg·start; slot j reads the state at base + nbr[o + j]
  get(L_SEG);
  mem(OP.i32Load, 2, 0);
  i32(4 * k.deg);
  op(OP.i32Mul);
  i32(k.nbr);
  op(OP.i32Add);
  set(L_O);
  op(OP.loop, VOID);
  k.slots.forEach((j, i) => {
    get(L_BASE);
    get(L_O);
    mem(OP.i32Load, 2, 4 * j);
    op(OP.i32Add);
    increment(j);
    if (i > 0) op(OP.i32Add);
  });
  set(L_KEY);
  draw();
  addTo(L_O, 4 * k.deg);
  updateAndNext();
  op(OP.end);
  op(OP.end);
  addTo(L_SEG, 12);
  op(OP.br, 0, OP.end, OP.end);
  addTo(L_C, 1);
  op(OP.br, 0, OP.end, OP.end);
  // generator words back to address 0
  for (let w = 0; w < 4; w++) {
    i32(0);
    get(L_S0 + w);
    mem(OP.i32Store, 2, 4 * w);
  }
  op(OP.end);
  const body = [...locals, ...c];
  const sized: number[] = [];
  uleb(body.length, sized);
  return [...sized, ...body];
}

/**
 * One layer's kernel: its constants and the byte addresses of its data in the module's memory.
 *
 * @example
 * ```ts
 * const layer: Flat2Layer = { states: 4096, unitCount: 4800, unitOffset: 1600, deg: 8, stride: 3, nbr: 16, slotInc: 51216,
 *   table: 51328, segments: 61328, segmentCount: 80, slots: [0, 1, 2, 3, 4, 5, 6, 7], deltas: [-1600, -1599, -1560, -1559, 1600, 1601, 1640, 1641], minDelta: -1600, previous: null };
 * ```
 */
export interface Flat2Layer {
  /** The first chain's first state byte; the chains follow each other every `unitCount` bytes. */
  readonly states: number;
  readonly unitCount: number;
  /** The layer's first unit in a chain. */
  readonly unitOffset: number;
  /** Slots per unit in the neighbour index array (padding included) and the slot stride of the increments. */
  readonly deg: number;
  readonly stride: number;
  /** Addresses: neighbour indices (i32, unit-major), increments × 16 (i32), thresholds (f64 pairs), segments. */
  readonly nbr: number;
  readonly slotInc: number;
  readonly table: number;
  readonly segments: number;
  readonly segmentCount: number;
  /** The slots summed (padding slots, whose increments are all 0, left out). */
  readonly slots: readonly number[];
  /** Per summed slot, in regular segments: the neighbour's state byte minus the unit's; their minimum. */
  readonly deltas: readonly number[];
  readonly minDelta: number;
  /**
   * When a summed slot reads the unit just before (delta −1, a lateral layer swept in place): its increments × 16
   * per source state, else null.
   */
  readonly previous: readonly number[] | null;
}

/**
 * The bytes of a module importing `env.memory` and exporting `k0, k1, …`, one kernel `(chains) → ()` per layer.
 *
 * @example
 * ```ts
 * const module = new WebAssembly.Module(flat2ModuleBytes([layer]));
 * ```
 */
export function flat2ModuleBytes(shapes: readonly Flat2Layer[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // type 0: (i32) → ()
  section(1, [1, 0x60, 1, I32, 0], out);
  const imp: number[] = [1];
  name('env', imp);
  name('memory', imp);
  imp.push(0x02, 0x00, 1); // memory, limits {min 1}
  section(2, imp, out);
  const fn: number[] = [];
  uleb(shapes.length, fn);
  for (let i = 0; i < shapes.length; i++) fn.push(0);
  section(3, fn, out);
  const exp: number[] = [];
  uleb(shapes.length, exp);
  for (let i = 0; i < shapes.length; i++) {
    name(`k${i}`, exp);
    exp.push(0x00);
    uleb(i, exp);
  }
  section(7, exp, out);
  const code: number[] = [];
  uleb(shapes.length, code);
  for (const s of shapes) for (const b of kernelBody(s)) code.push(b);
  section(10, code, out);
  return Uint8Array.from(out);
}
