/**
 * The flattened two-state table Gibbs kernel (`sampleFlat2` of `table-gibbs.ts`) compiled to WebAssembly, with the
 * xoshiro128** draws inside the loop. The module's bytes are written here, instruction by instruction (no build
 * step, no toolchain, no binary in the repository; it runs wherever `WebAssembly` does, in Node and in browsers).
 *
 * The kernel is integer-only up to the threshold comparison, so it is bit-identical to the JavaScript one: the same
 * xoshiro128** recurrence on 32-bit words, the same key sums (each slot increment pre-multiplied by 16, the bytes of
 * a key's two f64 thresholds, so the key is the byte offset of its table row), the same comparisons of the draw
 * (converted exactly to f64) with the thresholds scaled by 2^32.
 *
 * One function per (slots, slot stride) pair, fully unrolled over the slots with the slot offsets as load offsets.
 * Signature `(states, chains, unitCount, unitOffset, size, nbr, slotInc, table)` (byte addresses and counts in the
 * module's memory); the generator's four words live at address 0 and are read and written back once per call.
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

// Parameters and locals of a kernel function.
const P_STATES = 0;
const P_CHAINS = 1;
const P_UNITS = 2;
const P_OFFSET = 3;
const P_SIZE = 4;
const P_NBR = 5;
const P_SLOTINC = 6;
const P_TABLE = 7;
const L_C = 8; // chain counter
const L_BASE = 9; // the chain's first state byte
const L_P = 10; // the unit's state byte
const L_END = 11; // one past the layer's last state byte
const L_O = 12; // the unit's first neighbour slot
const L_KEY = 13; // byte offset of the unit's table row
const L_S0 = 14;
const L_S1 = 15;
const L_S2 = 16;
const L_S3 = 17;
const L_T = 18;
const L_R = 19; // the draw, f64
const I32_LOCALS = L_T - L_C + 1;

/** The body of the kernel for `deg` slots of stride `stride` (see the module comment). */
function kernelBody(deg: number, stride: number): number[] {
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
  // locals: 11 i32 (L_C .. L_T), 1 f64 (L_R)
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
  op(OP.block, VOID);
  get(P_CHAINS);
  i32(0);
  op(0x4c /* i32.le_s */);
  op(OP.brIf, 0);
  op(OP.loop, VOID);
  // base = states + c·U; p = base + offset; end = p + size; o = nbr
  get(P_STATES);
  get(L_C);
  get(P_UNITS);
  op(OP.i32Mul, OP.i32Add);
  set(L_BASE);
  get(L_BASE);
  get(P_OFFSET);
  op(OP.i32Add, OP.localTee, L_P);
  get(P_SIZE);
  op(OP.i32Add);
  set(L_END);
  get(P_NBR);
  set(L_O);
  // for each unit
  op(OP.loop, VOID);
  // key = Σ_j slotInc16[j·stride + states[base + nbr[o + j]]]
  for (let j = 0; j < deg; j++) {
    get(P_SLOTINC);
    get(L_BASE);
    get(L_O);
    mem(OP.i32Load, 2, 4 * j);
    op(OP.i32Add);
    mem(OP.i32Load8u, 0, 0);
    i32(2);
    op(OP.i32Shl, OP.i32Add);
    mem(OP.i32Load, 2, 4 * j * stride);
    if (j > 0) op(OP.i32Add);
  }
  set(L_KEY);
  // r = f64(rotl(s1·5, 7)·9 as uint32)
  get(L_S1);
  i32(5);
  op(OP.i32Mul);
  i32(7);
  op(OP.i32Rotl);
  i32(9);
  op(OP.i32Mul, OP.f64ConvertI32U);
  set(L_R);
  // t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)
  get(L_S1);
  i32(9);
  op(OP.i32Shl);
  set(L_T);
  get(L_S2);
  get(L_S0);
  op(OP.i32Xor);
  set(L_S2);
  get(L_S3);
  get(L_S1);
  op(OP.i32Xor);
  set(L_S3);
  get(L_S1);
  get(L_S2);
  op(OP.i32Xor);
  set(L_S1);
  get(L_S0);
  get(L_S3);
  op(OP.i32Xor);
  set(L_S0);
  get(L_S2);
  get(L_T);
  op(OP.i32Xor);
  set(L_S2);
  get(L_S3);
  i32(11);
  op(OP.i32Rotl);
  set(L_S3);
  // states[p] = (r ≥ table[key]) + (r ≥ table[key + 8])
  get(L_P);
  get(L_R);
  get(P_TABLE);
  get(L_KEY);
  op(OP.i32Add, OP.localTee, L_KEY);
  mem(OP.f64Load, 3, 0);
  op(OP.f64Ge);
  get(L_R);
  get(L_KEY);
  mem(OP.f64Load, 3, 8);
  op(OP.f64Ge, OP.i32Add);
  mem(OP.i32Store8, 0, 0);
  // o += 4·deg; p += 1; continue while p < end
  get(L_O);
  i32(4 * deg);
  op(OP.i32Add);
  set(L_O);
  get(L_P);
  i32(1);
  op(OP.i32Add, OP.localTee, L_P);
  get(L_END);
  op(OP.i32LtU, OP.brIf, 0, OP.end);
  // c += 1; continue while c < chains
  get(L_C);
  i32(1);
  op(OP.i32Add, OP.localTee, L_C);
  get(P_CHAINS);
  op(OP.i32LtU, OP.brIf, 0, OP.end, OP.end);
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

/** A kernel shape: slots per unit (a multiple of 4 in the plans) and slot stride (source states + 1). */
export interface Flat2Shape {
  readonly deg: number;
  readonly stride: number;
}

/**
 * The bytes of a module importing `env.memory` and exporting `k0, k1, …`, one kernel per shape.
 *
 * @example
 * ```ts
 * const module = new WebAssembly.Module(flat2ModuleBytes([{ deg: 8, stride: 3 }]));
 * ```
 */
export function flat2ModuleBytes(shapes: readonly Flat2Shape[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // type 0: (i32 × 8) → ()
  section(1, [1, 0x60, 8, I32, I32, I32, I32, I32, I32, I32, I32, 0], out);
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
  for (const s of shapes) for (const b of kernelBody(s.deg, s.stride)) code.push(b);
  section(10, code, out);
  return Uint8Array.from(out);
}
