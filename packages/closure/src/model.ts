/**
 * The dynamic Boltzmann distribution (DBD) as a model object: a homogeneous DBM structure, the initial parameters
 * θ(0), the finite-element input domain and one Q3 C1 finite-element function F_k per parameter, so that
 * dθ/dt = F(x(θ)) with x the domain coordinates of θ (spec 6.1). Serialisation to a self-describing byte container.
 *
 * @packageDocumentation
 */

import { createMachine, type Machine, type MachineSpec } from '@srn/boltzmann';
import { createFunction, type FeFunction, fromBinary, toBinary, toBinaryChunks } from '@srn/fem-basis';
import { bytesF64, decodeContainer, encodeContainer, encodeContainerChunks, f64Bytes, type Section } from './container.ts';
import { CheckpointError, DbdDivergenceError } from './errors.ts';
import { buildMachineSpec, defaultFeDomain } from './forms.ts';
import { checkEnum, checkInt, checkNum, checkObject, checkPositive, show } from './validate.ts';

/** p = 1/16 initial density of each species in the paper (100 of 1600 sites); used by the paper preset only. */
const PAPER_DENSITY = 1 / 16;

/**
 * Units of ∂F/∂θ inside the adjoint's ψ term (spec pitfall P1): `'fractional'` reproduces the original code
 * (Δ·∂F/∂x, 10× too small for Δ = 0.1), `'physical'` is the mathematically correct ∂F/∂x.
 *
 * @example
 * ```ts
 * const scale: PsiDerivScale = 'physical';
 * ```
 */
export type PsiDerivScale = 'fractional' | 'physical';

/**
 * The machine spec of the paper (spec 4): `layers` periodic L × L layers of 3-state units (visible {X, Y}, hidden
 * layer l {X<l>, Y<l>}), 2 × 2 receptive fields, same-species couplings, homogeneous parameters named hX, hY, bX1,
 * bY1, bX2, bY2, wXX1, wYY1, wX1X2, wY1Y2. The same structure as `paperMachine` of `@srn/boltzmann`, as plain JSON;
 * a preset of `buildMachineSpec` (`{ kind: 'hidden', layers: layers − 1, field: '2x2' }` on an L × L lattice).
 *
 * @example
 * ```ts
 * const spec = paperMachineSpec(40);
 * createMachine(spec).parameters.names.length; // 10
 * ```
 */
export function paperMachineSpec(size = 40, layers = 3, species: readonly string[] = ['X', 'Y']): MachineSpec {
  checkInt(size, 'size', 1);
  checkInt(layers, 'layers', 1, 16);
  if (!Array.isArray(species) || species.length < 1 || !species.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new TypeError(`species must be a non-empty array of species names; got ${show(species)}`);
  }
  return buildMachineSpec({ kind: 'hidden', layers: layers - 1, field: '2x2' }, { shape: [size, size], species });
}

/**
 * The paper's θ(0) for a machine: every visible bias ln(p / (1 − K p)) with p = 1/16 (independent sites at density
 * 1/16 per species, hX = hY = −2.639 for K = 2), every other parameter 0 (spec 4.6).
 *
 * @example
 * ```ts
 * paperTheta0(createMachine(paperMachineSpec(40))); // Float64Array [-2.639, -2.639, 0, 0, 0, 0, 0, 0, 0, 0]
 * ```
 */
export function paperTheta0(machine: Machine): Float64Array {
  const theta = new Float64Array(machine.parameters.count);
  const V = machine.layers[0];
  const h = Math.log(PAPER_DENSITY / (1 - V.stateCount * PAPER_DENSITY));
  for (let a = 0; a < V.stateCount; a++) theta[V.biasStart + a] = h;
  return theta;
}

/**
 * The default FE domain of a machine: `defaultFeDomain` of the model forms (at most six inputs: visible biases, then
 * same-species couplings, then the others; see there). For the paper machine hX, hY, wXX1, wYY1, wX1X2, wY1Y2
 * (spec 6.1). Hidden biases get their own F but are not inputs.
 *
 * @example
 * ```ts
 * defaultDomain(createMachine(paperMachineSpec(40))); // ['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']
 * ```
 */
export function defaultDomain(machine: Machine): string[] {
  return defaultFeDomain(machine);
}

