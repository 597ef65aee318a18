/**
 * The one schema of a lattice model file (issue #14 item 1), written with zod 4. It validates the JSON form, and the
 * text form after parsing (the parser maps each error path back to a line and column); it also publishes the JSON
 * Schema committed as `schema/lattice-model.schema.json` (kept in sync by a test).
 *
 * Structure and ranges are checked by the object schemas; cross-references (a reaction or initial condition naming
 * an undeclared species, a time grid with both or neither of `steps` and `tEnd`) by one refinement on the whole
 * file, so every check reports a path such as `reactions.2.rate`.
 */
import { z } from 'zod';
import type { LatticeInitialCondition, LatticeParameter } from '../initial.ts';
import type { LatticeReaction } from '../model.ts';
import type { LatticeObservable } from '../observables.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const speciesName = z.string().regex(NAME, { error: 'must be a name (letters, digits, _; not starting with a digit)' });
const rate = z.number({ error: 'must be a number' }).min(0, { error: 'must be >= 0' });
const probability = z.number({ error: 'must be a number' }).min(0, { error: 'must be in [0, 1]' }).max(1, { error: 'must be in [0, 1]' });
const columnName = z.string().regex(NAME, { error: 'must be a column name (letters, digits, _; not starting with a digit)' });
const positiveInteger = z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(1, { error: 'must be >= 1' });
const nonNegativeInteger = z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(0, { error: 'must be >= 0' });

/**
 * The reaction kinds, exactly the {@link LatticeReaction} union of `model.ts`.
 *
 * @example
 * ```ts
 * latticeReactionSchema.parse({ type: 'immigration', product: 'A', rate: 0.1 });
 * ```
 */
export const latticeReactionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('decay'), reactant: speciesName, rate }).describe('A -> 0 at rate per A'),
    z.strictObject({ type: z.literal('conversion'), reactant: speciesName, product: speciesName, rate }).describe('A -> B at rate per A'),
    z
      .strictObject({
        type: z.literal('birth'),
        parent: speciesName,
        offspring: speciesName.optional(),
        rate,
        placement: z.literal(['neighbour', 'anywhere']).optional(),
        floor: nonNegativeInteger.optional(),
      })
      .describe('A -> A + B: the offspring on a free neighbour (default) or on a free site anywhere'),
    z.strictObject({ type: z.literal('immigration'), product: speciesName, rate }).describe('0 -> A: each free site at rate'),
    z
      .strictObject({ type: z.literal('splitting'), reactant: speciesName, products: z.tuple([speciesName, speciesName]), rate })
      .describe('A -> B + C: B on the site, C on a free neighbour'),
    z
      .strictObject({
        type: z.literal('contact'),
        reactants: z.tuple([speciesName, speciesName]),
        products: z.tuple([speciesName.nullable(), speciesName.nullable()]),
        rate: rate.optional().describe('exact scheme: rate per adjacent pair'),
        probability: probability.optional().describe('paper scheme: probability per hop attempt onto the partner'),
      })
      .describe('A + B -> C + D between nearest neighbours (null: the site is left empty)'),
  ],
  { error: 'must be a reaction with type decay, conversion, birth, immigration, splitting or contact' },
);

const parameter = z.union([
  z.number({ error: 'must be a number or a range { min, max }' }),
  z.strictObject({ min: z.number(), max: z.number() }),
]);
const parameters = z.record(z.string(), parameter);

/**
 * The initial condition of the file: the {@link LatticeInitialCondition} kinds, with a snapshot given as a file path.
 *
 * @example
 * ```ts
 * latticeFileInitialSchema.parse({ type: 'snapshot', file: 'start.txt' });
 * ```
 */
