/**
 * Reaction models: species with initial amounts, named parameters, reactions with integer stoichiometry and either
 * mass-action kinetics (with the stochastic combinatorics) or a general propensity expression.
 *
 * @packageDocumentation
 */
import { ModelError } from './errors.ts';

/** How fast a reaction fires. */
export type RateLaw =
  /** Mass action: propensity c · Π_s n_s(n_s−1)…(n_s−m_s+1)/m_s!, with c an expression over parameters only. */
  | { readonly kind: 'mass-action'; readonly constant: string }
  /**
   * A general propensity (events per unit time) as an expression over species amounts and parameters. It is taken
   * as 0 while a reactant is below its stoichiometry (a reaction never fires without its reactants), whatever the
   * expression gives there; see `guardPropensity`.
   */
  | { readonly kind: 'propensity'; readonly expression: string };

/** One side of a reaction: a species and how many molecules of it. */
export interface StoichiometryTerm {
  readonly species: string;
  readonly count: number;
}

/** A reaction of a {@link ReactionModel}. */
export interface Reaction {
  readonly name: string;
  readonly reactants: readonly StoichiometryTerm[];
  readonly products: readonly StoichiometryTerm[];
  readonly rate: RateLaw;
  /** Where the reaction was defined (DSL line), for error messages. */
  readonly line?: number;
}

/** A validated reaction model (plain data: serialisable with JSON). */
export interface ReactionModel {
  readonly species: readonly { readonly name: string; readonly initial: number }[];
  readonly parameters: readonly { readonly name: string; readonly value: number }[];
  readonly reactions: readonly Reaction[];
}

/**
 * The largest amount a simulation holds exactly: 2^53 − 1 (a larger count would be silently rounded).
 *
 * @example
 * ```ts
 * new ModelBuilder().species('X', MAX_AMOUNT); // accepted; MAX_AMOUNT + 1 is a ModelError
 * ```
 */
export const MAX_AMOUNT = Number.MAX_SAFE_INTEGER;
/**
 * The largest stoichiometric coefficient (stored in 32-bit integer arrays): 2^31 − 1.
 *
 * @example
 * ```ts
 * parseModel(`${MAX_STOICHIOMETRY + 1} X -> 0 @ 1`); // ModelSyntaxError naming the stoichiometry of 'X'
 * ```
 */
export const MAX_STOICHIOMETRY = 2 ** 31 - 1;

/**
 * Why `value` is not a valid amount of molecules (a non-negative integer up to {@link MAX_AMOUNT}), or undefined when
 * it is one. Shared by the builder, the DSL and the SBML loader so that all three accept the same amounts.
 *
 * @example
 * ```ts
 * amountProblem(-5); // 'must be a non-negative integer; got -5'
 * amountProblem(1e20); // 'is 100000000000000000000, above 2^53 − 1 = 9007199254740991: it cannot be represented exactly'
 * amountProblem(7); // undefined
 * ```
 */
export function amountProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) return `must be a non-negative integer; got ${String(value)}`;
  if (value > MAX_AMOUNT) return `is ${value}, above 2^53 − 1 = ${MAX_AMOUNT}: it cannot be represented exactly`;
  return undefined;
}

/**
 * Why `value` is not a valid stoichiometric coefficient (an integer from 1 to {@link MAX_STOICHIOMETRY}), or
 * undefined when it is one.
 *
 * @example
 * ```ts
 * stoichiometryProblem(0); // 'must be a positive integer; got 0'
 * stoichiometryProblem(2); // undefined
 * ```
 */
export function stoichiometryProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return `must be a positive integer; got ${String(value)}`;
  if (value > MAX_STOICHIOMETRY) return `is ${value}, above the largest supported stoichiometry 2^31 − 1 = ${MAX_STOICHIOMETRY}`;
  return undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['t', 'time', 'pi', 'e', 'NaN', 'Infinity', 'and', 'or', 'not']);

/** Throws unless `name` is a valid identifier that is not reserved. */
export function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ModelError(`${what} name must match [A-Za-z_][A-Za-z0-9_]*; got ${JSON.stringify(name)}`);
  }
  if (RESERVED.has(name)) throw new ModelError(`${what} name '${name}' is reserved`);
}

/** Reactants or products given as `{ X: 1, Y: 2 }` or as a list of terms. */
export type SideInput = Readonly<Record<string, number>> | readonly StoichiometryTerm[];

/** A reaction as given to {@link ModelBuilder.reaction}. */
export interface ReactionInput {
  readonly name?: string;
  readonly reactants: SideInput;
  readonly products: SideInput;
  /**
   * A number or a parameter expression for a mass-action constant, or `{ propensity: 'expr' }` for a general
   * propensity over species and parameters.
   */
  readonly rate: number | string | { readonly propensity: string };
}

function normaliseSide(side: SideInput, reaction: string, what: string): StoichiometryTerm[] {
  const terms: StoichiometryTerm[] = Array.isArray(side)
    ? side.map((term) => ({ species: term.species, count: term.count }))
    : Object.entries(side as Record<string, number>).map(([species, count]) => ({ species, count }));
  const merged = new Map<string, number>();
  for (const { species, count } of terms) {
    if (count !== 0) {
      const problem = stoichiometryProblem(count);
      if (problem) throw new ModelError(`reaction '${reaction}': ${what} count of '${species}' ${problem}`);
    }
    if (count > 0) merged.set(species, (merged.get(species) ?? 0) + count);
  }
  return [...merged].map(([species, count]) => ({ species, count }));
}