/**
 * A trained (or untrained) dynamic Boltzmann distribution. Plain data plus the live FE functions; serialise with
 * {@link serializeLearnedDbd}.
 *
 * @example
 * ```ts
 * const model = createDbd({ machine: paperMachineSpec(40), theta0: { hX: -2.639, hY: -2.639 } });
 * model.names;  // ['hX', 'hY', 'bX1', ...]
 * model.domain; // ['hX', 'hY', 'wXX1', 'wYY1', 'wX1X2', 'wY1Y2']
 * ```
 */
export interface LearnedDbd {
  /** The DBM structure (homogeneous parameters). */
  readonly machine: Machine;
  /** The JSON spec the machine was built from. */
  readonly machineSpec: MachineSpec;
  /** Parameter names in parameter-vector order. */
  readonly names: readonly string[];
  /** Names of the parameters that are FE inputs, in input order. */
  readonly domain: readonly string[];
  /** Parameter index of every domain coordinate. */
  readonly domainIndex: Int32Array;
  /** θ(0) (of initial condition 0 when the model was trained on several). */
  readonly theta0: Float64Array;
  /**
   * θ(0) of every training initial condition (index = condition; entry 0 equals `theta0`), present when the model was
   * trained on data of several initial conditions with one shared F. Integrate condition k with
   * `integrateParameters(model, times, { theta0: model.conditionTheta0[k] })`.
   */
  readonly conditionTheta0?: readonly Float64Array[];
  /** FE grid spacing per domain coordinate. */
  readonly spacing: Float64Array;
  /** FE grid origin per domain coordinate (θ_d(0) − Δ_d/2 by default: θ(0) sits at a cell centre). */
  readonly origin: Float64Array;
  /** F_k, one function per parameter (same grid). */
  readonly functions: readonly FeFunction[];
  /** Time step of the data grid used in training (1 in the paper). */
  readonly dt: number;
  /** ψ derivative units used in training (recorded for provenance). */
  readonly psiDerivScale: PsiDerivScale;
}

/**
 * Options of {@link createDbd}.
 *
 * @example
 * ```ts
 * const o: DbdOptions = { machine: paperMachineSpec(40), spacing: 0.1, theta0: { hX: -2.639, hY: -2.639 } };
 * ```
 */
export interface DbdOptions {
  /**
   * Machine spec (required; e.g. {@link paperMachineSpec} or `buildMachineSpec(form, geometry)`); must be
   * homogeneous.
   */
  readonly machine: MachineSpec;
  /**
   * θ(0) by name (missing names are 0) or as a full vector; default all 0 (independent sites, each state with
   * probability 1/(K + 1)). Use {@link paperTheta0} for the paper's, `fitTheta0` to fit it from t = 0 data.
   */
  readonly theta0?: Readonly<Record<string, number>> | ArrayLike<number>;
  /** FE input parameters (default {@link defaultDomain}). */
  readonly domain?: readonly string[];
  /** FE spacing, one number or one per domain coordinate (default 0.1). */
  readonly spacing?: number | readonly number[];
  /** FE origin per domain coordinate (default θ_d(0) − Δ_d/2). */
  readonly origin?: readonly number[];
  /** Data time step (default 1). */
  readonly dt?: number;
  readonly psiDerivScale?: PsiDerivScale;
}

/**
 * Builds the machine and checks that it is homogeneous.
 *
 * @example
 * ```ts
 * const machine = buildMachine(paperMachineSpec(8), 'config.machine');
 * ```
 */
export function buildMachine(spec: MachineSpec, name: string): Machine {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`${name} must be a MachineSpec object; got ${show(spec)}`);
  const machine = createMachine(spec);
  if (machine.parameterization !== 'homogeneous') {
    throw new RangeError(`${name}.parameterization must be 'homogeneous' for a DBD; got ${show(machine.parameterization)}`);
  }
  return machine;
}

/**
 * Resolves θ(0) given by name (unnamed parameters 0) or as a vector of every parameter. There is no default here:
 * callers decide (the trainer fits θ(0) from the data, `createDbd` starts from zeros).
 *
 * @example
 * ```ts
 * resolveTheta0(machine, { hX: -2 }, 'config.theta0'); // Float64Array with hX = -2, rest 0
 * ```
 */