export const latticeFileInitialSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('counts'), counts: z.record(z.string(), nonNegativeInteger) }),
    z.strictObject({ type: z.literal('densities'), densities: z.record(z.string(), probability) }),
    z.strictObject({ type: z.literal('snapshot'), file: z.string().min(1, { error: 'must be a file path' }) }).describe('a snapshot file (text i j SPECIES, or .srnl), relative to the model file'),
    z.strictObject({
      type: z.literal('boltzmann'),
      h: parameters,
      J: parameters.optional(),
      K: parameters.optional(),
      sweeps: nonNegativeInteger,
      conditions: positiveInteger.optional(),
    }),
  ],
  { error: 'must be an initial condition with type counts, densities, snapshot or boltzmann' },
);

/**
 * The observables, exactly the {@link LatticeObservable} union of `observables.ts`.
 *
 * @example
 * ```ts
 * latticeObservableSchema.parse({ type: 'run', species: 'A', length: 3 });
 * ```
 */
export const latticeObservableSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('count'), species: speciesName, name: columnName.optional() }),
    z.strictObject({
      type: z.literal('pair'),
      species: z.tuple([speciesName, speciesName]),
      displacements: z.union([z.literal(['nn', 'nnn']), z.array(z.array(z.number().int()).min(1).max(3)).min(1)]),
      name: columnName.optional(),
    }),
    z.strictObject({ type: z.literal('run'), species: speciesName, length: positiveInteger, axis: nonNegativeInteger.optional(), name: columnName.optional() }),
  ],
  { error: 'must be an observable with type count, pair or run' },
);

/**
 * The scheme settings: which scheme runs by default, and the paper scheme's pick rule.
 *
 * @example
 * ```ts
 * latticeSchemeSchema.parse({ name: 'paper', selection: 'row-biased' });
 * ```
 */
export const latticeSchemeSchema = z.strictObject({
  name: z.literal(['paper', 'exact'], { error: "must be 'paper' or 'exact'" }),
  selection: z.literal(['uniform', 'row-biased'], { error: "must be 'uniform' or 'row-biased'" }).optional(),
});

const fileObject = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional().describe('one line saying what the model is'),
  species: z.array(speciesName).min(1, { error: 'must declare at least one species' }),
  lattice: z.strictObject({
    shape: z.array(positiveInteger).min(1, { error: 'must have 1 to 3 axes' }).max(3, { error: 'must have 1 to 3 axes' }),
    boundary: z.literal(['periodic', 'closed'], { error: "must be 'periodic' or 'closed'" }).optional(),
  }),
  hop: z.record(z.string(), rate).optional().describe('hop rate per particle, per species (paper scheme: > 0 means mobile)'),
  reactions: z.array(latticeReactionSchema),
  scheme: latticeSchemeSchema,
  time: z.strictObject({
    dt: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0' }),
    steps: positiveInteger.optional().describe('number of snapshots, t = 0 .. (steps - 1) dt'),
    tEnd: z.number({ error: 'must be a number' }).positive({ error: 'must be > 0' }).optional().describe('last snapshot time'),
  }),
  initial: latticeFileInitialSchema,
  observables: z.array(latticeObservableSchema).optional().describe('default: counts, NN and NNN pair counts of every pair'),
});

type FileObject = z.infer<typeof fileObject>;