/**
 * Builds a {@link ReactionModel} programmatically, with the same checks as the DSL.
 *
 * @example
 * ```ts
 * const model = new ModelBuilder()
 *   .species('X', 50).species('Y', 100).parameter('k', 0.005)
 *   .reaction({ name: 'birth', reactants: { X: 1 }, products: { X: 2 }, rate: 1 })
 *   .reaction({ name: 'predation', reactants: { X: 1, Y: 1 }, products: { Y: 2 }, rate: 'k' })
 *   .reaction({ name: 'death', reactants: { Y: 1 }, products: {}, rate: 0.6 })
 *   .build();
 * ```
 */
export class ModelBuilder {
  private readonly speciesList: { name: string; initial: number }[] = [];
  private readonly parameterList: { name: string; value: number }[] = [];
  private readonly reactionList: Reaction[] = [];

  /** Adds a species with its initial amount (a non-negative integer, default 0). */
  species(name: string, initial = 0): this {
    checkName(name, 'species');
    this.checkFree(name);
    const problem = amountProblem(initial);
    if (problem) throw new ModelError(`species '${name}': initial amount ${problem}`);
    this.speciesList.push({ name, initial });
    return this;
  }

  /** Adds a named parameter with a finite value. */
  parameter(name: string, value: number): this {
    checkName(name, 'parameter');
    this.checkFree(name);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ModelError(`parameter '${name}' must be a finite number; got ${String(value)}`);
    }
    this.parameterList.push({ name, value });
    return this;
  }

  /** Adds a reaction; species it names must be added before `build()`. */
  reaction(input: ReactionInput): this {
    const name = input.name ?? `r${this.reactionList.length + 1}`;
    checkName(name, 'reaction');
    if (this.reactionList.some((r) => r.name === name)) throw new ModelError(`duplicate reaction name '${name}'`);
    const reactants = normaliseSide(input.reactants, name, 'reactant');
    const products = normaliseSide(input.products, name, 'product');
    let rate: RateLaw;
    if (typeof input.rate === 'number') {
      if (!Number.isFinite(input.rate) || input.rate < 0) {
        throw new ModelError(`reaction '${name}': rate constant must be finite and >= 0; got ${input.rate}`);
      }
      rate = { kind: 'mass-action', constant: String(input.rate) };
    } else if (typeof input.rate === 'string') {
      rate = { kind: 'mass-action', constant: input.rate };
    } else if (input.rate && typeof input.rate.propensity === 'string') {
      rate = { kind: 'propensity', expression: input.rate.propensity };
    } else {
      throw new ModelError(`reaction '${name}': rate must be a number, a parameter expression or { propensity }`);
    }
    this.reactionList.push({ name, reactants, products, rate });
    return this;
  }

  /** Validates and returns the model. */
  build(): ReactionModel {
    const model: ReactionModel = {
      species: this.speciesList.map((s) => ({ ...s })),
      parameters: this.parameterList.map((p) => ({ ...p })),
      reactions: this.reactionList.map((r) => ({ ...r })),
    };
    validateModel(model);
    return model;
  }

  private checkFree(name: string): void {
    if (this.speciesList.some((s) => s.name === name) || this.parameterList.some((p) => p.name === name)) {
      throw new ModelError(`duplicate name '${name}'`);
    }
  }
}

/**
 * Checks the structure of a model (names, amounts, stoichiometry, known species). Rate expressions are checked by
 * `compileModel`.
 *
 * @example
 * ```ts
 * validateModel(JSON.parse(text)); // throws ModelError naming the problem
 * ```
 */
export function validateModel(model: ReactionModel): void {
  if (!model || !Array.isArray(model.species) || !Array.isArray(model.parameters) || !Array.isArray(model.reactions)) {
    throw new ModelError('model must have species, parameters and reactions arrays');
  }
  const seen = new Set<string>();
  for (const s of model.species) {
    checkName(s.name, 'species');
    if (seen.has(s.name)) throw new ModelError(`duplicate name '${s.name}'`);
    seen.add(s.name);
    const problem = amountProblem(s.initial);
    if (problem) throw new ModelError(`species '${s.name}': initial amount ${problem}`);
  }
  for (const p of model.parameters) {
    checkName(p.name, 'parameter');
    if (seen.has(p.name)) throw new ModelError(`duplicate name '${p.name}'`);
    seen.add(p.name);
    if (!Number.isFinite(p.value)) throw new ModelError(`parameter '${p.name}' must be finite; got ${p.value}`);
  }
  if (model.species.length === 0) throw new ModelError('model has no species');
  const speciesNames = new Set(model.species.map((s) => s.name));
  const reactionNames = new Set<string>();
  for (const r of model.reactions) {
    checkName(r.name, 'reaction');
    if (reactionNames.has(r.name)) throw new ModelError(`duplicate reaction name '${r.name}'`);
    reactionNames.add(r.name);
    for (const term of [...r.reactants, ...r.products]) {
      if (!speciesNames.has(term.species)) {
        throw new ModelError(`reaction '${r.name}': unknown species '${term.species}'`);
      }
      const problem = stoichiometryProblem(term.count);
      if (problem) throw new ModelError(`reaction '${r.name}': count of '${term.species}' ${problem}`);
    }
  }
}