export function resolveTheta0(machine: Machine, theta0: unknown, name: string): Float64Array {
  const P = machine.parameters.count;
  const out = new Float64Array(P);
  if (ArrayBuffer.isView(theta0) || Array.isArray(theta0)) {
    const a = theta0 as ArrayLike<number>;
    if (a.length !== P) throw new RangeError(`${name} must have one value per parameter (${P}); got length ${a.length}`);
    for (let i = 0; i < P; i++) out[i] = checkNum(a[i], `${name}[${i}]`);
    return out;
  }
  if (theta0 === null || typeof theta0 !== 'object') {
    throw new TypeError(`${name} must be a record of parameter values or an array; got ${show(theta0)}`);
  }
  for (const [k, v] of Object.entries(theta0)) {
    const idx = machine.parameters.names.indexOf(k);
    if (idx < 0) throw new RangeError(`${name}.${k} names no parameter (${machine.parameters.names.join(', ')})`);
    out[idx] = checkNum(v, `${name}.${k}`);
  }
  return out;
}

/**
 * Resolves the domain names to parameter indices.
 *
 * @example
 * ```ts
 * resolveDomain(machine, ['hX', 'wXX1'], 'config.domain').index; // Int32Array [0, 6]
 * ```
 */
export function resolveDomain(machine: Machine, domain: unknown, name: string): { names: string[]; index: Int32Array } {
  const names = domain === undefined ? defaultDomain(machine) : domain;
  if (!Array.isArray(names) || names.length < 1 || names.length > 10) {
    throw new RangeError(`${name} must be an array of 1 to 10 parameter names; got ${show(names)}`);
  }
  const index = new Int32Array(names.length);
  names.forEach((n, i) => {
    const idx = typeof n === 'string' ? machine.parameters.names.indexOf(n) : -1;
    if (idx < 0) throw new RangeError(`${name}[${i}] must name a parameter (${machine.parameters.names.join(', ')}); got ${show(n)}`);
    index[i] = idx;
  });
  if (new Set(names).size !== names.length) throw new RangeError(`${name} must not repeat a parameter; got ${show(names)}`);
  return { names: [...(names as string[])], index };
}

/**
 * Resolves spacing per domain coordinate.
 *
 * @example
 * ```ts
 * resolveSpacing(0.1, 6, 'config.spacing'); // six times 0.1
 * ```
 */
export function resolveSpacing(spacing: unknown, d: number, name: string): Float64Array {
  const out = new Float64Array(d);
  if (spacing === undefined) return out.fill(0.1);
  if (typeof spacing === 'number') return out.fill(checkPositive(spacing, name));
  if (!Array.isArray(spacing) || spacing.length !== d) {
    throw new RangeError(`${name} must be a positive number or an array of ${d} positive numbers; got ${show(spacing)}`);
  }
  spacing.forEach((s, i) => {
    out[i] = checkPositive(s, `${name}[${i}]`);
  });
  return out;
}

/**
 * Creates an untrained DBD (every F ≡ 0, so θ(t) ≡ θ(0)). The machine is required (a TypeError names
 * `options.machine` otherwise); θ(0) defaults to 0, the domain to `defaultFeDomain`, the spacing to 0.1.
 *
 * @example
 * ```ts
 * const model = createDbd({ machine: paperMachineSpec(8), spacing: 0.1 });
 * integrateParameters(model, Float64Array.of(0, 1, 2)).theta; // θ(0) three times
 * ```
 */
export function createDbd(options: DbdOptions): LearnedDbd {
  const o = checkObject(options, 'options');
  const spec = o.machine;
  if (spec === undefined) {
    throw new TypeError(
      'options.machine is required: give a MachineSpec, e.g. paperMachineSpec(L) or buildMachineSpec(form, geometry); got undefined',
    );
  }
  const machine = buildMachine(spec, 'options.machine');
  const theta0 = o.theta0 === undefined ? new Float64Array(machine.parameters.count) : resolveTheta0(machine, o.theta0, 'options.theta0');
  const dom = resolveDomain(machine, o.domain, 'options.domain');
  const d = dom.names.length;
  const spacing = resolveSpacing(o.spacing, d, 'options.spacing');
  const origin = new Float64Array(d);
  if (o.origin !== undefined) {
    if (!Array.isArray(o.origin) || o.origin.length !== d) {
      throw new RangeError(`options.origin must be an array of ${d} numbers; got ${show(o.origin)}`);
    }
    o.origin.forEach((v, i) => {
      origin[i] = checkNum(v, `options.origin[${i}]`);
    });
  } else {
    for (let i = 0; i < d; i++) origin[i] = theta0[dom.index[i]] - spacing[i] / 2;
  }
  const dt = o.dt === undefined ? 1 : checkPositive(o.dt, 'options.dt');
  const psi = o.psiDerivScale === undefined ? 'fractional' : checkEnum(o.psiDerivScale, 'options.psiDerivScale', ['fractional', 'physical']);
  const functions = machine.parameters.names.map(() =>
    createFunction({ spacing: Array.from(spacing), origin: Array.from(origin), dims: d }),
  );
  return Object.freeze({
    machine,
    machineSpec: JSON.parse(JSON.stringify(spec)) as MachineSpec,
    names: Object.freeze([...machine.parameters.names]),
    domain: Object.freeze(dom.names),
    domainIndex: dom.index,
    theta0,
    spacing,
    origin,
    functions: Object.freeze(functions),
    dt,
    psiDerivScale: psi,
  });
}