function checkReferences(file: FileObject, ctx: z.RefinementCtx): void {
  const declared = new Set<string>();
  file.species.forEach((name, i) => {
    if (declared.has(name)) ctx.addIssue({ code: 'custom', path: ['species', i], message: `declares '${name}' twice`, input: name });
    declared.add(name);
  });
  const list = file.species.join(', ');
  const known = (name: string | null | undefined, path: (string | number)[]) => {
    if (typeof name === 'string' && !declared.has(name)) {
      ctx.addIssue({ code: 'custom', path, message: `'${name}' is not a declared species (${list})`, input: name });
    }
  };
  for (const name of Object.keys(file.hop ?? {})) known(name, ['hop', name]);
  file.reactions.forEach((r, i) => {
    const at = ['reactions', i];
    switch (r.type) {
      case 'decay':
        known(r.reactant, [...at, 'reactant']);
        break;
      case 'conversion':
        known(r.reactant, [...at, 'reactant']);
        known(r.product, [...at, 'product']);
        if (r.product === r.reactant) ctx.addIssue({ code: 'custom', path: [...at, 'product'], message: `converts ${r.reactant} into itself`, input: r.product });
        break;
      case 'birth':
        known(r.parent, [...at, 'parent']);
        known(r.offspring, [...at, 'offspring']);
        if ((r.floor ?? 0) > 0 && r.placement !== 'anywhere') {
          ctx.addIssue({ code: 'custom', path: [...at, 'floor'], message: "needs placement 'anywhere'", input: r.floor });
        }
        break;
      case 'immigration':
        known(r.product, [...at, 'product']);
        break;
      case 'splitting':
        known(r.reactant, [...at, 'reactant']);
        known(r.products[0], [...at, 'products', 0]);
        known(r.products[1], [...at, 'products', 1]);
        break;
      case 'contact':
        known(r.reactants[0], [...at, 'reactants', 0]);
        known(r.reactants[1], [...at, 'reactants', 1]);
        known(r.products[0], [...at, 'products', 0]);
        known(r.products[1], [...at, 'products', 1]);
        if (r.rate === undefined && r.probability === undefined) {
          ctx.addIssue({ code: 'custom', path: at, message: 'needs a probability (paper scheme) and/or a rate (exact scheme)', input: r });
        }
        break;
    }
  });
  const sites = file.lattice.shape.reduce((a, b) => a * b, 1);
  const ic = file.initial;
  if (ic.type === 'counts') {
    let total = 0;
    for (const [name, n] of Object.entries(ic.counts)) {
      known(name, ['initial', 'counts', name]);
      total += n;
    }
    if (total > sites) ctx.addIssue({ code: 'custom', path: ['initial', 'counts'], message: `places ${total} particles on ${sites} sites`, input: ic.counts });
  } else if (ic.type === 'densities') {
    let total = 0;
    for (const [name, p] of Object.entries(ic.densities)) {
      known(name, ['initial', 'densities', name]);
      total += p;
    }
    // (a single density above 1 is already reported by the field check)
    if (total > 1 + 1e-12 && Object.values(ic.densities).every((p) => p <= 1)) ctx.addIssue({ code: 'custom', path: ['initial', 'densities'], message: `add up to ${total} > 1`, input: ic.densities });
  } else if (ic.type === 'boltzmann') {
    const checkRange = (value: LatticeParameter, path: (string | number)[]) => {
      if (typeof value === 'object' && !(value.min <= value.max)) {
        ctx.addIssue({ code: 'custom', path, message: `range has min ${value.min} > max ${value.max}`, input: value });
      }
    };
    for (const [name, v] of Object.entries(ic.h)) {
      known(name, ['initial', 'h', name]);
      checkRange(v, ['initial', 'h', name]);
    }
    for (const [key, letter, arity] of [
      ['J', 'J', 2],
      ['K', 'K', 3],
    ] as const) {
      for (const [name, v] of Object.entries(ic[key] ?? {})) {
        const parts = name.split('-');
        if (parts.length !== arity) {
          ctx.addIssue({ code: 'custom', path: ['initial', key, name], message: `${letter} keys name ${arity} species joined by '-' (e.g. '${Array(arity).fill('A').join('-')}')`, input: name });
        } else for (const part of parts) known(part, ['initial', key, name]);
        checkRange(v, ['initial', key, name]);
      }
    }
    if (ic.K && Object.keys(ic.K).length > 0 && file.lattice.shape.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['initial', 'K'], message: 'triplet couplings K need a 1D lattice', input: ic.K });
    }
    // A periodic extent below 3 makes a site its own neighbour (or both neighbours the same site): the Gibbs sampler
    // of the initial condition refuses it, so the file is refused here with its path rather than at run time.
    const coupled = Object.keys(ic.J ?? {}).length > 0 || Object.keys(ic.K ?? {}).length > 0;
    if (coupled && (file.lattice.boundary ?? 'periodic') === 'periodic' && file.lattice.shape.some((n) => n < 3)) {
      ctx.addIssue({ code: 'custom', path: ['lattice', 'shape'], message: `couplings J/K on a periodic lattice need every extent >= 3; got [${file.lattice.shape.join(', ')}]`, input: file.lattice.shape });
    }
  }
  (file.observables ?? []).forEach((o, i) => {
    const at = ['observables', i];
    if (o.type === 'pair') {
      known(o.species[0], [...at, 'species', 0]);
      known(o.species[1], [...at, 'species', 1]);
      if (Array.isArray(o.displacements)) {
        o.displacements.forEach((d, j) => {
          if (d.length !== file.lattice.shape.length) {
            ctx.addIssue({ code: 'custom', path: [...at, 'displacements', j], message: `has ${d.length} components; the lattice has ${file.lattice.shape.length} axes`, input: d });
          }
        });
      }
    } else known(o.species, [...at, 'species']);
    if (o.type === 'run' && (o.axis ?? 0) >= file.lattice.shape.length) {
      ctx.addIssue({ code: 'custom', path: [...at, 'axis'], message: `is not an axis of a ${file.lattice.shape.length}D lattice`, input: o.axis });
    }
  });
  const { dt, steps, tEnd } = file.time;
  if ((steps === undefined) === (tEnd === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['time'], message: 'needs exactly one of steps and tEnd', input: file.time });
  } else if (tEnd !== undefined) {
    const n = tEnd / dt;
    if (Math.abs(n - Math.round(n)) > 1e-9 * Math.max(1, n)) {
      ctx.addIssue({ code: 'custom', path: ['time', 'tEnd'], message: `is not a whole number of steps dt = ${dt}`, input: tEnd });
    }
  }
  if (file.scheme.selection === 'row-biased' && file.scheme.name !== 'paper') {
    ctx.addIssue({ code: 'custom', path: ['scheme', 'selection'], message: "'row-biased' needs scheme 'paper'", input: file.scheme.selection });
  }
}

