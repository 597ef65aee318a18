/**
 * Turns a {@link ReactionModel} into flat typed arrays (CSR layouts of reactants, net changes and the reaction
 * dependency graph) plus JavaScript source for general propensities. The plan is structured-cloneable, so worker
 * threads rebuild the simulator from it without mathjs.
 *
 * @packageDocumentation
 */
import { ModelError } from './errors.ts';
import { evaluateExpression } from './evaluate.ts';
import { translateExpression } from './expression.ts';
import { type ReactionModel, validateModel } from './model.ts';

/** A compiled, serialisable simulation plan. */
export interface CompiledModel {
  readonly species: readonly string[];
  readonly reactionNames: readonly string[];
  readonly parameterNames: readonly string[];
  readonly parameterValues: Float64Array;
  /** Initial amounts, one per species. */
  readonly initial: Float64Array;
  /** CSR: reactants of reaction r are entries reactantStart[r] .. reactantStart[r+1]-1. */
  readonly reactantStart: Int32Array;
  readonly reactantSpecies: Int32Array;
  readonly reactantCount: Int32Array;
  /** CSR: non-zero net changes of reaction r. */
  readonly changeStart: Int32Array;
  readonly changeSpecies: Int32Array;
  readonly changeDelta: Float64Array;
  /** Mass-action constant divided by Π m! (NaN for a general propensity). */
  readonly massActionConstant: Float64Array;
  /**
   * JS expression over `x` (amounts) and `p` (parameters) for a general propensity, or null. It is 0 while a
   * reactant is below its stoichiometry (see {@link guardPropensity}).
   */
  readonly propensitySource: readonly (string | null)[];
  /** CSR: species read by reaction r's propensity. */
  readonly readsStart: Int32Array;
  readonly readsSpecies: Int32Array;
  /** CSR dependency graph: reactions whose propensity must be recomputed after r fires (r included if needed). */
  readonly dependentStart: Int32Array;
  readonly dependents: Int32Array;
}

const NO_AMOUNTS = new Float64Array(0);

/**
 * Wraps the JavaScript source of a general propensity so that it is 0 while some reactant is below its
 * stoichiometry: a reaction never fires without its reactants, whatever its rate law says (e.g. `vmax * S / (Km + S)`
 * on `C -> P + E` while C = 0, or `1 + X` on `X -> 0` at X = 0), so amounts can never become negative. Mass-action
 * propensities need no guard (their falling factorials are 0 there). Used by `compileModel` and the SBML loader.
 *
 * @param code a JavaScript expression over `x` (amounts) and `p`
 * @param reactants `[speciesIndex, stoichiometry]` pairs of the reaction's reactants (consumed species)
 *
 * @example
 * ```ts
 * guardPropensity('p[0] * x[1]', [[0, 2]]); // "(x[0] >= 2 ? (p[0] * x[1]) : 0)"
 * ```
 */
export function guardPropensity(code: string, reactants: readonly (readonly [number, number])[]): string {
  if (reactants.length === 0) return code;
  return `(${reactants.map(([s, count]) => `x[${s}] >= ${count}`).join(' && ')} ? (${code}) : 0)`;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function csr(lists: number[][]): { start: Int32Array; items: Int32Array } {
  const start = new Int32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) start[i + 1] = start[i] + lists[i].length;
  const items = new Int32Array(start[lists.length]);
  for (let i = 0; i < lists.length; i++) items.set(lists[i], start[i]);
  return { start, items };
}

/**
 * Compiles a model: validates it, evaluates mass-action constants from the parameters, translates general
 * propensities to JavaScript and builds the dependency graph. Throws {@link ModelError} on a negative or
 * non-finite constant or an invalid expression.
 *
 * @example
 * ```ts
 * const plan = compileModel(parseModel('X -> 0 @ 0.1\nX = 100'));
 * plan.massActionConstant[0]; // 0.1
 * ```
 */