/**
 * Checks that `model` looks like a {@link LearnedDbd}.
 *
 * @example
 * ```ts
 * checkModel(model, 'model'); // throws TypeError for anything else
 * ```
 */
export function checkModel(model: unknown, name: string): asserts model is LearnedDbd {
  const m = model as LearnedDbd;
  if (
    m === null ||
    typeof m !== 'object' ||
    !Array.isArray(m.functions) ||
    !(m.theta0 instanceof Float64Array) ||
    !(m.domainIndex instanceof Int32Array) ||
    m.functions.length !== m.theta0.length ||
    typeof m.machine !== 'object'
  ) {
    throw new TypeError(`${name} must be a LearnedDbd (createDbd, trainer.model() or deserializeLearnedDbd); got ${show(model)}`);
  }
  const c = m.conditionTheta0;
  if (c !== undefined && (!Array.isArray(c) || c.length < 2 || !c.every((t) => t instanceof Float64Array && t.length === m.theta0.length))) {
    throw new TypeError(`${name}.conditionTheta0 must hold at least 2 Float64Arrays of length ${m.theta0.length}; got ${show(c)}`);
  }
}

/**
 * Evaluates the learned right-hand side F(x(θ)) into `out` (length P). Allocation-free after the first call for a
 * given model; the input must be finite.
 *
 * @example
 * ```ts
 * const dtheta = evaluateRhs(model, model.theta0, new Float64Array(model.names.length));
 * ```
 */
export function evaluateRhs(model: LearnedDbd, theta: Float64Array, out: Float64Array): Float64Array {
  checkModel(model, 'model');
  const P = model.theta0.length;
  if (!(theta instanceof Float64Array) || theta.length !== P) {
    throw new TypeError(`theta must be a Float64Array of length ${P}; got ${show(theta)}`);
  }
  if (!(out instanceof Float64Array) || out.length !== P) throw new TypeError(`out must be a Float64Array of length ${P}; got ${show(out)}`);
  rhsInto(model, theta, out, scratchX(model));
  return out;
}

const xScratch = new WeakMap<LearnedDbd, Float64Array>();

/**
 * A per-model scratch vector for the domain coordinates.
 *
 * @example
 * ```ts
 * const x = scratchX(model); // length model.domain.length
 * ```
 */
export function scratchX(model: LearnedDbd): Float64Array {
  let x = xScratch.get(model);
  if (x === undefined) {
    x = new Float64Array(model.domainIndex.length);
    xScratch.set(model, x);
  }
  return x;
}

/**
 * Unvalidated F(x(θ)) → out; `x` is a scratch of the domain dimension.
 *
 * @example
 * ```ts
 * rhsInto(model, theta, out, scratchX(model));
 * ```
 */
export function rhsInto(model: LearnedDbd, theta: Float64Array, out: Float64Array, x: Float64Array): void {
  const di = model.domainIndex;
  for (let k = 0; k < di.length; k++) x[k] = theta[di[k]];
  const fs = model.functions;
  for (let j = 0; j < fs.length; j++) out[j] = fs[j].store.count === 0 ? 0 : fs[j].value(x);
}

/**
 * Throws {@link DbdDivergenceError} unless θ is finite and its domain coordinates lie within the FE grid's index
 * range (|x − origin|/Δ < 2·10⁹ nodes). Internal.
 */