/**
 * The schema of a lattice model file (JSON form, and the text form's parse result). Prefer
 * `parseLatticeModel`, which turns its issues into located errors.
 *
 * @example
 * ```ts
 * const result = latticeModelFileSchema.safeParse(JSON.parse(text));
 * if (!result.success) console.error(result.error.issues[0].path);
 * ```
 */
export const latticeModelFileSchema = fileObject.superRefine(checkReferences);

/** A lattice model file as plain data (the JSON form; the text form parses into the same). */
export type LatticeModelFile = z.infer<typeof latticeModelFileSchema>;

/** The initial-condition section of a file (a snapshot is a path, read by the CLI / node layer). */
export type LatticeFileInitialCondition = z.infer<typeof latticeFileInitialSchema>;

// The schema and the hand-written types of model.ts / initial.ts / observables.ts must describe the same data: each
// line fails to typecheck if one side gains a field or kind the other lacks.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const reactionsAgree: Same<z.infer<typeof latticeReactionSchema>, LatticeReaction> = true;
const observablesAgree: Same<z.infer<typeof latticeObservableSchema>, LatticeObservable> = true;
const initialAgrees: Same<Exclude<LatticeFileInitialCondition, { type: 'snapshot' }>, Exclude<LatticeInitialCondition, { type: 'snapshot' }>> = true;
void reactionsAgree;
void observablesAgree;
void initialAgrees;

/**
 * The JSON Schema (draft 2020-12) of a lattice model file, generated from {@link latticeModelFileSchema}. The
 * package commits it as `schema/lattice-model.schema.json`; editors can validate JSON model files with it.
 *
 * @example
 * ```ts
 * const schema = latticeModelJsonSchema();
 * (schema.properties as Record<string, unknown>).species; // { type: "array", items: { type: "string", pattern: ... }, minItems: 1 }
 * ```
 */
export function latticeModelJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(fileObject, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'srn lattice model file',
    description:
      'A lattice reaction network for @srn/gillespie (srn-bench lattice simulate). Cross-references (declared species, one of time.steps / time.tEnd) are checked by the loader.',
  };
}