export function compileModel(model: ReactionModel): CompiledModel {
  validateModel(model);
  const species = model.species.map((s) => s.name);
  const speciesIndex = new Map(species.map((name, i) => [name, i]));
  const parameterNames = model.parameters.map((p) => p.name);
  const parameterValues = Float64Array.from(model.parameters.map((p) => p.value));
  const parameterIndex = new Map(parameterNames.map((name, i) => [name, i]));

  const reactantLists: number[][] = [];
  const reactantCounts: number[] = [];
  const changeLists: number[][] = [];
  const changeDeltas: number[] = [];
  const readsLists: number[][] = [];
  const massActionConstant = new Float64Array(model.reactions.length);
  const propensitySource: (string | null)[] = [];

  model.reactions.forEach((reaction, r) => {
    const position = { line: reaction.line ?? 1, column: 1, source: `reaction '${reaction.name}'` };
    reactantLists.push(reaction.reactants.map((t) => speciesIndex.get(t.species)!));
    for (const t of reaction.reactants) reactantCounts.push(t.count);
    const net = new Map<number, number>();
    for (const t of reaction.reactants) net.set(speciesIndex.get(t.species)!, (net.get(speciesIndex.get(t.species)!) ?? 0) - t.count);
    for (const t of reaction.products) net.set(speciesIndex.get(t.species)!, (net.get(speciesIndex.get(t.species)!) ?? 0) + t.count);
    const changes = [...net].filter(([, d]) => d !== 0).sort((a, b) => a[0] - b[0]);
    changeLists.push(changes.map(([s]) => s));
    for (const [, d] of changes) changeDeltas.push(d);

    if (reaction.rate.kind === 'mass-action') {
      const translated = translateExpression(
        reaction.rate.constant,
        { symbol: (name) => (parameterIndex.has(name) ? `p[${parameterIndex.get(name)}]` : undefined) },
        position,
      );
      // Evaluated without code generation, so compiling works under a strict Content-Security-Policy.
      const value = evaluateExpression(translated.code)(NO_AMOUNTS, parameterValues);
      if (!Number.isFinite(value) || value < 0) {
        throw new ModelError(`reaction '${reaction.name}': rate constant ${reaction.rate.constant} evaluates to ${value}; expected a finite number >= 0`);
      }
      let divisor = 1;
      for (const t of reaction.reactants) divisor *= factorial(t.count);
      if (divisor === Number.POSITIVE_INFINITY) {
        // m! overflows for m > 170: the constant would silently become 0 and the reaction would never fire.
        throw new ModelError(`reaction '${reaction.name}': mass action with a reactant stoichiometry above 170 is not supported (m! overflows); give the propensity as an expression`);
      }
      massActionConstant[r] = value / divisor;
      propensitySource.push(null);
      readsLists.push(reaction.reactants.map((t) => speciesIndex.get(t.species)!));
    } else {
      const translated = translateExpression(
        reaction.rate.expression,
        {
          symbol: (name) => {
            if (speciesIndex.has(name)) return `x[${speciesIndex.get(name)}]`;
            if (parameterIndex.has(name)) return `p[${parameterIndex.get(name)}]`;
            return undefined;
          },
        },
        position,
      );
      massActionConstant[r] = Number.NaN;
      const reactantTerms = reaction.reactants.map((t) => [speciesIndex.get(t.species)!, t.count] as const);
      propensitySource.push(guardPropensity(translated.code, reactantTerms));
      // The guard reads the reactants, so a change of a reactant must recompute this propensity too.
      const reads = new Set(translated.symbols.filter((n) => speciesIndex.has(n)).map((n) => speciesIndex.get(n)!));
      for (const [s] of reactantTerms) reads.add(s);
      readsLists.push([...reads]);
    }
  });

  // Reaction j depends on reaction r when r changes a species that j reads.
  const readers: number[][] = species.map(() => []);
  readsLists.forEach((reads, j) => {
    for (const s of reads) if (!readers[s].includes(j)) readers[s].push(j);
  });
  const dependentLists = changeLists.map((changed) => {
    const set = new Set<number>();
    for (const s of changed) for (const j of readers[s]) set.add(j);
    return [...set].sort((a, b) => a - b);
  });

  const reactants = csr(reactantLists);
  const changes = csr(changeLists);
  const reads = csr(readsLists);
  const dependents = csr(dependentLists);
  return {
    species,
    reactionNames: model.reactions.map((r) => r.name),
    parameterNames,
    parameterValues,
    initial: Float64Array.from(model.species.map((s) => s.initial)),
    reactantStart: reactants.start,
    reactantSpecies: reactants.items,
    reactantCount: Int32Array.from(reactantCounts),
    changeStart: changes.start,
    changeSpecies: changes.items,
    changeDelta: Float64Array.from(changeDeltas),
    massActionConstant,
    propensitySource,
    readsStart: reads.start,
    readsSpecies: reads.items,
    dependentStart: dependents.start,
    dependents: dependents.items,
  };
}