export function checkTheta(model: LearnedDbd, theta: Float64Array, t: number): void {
  for (let k = 0; k < theta.length; k++) {
    if (!Number.isFinite(theta[k])) {
      throw new DbdDivergenceError(t, `θ became non-finite at t = ${t} (${model.names[k]} = ${theta[k]}); lower the learning rate`);
    }
  }
  const di = model.domainIndex;
  for (let k = 0; k < di.length; k++) {
    const n = (theta[di[k]] - model.origin[k]) / model.spacing[k];
    if (!(Math.abs(n) < 2e9)) {
      throw new DbdDivergenceError(t, `θ left the FE grid at t = ${t} (${model.names[di[k]]} = ${theta[di[k]]}); lower the learning rate`);
    }
  }
}

/**
 * Deep copy of a model (functions copied through their binary form, bit-exact).
 *
 * @example
 * ```ts
 * const copy = cloneModel(model); // independent functions
 * ```
 */
export function cloneModel(model: LearnedDbd): LearnedDbd {
  return Object.freeze({
    ...model,
    domainIndex: model.domainIndex.slice(),
    theta0: model.theta0.slice(),
    ...(model.conditionTheta0 !== undefined ? { conditionTheta0: Object.freeze(model.conditionTheta0.map((t) => t.slice())) } : {}),
    spacing: model.spacing.slice(),
    origin: model.origin.slice(),
    functions: Object.freeze(model.functions.map((f) => fromBinary(toBinary(f)))),
  });
}

/**
 * Header fields describing a model (shared with checkpoints).
 *
 * @example
 * ```ts
 * modelHeader(model).domain; // ['hX', 'hY', ...]
 * ```
 */
export function modelHeader(model: LearnedDbd): Record<string, unknown> {
  return {
    machine: model.machineSpec,
    domain: [...model.domain],
    spacing: Array.from(model.spacing),
    origin: Array.from(model.origin),
    dt: model.dt,
    psiDerivScale: model.psiDerivScale,
    ...(model.conditionTheta0 !== undefined ? { conditions: model.conditionTheta0.length } : {}),
  };
}

/**
 * Sections describing a model (θ(0), one per function, and θ(0) of the initial conditions 1, 2, … when there are
 * several: `theta0c1`, `theta0c2`, …). The functions' sections are chunks viewing their stores, valid until they change.
 *
 * @example
 * ```ts
 * modelSections(model).map((s) => s.name); // ['theta0', 'F0', ..., 'F9']
 * ```
 */
export function modelSections(model: LearnedDbd, prefix = ''): Section[] {
  return [
    { name: `${prefix}theta0`, bytes: f64Bytes(model.theta0) },
    // Views of the functions' stores (no copy): the sections are valid until the functions change.
    ...model.functions.map((f, j) => ({ name: `${prefix}F${j}`, bytes: toBinaryChunks(f) })),
    ...(model.conditionTheta0 ?? []).slice(1).map((t, k) => ({ name: `${prefix}theta0c${k + 1}`, bytes: f64Bytes(t) })),
  ];
}

/**
 * Rebuilds a model from a header and sections; throws CheckpointError.
 *
 * @example
 * ```ts
 * const c = decodeContainer(bytes, 'model'); modelFromContainer(c.header, c.section, 'model');
 * ```
 */
export function modelFromContainer(
  header: Record<string, unknown>,
  section: (name: string) => Uint8Array,
  what: string,
  prefix = '',
  share = false,
): LearnedDbd {
  let model: LearnedDbd;
  try {
    const spec = header.machine as MachineSpec;
    const machine = buildMachine(spec, 'machine');
    const P = machine.parameters.count;
    const theta0 = bytesF64(section(`${prefix}theta0`), P, `${what} section theta0`);
    const base = createDbd({
      machine: spec,
      theta0,
      domain: header.domain as string[],
      spacing: header.spacing as number[],
      origin: header.origin as number[],
      dt: header.dt as number,
      psiDerivScale: header.psiDerivScale as PsiDerivScale,
    });
    const functions = base.names.map((_, j) => {
      const f = fromBinary(section(`${prefix}F${j}`), { share });
      const d = base.domain.length;
      if (f.dims !== d || f.element.kind !== 'q3c1') throw new RangeError(`F${j} must be a ${d}-D q3c1 function`);
      for (let k = 0; k < d; k++) {
        if (f.grid.spacing[k] !== base.spacing[k] || f.grid.origin[k] !== base.origin[k]) {
          throw new RangeError(`F${j} grid does not match the header's spacing/origin`);
        }
      }
      return f;
    });
    let conditionTheta0: Float64Array[] | undefined;
    if (header.conditions !== undefined) {
      const K = header.conditions;
      if (!Number.isSafeInteger(K) || (K as number) < 2) throw new RangeError(`conditions must be an integer >= 2; got ${show(K)}`);
      conditionTheta0 = [theta0.slice()];
      for (let k = 1; k < (K as number); k++) {
        conditionTheta0.push(bytesF64(section(`${prefix}theta0c${k}`), P, `${what} section theta0c${k}`));
      }
    }
    model = Object.freeze({
      ...base,
      ...(conditionTheta0 !== undefined ? { conditionTheta0: Object.freeze(conditionTheta0) } : {}),
      functions: Object.freeze(functions),
    });
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError('header', `${what} does not describe a valid model: ${(e as Error).message}`);
  }
  return model;
}

const MODEL_KIND = 'srn-dbd-model';
/**
 * Version of the serialised model layout.
 *
 * @example
 * ```ts
 * MODEL_FORMAT_VERSION; // 1
 * ```
 */
export const MODEL_FORMAT_VERSION = 1;

/**
 * Serialises a model to bytes (the container of `container.ts`: JSON header with the machine spec, domain, grid and
 * provenance; sections θ(0) and the binary form of every F). Bit-exact round trip with {@link deserializeLearnedDbd}.
 *
 * @example
 * ```ts
 * const bytes = serializeLearnedDbd(trainer.model());
 * const again = deserializeLearnedDbd(bytes);
 * ```
 */
export function serializeLearnedDbd(model: LearnedDbd): Uint8Array {
  const { header, sections } = modelContainer(model);
  return encodeContainer(header, sections);
}

/**
 * The bytes of {@link serializeLearnedDbd} as consecutive chunks (the header, then every section and its padding),
 * for writing a large model to a file without a second copy of it in memory.
 *
 * @example
 * ```ts
 * const chunks = serializeLearnedDbdChunks(trainer.model()); // their concatenation is serializeLearnedDbd's bytes
 * ```
 */
export function serializeLearnedDbdChunks(model: LearnedDbd): Uint8Array[] {
  const { header, sections } = modelContainer(model);
  return encodeContainerChunks(header, sections);
}

/** The checked model's container header and sections (what both serialisations write). */
function modelContainer(model: LearnedDbd): { header: Record<string, unknown>; sections: Section[] } {
  checkModel(model, 'model');
  return { header: { kind: MODEL_KIND, version: MODEL_FORMAT_VERSION, names: [...model.names], ...modelHeader(model) }, sections: modelSections(model) };
}

/**
 * Options of {@link deserializeLearnedDbd}.
 *
 * @example
 * ```ts
 * const options: DeserializeOptions = { share: true };
 * ```
 */
export interface DeserializeOptions {
  /**
   * Let the model's FE functions use their coefficients where they lie in `bytes` instead of copying them (default
   * false; `fromBinary`'s `share` of `@srn/fem-basis`): for bytes read from a file and not used otherwise, so that a
   * large model (60 MB for the paper preset) is not held twice while it is read. The model then keeps `bytes` alive,
   * and `bytes` must not change.
   */
  readonly share?: boolean;
}

/**
 * Restores a model serialised by {@link serializeLearnedDbd}. Throws {@link CheckpointError} for corrupt,
 * truncated or foreign bytes.
 *
 * @example
 * ```ts
 * const model = deserializeLearnedDbd(bytes);
 * integrateParameters(model, Float64Array.from({ length: 500 }, (_, t) => t));
 * const inPlace = deserializeLearnedDbd(readFileSync('model.bin'), { share: true }); // the file's bytes, not a copy
 * ```
 */
export function deserializeLearnedDbd(bytes: Uint8Array, options?: DeserializeOptions): LearnedDbd {
  const share = checkObject(options, 'options').share === true;
  const c = decodeContainer(bytes, 'serialised model');
  if (c.header.kind !== MODEL_KIND) {
    throw new CheckpointError('format', `serialised model has kind ${show(c.header.kind)}; expected '${MODEL_KIND}'`);
  }
  if (c.header.version !== MODEL_FORMAT_VERSION) {
    throw new CheckpointError('version', `serialised model has version ${show(c.header.version)}; this build reads ${MODEL_FORMAT_VERSION}`);
  }
  return modelFromContainer(c.header, (n) => c.section(n), 'serialised model', '', share);
}
