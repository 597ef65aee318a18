/**
 * SBML Level 2 (versions 1-5) and Level 3 (versions 1-2) to a compiled simulation plan with a stochastic
 * interpretation: species are amounts (molecule counts), a kinetic law is the propensity (amount per time), a
 * species symbol means its concentration (amount / compartment size) unless `hasOnlySubstanceUnits` is true.
 *
 * @packageDocumentation
 */
import { type CompiledModel, guardPropensity } from '../compile.ts';
import { ArgumentError, ArgumentTypeError } from '../errors.ts';
import { amountProblem, MAX_STOICHIOMETRY } from '../model.ts';
import type { EventAssignmentSpec, EventSpec, SbmlExtension } from './kernel-types.ts';
import { SbmlError, SbmlUnsupportedError } from './errors.ts';
import { type Ast, expandCalls, type Lambda, type Owner, readLambda, readMath } from './mathml.ts';
import { constant, type SymbolResolver, slotsRead, type Translation, translateAst, variable } from './translate.ts';
import { childNamed, childrenNamed, parseXml, type XNode } from './xml.ts';

/** Options of {@link loadSbml}. */
export interface LoadSbmlOptions {
  /**
   * Species reported as concentrations (amount / compartment size) instead of amounts (the default for every
   * species).
   */
  readonly concentrations?: readonly string[];
}

/** A species of a loaded model. */
export interface SbmlSpeciesInfo {
  readonly id: string;
  readonly name: string | undefined;
  readonly compartment: string;
  readonly hasOnlySubstanceUnits: boolean;
  readonly boundaryCondition: boolean;
  readonly constant: boolean;
  /** Initial amount (molecules). */
  readonly initialAmount: number;
  /** Whether the reported column is a concentration (see {@link LoadSbmlOptions.concentrations}). */
  readonly reportedAsConcentration: boolean;
}

/** A compiled plan that may carry SBML events, reported rules and time thresholds (run by the SBML kernel). */
export type SbmlPlan = CompiledModel & { readonly sbml?: SbmlExtension };

/** A loaded SBML model. */
export interface SbmlModel {
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly level: number;
  readonly version: number;
  /** The simulation plan: pass it to `simulate`, `simulateEnsemble`, `planEnsemble` or `simulateEnsembleParallel`. */
  readonly plan: SbmlPlan;
  readonly species: readonly SbmlSpeciesInfo[];
  /** SBML features the model uses (for reports), e.g. `events (time)`, `local parameters`. */
  readonly features: readonly string[];
  /** Readable kinetic laws (propensities) by reaction id. */
  readonly propensities: Readonly<Record<string, string>>;
}

/** Rules are pasted into the expressions that use them while their chain is at most this long... */
const PASTE_CHAIN = 16;
/** ... and the pasted code at most this long; otherwise the expression computes them as locals first. */
const PASTE_LENGTH = 20_000;

/**
 * The targets of assignment rules in dependency order (a rule after the rules it reads), by an iterative
 * depth-first walk; a circular chain is an {@link SbmlError} naming a rule on it.
 */
function orderRules(rules: ReadonlyMap<string, Ast>): string[] {
  const reads = (ast: Ast): string[] => {
    const out = new Set<string>();
    const stack = [ast];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.k === 'ci') {
        if (rules.has(node.name)) out.add(node.name);
      } else if (node.k === 'op' || node.k === 'call') {
        stack.push(...node.args);
      } else if (node.k === 'piecewise') {
        for (const [value, condition] of node.pieces) stack.push(value, condition);
        if (node.otherwise) stack.push(node.otherwise);
      }
    }
    return [...out];
  };
  const order: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const root of rules.keys()) {
    if (state.has(root)) continue;
    state.set(root, 'open');
    const stack: { id: string; deps: string[]; next: number }[] = [{ id: root, deps: reads(rules.get(root)!), next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.deps.length) {
        const dep = top.deps[top.next++];
        const seen = state.get(dep);
        if (seen === 'open') throw new SbmlError('assignmentRule', dep, 'is part of a circular chain of assignment rules');
        if (seen === undefined) {
          state.set(dep, 'open');
          stack.push({ id: dep, deps: reads(rules.get(dep)!), next: 0 });
        }
      } else {
        state.set(top.id, 'done');
        order.push(top.id);
        stack.pop();
      }
    }
  }
  return order;
}

const SID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SUPPORTED = new Set(['2.1', '2.2', '2.3', '2.4', '2.5', '3.1', '3.2']);
const MODEL_CHILDREN = new Set([
  'notes', 'annotation', 'listOfFunctionDefinitions', 'listOfUnitDefinitions', 'listOfCompartmentTypes',
  'listOfSpeciesTypes', 'listOfCompartments', 'listOfSpecies', 'listOfParameters', 'listOfInitialAssignments',
  'listOfRules', 'listOfConstraints', 'listOfReactions', 'listOfEvents',
]);

type Kind = 'compartment' | 'species' | 'parameter' | 'reaction' | 'speciesReference' | 'functionDefinition' | 'event';

interface Sym {
  readonly kind: Kind;
  readonly id: string;
  /** Index in x (species) or p (compartments, parameters); -1 otherwise. */
  readonly slot: number;
  readonly constant: boolean;
  /** Attribute value (size, value, stoichiometry), NaN when unset. */
  readonly attr: number;
}

interface SpeciesDef {
  readonly id: string;
  readonly name: string | undefined;
  readonly compartment: string;
  readonly initialAmount: number;
  readonly initialConcentration: number;
  readonly hosu: boolean;
  readonly boundary: boolean;
  readonly constant: boolean;
  readonly conversionFactor: string | undefined;
}

interface ReactionDef {
  readonly id: string;
  readonly node: XNode;
  readonly locals: ReadonlyMap<string, number>;
  readonly law: XNode | undefined;
}

function boolAttr(node: XNode, name: string, fallback: boolean, owner: Owner): boolean {
  const value = node.attrs[name];
  if (value === undefined) return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new SbmlError(owner.element, owner.id, `attribute ${name}="${value}" must be true or false`);
}

function numAttr(node: XNode, name: string, owner: Owner): number {
  const value = node.attrs[name];
  if (value === undefined) return Number.NaN;
  const t = value.trim();
  if (/^[+-]?INF$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'NaN') return Number.NaN;
  if (!NUMBER.test(t)) throw new SbmlError(owner.element, owner.id, `attribute ${name}="${value}" is not a number`);
  return Number(t);
}

function cleanAmount(value: number): number {
  const r = Math.round(value);
  return Math.abs(value - r) <= 1e-9 * Math.max(1, Math.abs(value)) ? r : value;
}

function evaluate(code: string, x: Float64Array, p: Float64Array, t: number): number {
  return Number(new Function('x', 'p', 't', `return ${code};`)(x, p, t));
}

function csr(lists: readonly (readonly number[])[]): { start: Int32Array; items: Int32Array } {
  const start = new Int32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) start[i + 1] = start[i] + lists[i].length;
  const items = new Int32Array(start[lists.length]);
  for (let i = 0; i < lists.length; i++) items.set(lists[i], start[i]);
  return { start, items };
}

/**
 * Parses an SBML document and compiles it into a simulation plan. Throws {@link SbmlError} for malformed or
 * invalid documents and {@link SbmlUnsupportedError} for constructs without an exact stochastic simulation here,
 * each naming the element and its id.
 *
 * @example
 * ```ts
 * import { simulateEnsemble, ensembleToCsv } from '@srn/gillespie';
 * import { loadSbml } from '@srn/gillespie/sbml';
 * const model = loadSbml(xmlText);
 * const stats = simulateEnsemble(model.plan, { runs: 1000, seed: 1, tEnd: 50, steps: 50 });
 * console.log(ensembleToCsv(stats));
 * ```
 */
export function loadSbml(xmlText: string, options: LoadSbmlOptions = {}): SbmlModel {
  if (typeof xmlText !== 'string') throw new ArgumentTypeError('xmlText', `xmlText must be a string; got ${typeof xmlText}`);
  if (options === null || typeof options !== 'object') throw new ArgumentTypeError('options', 'options must be an object');
  const concentrations = options.concentrations ?? [];
  if (!Array.isArray(concentrations) || concentrations.some((c) => typeof c !== 'string')) {
    throw new ArgumentTypeError('options.concentrations', 'options.concentrations must be an array of species ids');
  }
  const root = parseXml(xmlText);
  if (root.name !== 'sbml') throw new SbmlError('sbml', undefined, `the root element is <${root.name}>; expected <sbml>`);
  const level = Number(root.attrs.level);
  const version = Number(root.attrs.version);
  if (!SUPPORTED.has(`${level}.${version}`)) {
    throw new SbmlUnsupportedError('sbml', undefined, `SBML Level ${root.attrs.level} Version ${root.attrs.version} is not supported (supported: L2V1-V5, L3V1-V2)`);
  }
  for (const [name, value] of Object.entries(root.attrs)) {
    const pkg = /^([A-Za-z_][\w.-]*):required$/.exec(name);
    if (pkg && value === 'true') throw new SbmlUnsupportedError('sbml', undefined, `the required package '${pkg[1]}' is not supported`);
    if ((name === 'xmlns' || name.startsWith('xmlns:')) && /\/distrib\//.test(value)) {
      throw new SbmlUnsupportedError('sbml', undefined, 'the distrib package is not supported');
    }
  }
  const coreNs = root.ns;
  const isCore = (n: XNode) => n.ns === coreNs;
  const models = childrenNamed(root, 'model').filter(isCore);
  if (models.length !== 1) throw new SbmlError('sbml', undefined, `expected one <model>; found ${models.length}`);
  const model = models[0];
  const modelId = model.attrs.id;
  const l3 = level === 3;

  for (const child of model.children) {
    if (isCore(child) && !MODEL_CHILDREN.has(child.name)) throw new SbmlError('model', modelId, `unknown element <${child.name}>`);
  }
  const list = (listName: string, itemName: string): XNode[] => {
    const lists = model.children.filter((c) => isCore(c) && c.name === listName);
    if (lists.length > 1) throw new SbmlError('model', modelId, `has ${lists.length} <${listName}> elements`);
    return itemsOf(lists[0], itemName, 'model', modelId);
  };
  const itemsOf = (listNode: XNode | undefined, itemName: string, owner: string, ownerId: string | undefined): XNode[] => {
    if (!listNode) return [];
    const items: XNode[] = [];
    for (const c of listNode.children) {
      if (!isCore(c) || c.name === 'notes' || c.name === 'annotation') continue;
      if (c.name !== itemName) throw new SbmlError(owner, ownerId, `unexpected <${c.name}> in <${listNode.name}>`);
      items.push(c);
    }
    return items;
  };
  const features = new Set<string>();

  // ------------------------------------------------------------------ identifiers
  const symbols = new Map<string, Sym>();
  const declare = (kind: Kind, node: XNode, index: number, slot: number, constantValue: boolean, attr: number): string => {
    const id = node.attrs.id;
    if (id === undefined) throw new SbmlError(kind, undefined, `${kind} number ${index + 1} has no id`);
    if (!SID.test(id)) throw new SbmlError(kind, id, 'the id is not a valid SBML identifier');
    const existing = symbols.get(id);
    if (existing) throw new SbmlError(kind, id, `the id is already used by a ${existing.kind}`);
    symbols.set(id, { kind, id, slot, constant: constantValue, attr });
    return id;
  };

  const functions = new Map<string, Lambda>();
  list('listOfFunctionDefinitions', 'functionDefinition').forEach((node, i) => {
    const id = declare('functionDefinition', node, i, -1, true, Number.NaN);
    functions.set(id, readLambda(childNamed(node, 'math', 'functionDefinition', id), { element: 'functionDefinition', id }));
  });
  if (functions.size > 0) features.add('function definitions');
  const readAst = (math: XNode | undefined, owner: Owner): Ast => expandCalls(readMath(math, owner), functions, owner);

  const pIds: string[] = [];
  const spatial = new Map<string, number>();
  list('listOfCompartments', 'compartment').forEach((node, i) => {
    const owner = { element: 'compartment', id: node.attrs.id };
    let size = numAttr(node, 'size', owner);
    if (Number.isNaN(size) && node.attrs.volume !== undefined) size = numAttr(node, 'volume', owner);
    const id = declare('compartment', node, i, pIds.length, boolAttr(node, 'constant', true, owner), size);
    pIds.push(id);
    const dims = node.attrs.spatialDimensions === undefined ? 3 : numAttr(node, 'spatialDimensions', owner);
    spatial.set(id, dims);
    if (!Number.isNaN(size) && size !== 1) features.add('compartment size ≠ 1');
  });

  const speciesDefs: SpeciesDef[] = [];
  list('listOfSpecies', 'species').forEach((node, i) => {
    const owner = { element: 'species', id: node.attrs.id };
    const id = declare('species', node, i, speciesDefs.length, boolAttr(node, 'constant', false, owner), Number.NaN);
    const compartment = node.attrs.compartment;
    if (compartment === undefined) throw new SbmlError('species', id, 'has no compartment attribute');
    if (symbols.get(compartment)?.kind !== 'compartment') throw new SbmlError('species', id, `refers to undefined compartment '${compartment}'`);
    const initialAmount = numAttr(node, 'initialAmount', owner);
    const initialConcentration = numAttr(node, 'initialConcentration', owner);
    if (!Number.isNaN(initialAmount) && !Number.isNaN(initialConcentration)) {
      throw new SbmlError('species', id, 'has both initialAmount and initialConcentration');
    }
    if (node.attrs.speciesType !== undefined && l3) throw new SbmlError('species', id, 'speciesType is not an L3 attribute');
    const def: SpeciesDef = {
      id, name: node.attrs.name, compartment, initialAmount, initialConcentration,
      hosu: boolAttr(node, 'hasOnlySubstanceUnits', false, owner),
      boundary: boolAttr(node, 'boundaryCondition', false, owner),
      constant: boolAttr(node, 'constant', false, owner),
      conversionFactor: node.attrs.conversionFactor,
    };
    speciesDefs.push(def);
    if (def.boundary) features.add('boundary species');
    if (def.constant) features.add('constant species');
    if (!Number.isNaN(initialConcentration)) features.add('initial concentrations');
  });
  if (speciesDefs.length === 0) throw new SbmlError('model', modelId, 'has no species');
  const speciesById = new Map(speciesDefs.map((s) => [s.id, s]));
  const concentrationSemantics = (s: SpeciesDef) => !s.hosu && spatial.get(s.compartment) !== 0;
  if (speciesDefs.some(concentrationSemantics)) features.add('concentration species');

  list('listOfParameters', 'parameter').forEach((node, i) => {
    const owner = { element: 'parameter', id: node.attrs.id };
    const id = declare('parameter', node, i, pIds.length, boolAttr(node, 'constant', true, owner), numAttr(node, 'value', owner));
    pIds.push(id);
  });

  const reactionDefs: ReactionDef[] = [];
  const speciesRefs = new Map<string, XNode>();
  const reactionNodes = list('listOfReactions', 'reaction');
  reactionNodes.forEach((node, i) => {
    const id = declare('reaction', node, i, -1, true, Number.NaN);
    const law = childNamed(node, 'kineticLaw', 'reaction', id);
    const locals = new Map<string, number>();
    if (law) {
      for (const listName of ['listOfParameters', 'listOfLocalParameters']) {
        const itemName = listName === 'listOfParameters' ? 'parameter' : 'localParameter';
        for (const p of itemsOf(childNamed(law, listName, 'reaction', id), itemName, 'reaction', id)) {
          const pid = p.attrs.id;
          if (pid === undefined || !SID.test(pid)) throw new SbmlError('reaction', id, `a local parameter has ${pid === undefined ? 'no id' : `the invalid id '${pid}'`}`);
          if (locals.has(pid)) throw new SbmlError('reaction', id, `duplicate local parameter '${pid}'`);
          const value = numAttr(p, 'value', { element: 'localParameter', id: `${id}.${pid}` });
          if (!Number.isFinite(value)) throw new SbmlError('localParameter', `${id}.${pid}`, 'has no finite value');
          locals.set(pid, value);
          features.add('local parameters');
        }
      }
    }
    reactionDefs.push({ id, node, locals, law });
  });
  reactionDefs.forEach((r) => {
    for (const listName of ['listOfReactants', 'listOfProducts', 'listOfModifiers']) {
      const itemName = listName === 'listOfModifiers' ? 'modifierSpeciesReference' : 'speciesReference';
      for (const ref of itemsOf(childNamed(r.node, listName, 'reaction', r.id), itemName, 'reaction', r.id)) {
        if (ref.attrs.species === undefined) throw new SbmlError('reaction', r.id, `a <${itemName}> has no species attribute`);
        if (!speciesById.has(ref.attrs.species)) throw new SbmlError('reaction', r.id, `refers to undefined species '${ref.attrs.species}'`);
        if (ref.attrs.id !== undefined && itemName === 'speciesReference') {
          const owner = { element: 'speciesReference', id: ref.attrs.id };
          declare('speciesReference', ref, 0, -1, boolAttr(ref, 'constant', true, owner), numAttr(ref, 'stoichiometry', owner));
          speciesRefs.set(ref.attrs.id, ref);
        }
      }
    }
  });

  const eventNodes = list('listOfEvents', 'event');
  eventNodes.forEach((node, i) => {
    if (node.attrs.id !== undefined) declare('event', node, i, -1, true, Number.NaN);
  });

  const constraints = list('listOfConstraints', 'constraint');
  if (constraints.length > 0) {
    throw new SbmlUnsupportedError('constraint', constraints[0].attrs.id ?? constraints[0].attrs.metaid, 'constraints are not supported');
  }

  // ------------------------------------------------------------------ rules and initial assignments
  const rules = new Map<string, Ast>();
  for (const node of model.children.filter((c) => isCore(c) && c.name === 'listOfRules').flatMap((l) => l.children)) {
    if (!isCore(node) || node.name === 'notes' || node.name === 'annotation') continue;
    const target = node.attrs.variable;
    if (node.name === 'algebraicRule') {
      throw new SbmlUnsupportedError('algebraicRule', node.attrs.id ?? node.attrs.metaid, 'algebraic rules are not supported');
    }
    if (node.name === 'rateRule') {
      throw new SbmlUnsupportedError('rateRule', target, 'rate rules (continuous change) are not supported in a stochastic simulation');
    }
    if (node.name !== 'assignmentRule') throw new SbmlError('model', modelId, `unexpected <${node.name}> in <listOfRules>`);
    if (target === undefined) throw new SbmlError('assignmentRule', undefined, 'has no variable attribute');
    const sym = symbols.get(target);
    if (!sym) throw new SbmlError('assignmentRule', target, `refers to undefined variable '${target}'`);
    if (sym.kind === 'speciesReference') throw new SbmlUnsupportedError('assignmentRule', target, 'variable stoichiometry is not supported');
    if (sym.kind !== 'species' && sym.kind !== 'parameter' && sym.kind !== 'compartment') {
      throw new SbmlError('assignmentRule', target, `cannot assign to a ${sym.kind}`);
    }
    if (sym.constant) throw new SbmlError('assignmentRule', target, `assigns to the constant ${sym.kind} '${target}'`);
    if (rules.has(target)) throw new SbmlError('assignmentRule', target, 'the variable has two assignment rules');
    rules.set(target, readAst(childNamed(node, 'math', 'assignmentRule', target), { element: 'assignmentRule', id: target }));
    features.add('assignment rules');
  }
  const initialAssignments = new Map<string, Ast>();
  for (const node of list('listOfInitialAssignments', 'initialAssignment')) {
    const target = node.attrs.symbol;
    if (target === undefined) throw new SbmlError('initialAssignment', undefined, 'has no symbol attribute');
    const sym = symbols.get(target);
    if (!sym || !['species', 'parameter', 'compartment', 'speciesReference'].includes(sym.kind)) {
      throw new SbmlError('initialAssignment', target, `refers to ${sym ? `a ${sym.kind}` : `undefined symbol '${target}'`}`);
    }
    if (initialAssignments.has(target)) throw new SbmlError('initialAssignment', target, 'the symbol has two initial assignments');
    if (rules.has(target)) throw new SbmlError('initialAssignment', target, 'the symbol also has an assignment rule');
    initialAssignments.set(target, readAst(childNamed(node, 'math', 'initialAssignment', target), { element: 'initialAssignment', id: target }));
    features.add('initial assignments');
  }

  // ------------------------------------------------------------------ symbol resolution
  const hasValue = (sym: Sym): boolean => !Number.isNaN(sym.attr) || initialAssignments.has(sym.id) || rules.has(sym.id);
  const lawMemo = new Map<string, Translation>();
  const busy = new Set<string>();
  // Assignment rules. Each rule is translated once ("own" code) with the rules it reads as locals `_r<k>` (k its
  // index in dependency order); an expression that uses a rule gets the rule's value as pasted code when its chain of
  // rules is short, else as `(() => { const _r3 = ...; const _r7 = ...; return _r7; })()` over the rules it needs in
  // dependency order. Either way the generated code stays shallow however long the chain (a chain of 1,000 rules
  // nested 3,000 parentheses deep before, which neither this translator nor the JavaScript parser survived), and the
  // translation runs iteratively in dependency order.
  const ruleOrder = orderRules(rules);
  const ruleIndex = new Map(ruleOrder.map((id, k) => [id, k]));
  const ruleOwn = new Map<string, Translation>();
  const ruleDeps = new Map<string, readonly string[]>();
  const ruleChain = new Map<string, number>();
  const ruleOwnTranslation = (id: string): Translation => {
    let tr = ruleOwn.get(id);
    if (tr) return tr;
    if (busy.has(`rule:${id}`)) throw new SbmlError('assignmentRule', id, 'is part of a circular chain of assignment rules');
    busy.add(`rule:${id}`);
    const deps: string[] = [];
    const resolveInRule: SymbolResolver = (name) => {
      if (!rules.has(name)) return resolveGlobal(name);
      const dep = ruleOwnTranslation(name);
      deps.push(name);
      const local = `_r${ruleIndex.get(name)}`;
      return { exact: local, right: local, thresholds: dep.thresholds, continuousTime: dep.continuousTime, text: name };
    };
    const raw = translateAst(rules.get(id)!, resolveInRule, { element: 'assignmentRule', id });
    tr = { ...raw, thresholds: raw.thresholds.map((h) => closeOverRules(h, 'exact')) };
    busy.delete(`rule:${id}`);
    ruleOwn.set(id, tr);
    ruleDeps.set(id, deps);
    ruleChain.set(id, 1 + Math.max(0, ...deps.map((d) => ruleChain.get(d)!)));
    return tr;
  };
  /** The rules that `ids` read, directly or not, in dependency order (an iterative walk). */
  const rulesNeeded = (ids: Iterable<string>): string[] => {
    const seen = new Set<string>();
    const stack = [...ids];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      ruleOwnTranslation(id);
      stack.push(...ruleDeps.get(id)!);
    }
    return [...seen].sort((a, b) => ruleIndex.get(a)! - ruleIndex.get(b)!);
  };
  const RULE_LOCAL = /\b_r(\d+)\b/g;
  /** `code` (which may read rule locals `_r<k>`) as a closed expression that computes the locals it reads. */
  function closeOverRules(code: string, mode: 'exact' | 'right', result = code): string {
    const read = [...new Set([...code.matchAll(RULE_LOCAL)].map((m) => ruleOrder[Number(m[1])]))];
    if (read.length === 0) return result;
    const needed = rulesNeeded(read);
    const pasteable = needed.every((id) => ruleChain.get(id)! <= PASTE_CHAIN);
    if (pasteable) {
      const pasted = new Map<string, string>();
      const paste = (text: string) => text.replace(RULE_LOCAL, (_, k: string) => `(${pasted.get(ruleOrder[Number(k)])})`);
      for (const id of needed) pasted.set(id, paste(ruleOwn.get(id)![mode]));
      const out = paste(result);
      if (out.length <= PASTE_LENGTH) return out;
    }
    const locals = needed.map((id) => `const _r${ruleIndex.get(id)} = ${ruleOwn.get(id)![mode]};`).join(' ');
    return `(() => { ${locals} return ${result}; })()`;
  }
  const ruleMemo = new Map<string, Translation>();
  /** A rule's value as a closed expression (for kinetic laws, triggers, assignments and reports). */
  const ruleTranslation = (id: string): Translation => {
    let tr = ruleMemo.get(id);
    if (tr) return tr;
    const own = ruleOwnTranslation(id);
    const local = `_r${ruleIndex.get(id)}`;
    tr = { ...own, exact: closeOverRules(local, 'exact'), right: closeOverRules(local, 'right') };
    ruleMemo.set(id, tr);
    return tr;
  };
  const lawTranslation = (r: ReactionDef): Translation => {
    let tr = lawMemo.get(r.id);
    if (tr) return tr;
    if (busy.has(`law:${r.id}`)) throw new SbmlError('reaction', r.id, 'the kinetic law refers to itself');
    if (!r.law) throw new SbmlError('reaction', r.id, 'has no kineticLaw (a stochastic simulation needs a propensity)');
    busy.add(`law:${r.id}`);
    const owner = { element: 'reaction', id: r.id };
    const resolveLocal: SymbolResolver = (name) => {
      const local = r.locals.get(name);
      return local === undefined ? resolveGlobal(name) : constant(local);
    };
    tr = translateAst(readAst(childNamed(r.law, 'math', 'kineticLaw', r.id), owner), resolveLocal, owner);
    busy.delete(`law:${r.id}`);
    lawMemo.set(r.id, tr);
    return tr;
  };
  const wrap = (tr: Translation, text: string): Translation => ({ ...tr, exact: `(${tr.exact})`, right: `(${tr.right})`, text });
  function resolveGlobal(name: string): Translation | undefined {
    const sym = symbols.get(name);
    if (!sym) return undefined;
    switch (sym.kind) {
      case 'functionDefinition':
        throw new SbmlError('functionDefinition', name, 'is used as a value (call it with <apply>)');
      case 'event':
        throw new SbmlError('event', name, 'an event id cannot be used in math');
      case 'reaction':
        return wrap(lawTranslation(reactionDefs.find((r) => r.id === name)!), name);
      case 'speciesReference':
        return constant(initialValueOf(name));
      case 'species': {
        if (rules.has(name)) return wrap(ruleTranslation(name), name);
        const s = speciesById.get(name)!;
        const amount = `x[${sym.slot}]`;
        if (!concentrationSemantics(s)) return variable(amount, name);
        const size = resolveGlobal(s.compartment)!;
        return { ...size, exact: `(${amount} / ${size.exact})`, right: `(${amount} / ${size.right})`, text: name };
      }
      default: {
        if (rules.has(name)) return wrap(ruleTranslation(name), name);
        if (!hasValue(sym)) throw new SbmlError(sym.kind, name, `has no ${sym.kind === 'compartment' ? 'size' : 'value'} but is used in math`);
        return variable(`p[${sym.slot}]`, name);
      }
    }
  }

  // ------------------------------------------------------------------ initial values (at t = 0)
  const x0 = new Float64Array(speciesDefs.length).fill(Number.NaN);
  const p0 = new Float64Array(pIds.length).fill(Number.NaN);
  const refValues = new Map<string, number>();
  const state = new Map<string, 'busy' | 'done'>();
  /** Initial values of the rules' expressions (a concentration for a concentration species). */
  const ruleValues = new Map<string, number>();
  const speciesIds = speciesDefs.map((s) => s.id);
  const ensureSlots = (tr: Translation) => {
    for (const i of slotsRead(tr.exact, 'x')) initialValueOf(speciesIds[i]);
    for (const k of slotsRead(tr.exact, 'p')) initialValueOf(pIds[k]);
  };
  function initialValueOf(id: string): number {
    const sym = symbols.get(id)!;
    const done = state.get(id);
    const read = () => (sym.kind === 'species' ? x0[sym.slot] : sym.kind === 'speciesReference' ? refValues.get(id)! : p0[sym.slot]);
    if (done === 'done') return read();
    if (done === 'busy') throw new SbmlError(initialAssignments.has(id) ? 'initialAssignment' : sym.kind, id, 'its initial value depends on itself');
    state.set(id, 'busy');
    let value: number;
    const assignment = initialAssignments.get(id);
    let tr: Translation | undefined;
    if (assignment) tr = translateAst(assignment, resolveGlobal, { element: 'initialAssignment', id });
    else if (rules.has(id)) tr = ruleOwnTranslation(id);
    if (tr) {
      ensureSlots(tr);
      if (assignment) {
        value = evaluate(tr.exact, x0, p0, 0);
      } else {
        // The rule's own code reads the rules it depends on as locals: bind their values (computed first, in
        // dependency order, so that this never recurses deeply).
        const deps = [...new Set(ruleDeps.get(id)!)];
        for (const dep of deps) initialValueOf(dep);
        const bind = deps.map((dep) => `const _r${ruleIndex.get(dep)} = _v.get(${JSON.stringify(dep)});`).join(' ');
        value = Number(new Function('x', 'p', 't', '_v', `${bind} return ${tr.exact};`)(x0, p0, 0, ruleValues));
      }
      if (rules.has(id)) ruleValues.set(id, value);
      if (sym.kind === 'species') {
        const s = speciesById.get(id)!;
        if (concentrationSemantics(s)) value *= initialValueOf(s.compartment);
      }
    } else if (sym.kind === 'species') {
      const s = speciesById.get(id)!;
      if (!Number.isNaN(s.initialAmount)) value = s.initialAmount;
      else if (!Number.isNaN(s.initialConcentration)) {
        const size = initialValueOf(s.compartment);
        if (Number.isNaN(size)) throw new SbmlError('species', id, `has an initialConcentration but compartment '${s.compartment}' has no size`);
        value = s.initialConcentration * size;
      } else {
        throw new SbmlError('species', id, 'has no initial value (initialAmount, initialConcentration, initial assignment or assignment rule)');
      }
    } else if (sym.kind === 'speciesReference') {
      const ref = speciesRefs.get(id)!;
      value = Number.isNaN(sym.attr) ? stoichiometryOf(ref, id) : sym.attr;
    } else {
      value = sym.attr;
    }
    if (sym.kind === 'species') {
      value = cleanAmount(value);
      if (!Number.isFinite(value)) throw new SbmlError('species', id, `the initial amount evaluates to ${value}`);
      // Non-integer amounts are kept (some SBML models use them), but never negative or beyond exact integers.
      if (value < 0 || (Number.isInteger(value) && amountProblem(value))) {
        throw new SbmlError('species', id, `the initial amount ${amountProblem(value)}`);
      }
      x0[sym.slot] = value;
    } else if (sym.kind === 'speciesReference') {
      refValues.set(id, value);
    } else {
      p0[sym.slot] = value;
    }
    state.set(id, 'done');
    return value;
  }
  function stoichiometryOf(ref: XNode, reaction: string): number {
    const math = childNamed(ref, 'stoichiometryMath', 'reaction', reaction);
    if (!math) return 1;
    const owner = { element: 'reaction', id: reaction };
    const tr = translateAst(readAst(childNamed(math, 'math', 'stoichiometryMath', reaction), owner), resolveGlobal, owner);
    const varying = slotsRead(tr.exact, 'x').length > 0 || slotsRead(tr.exact, 'p').some((k) => !symbols.get(pIds[k])!.constant);
    if (varying || tr.thresholds.length > 0 || tr.continuousTime) {
      throw new SbmlUnsupportedError('reaction', reaction, 'stoichiometryMath that varies during the simulation is not supported');
    }
    ensureSlots(tr);
    features.add('stoichiometryMath');
    return evaluate(tr.exact, x0, p0, 0);
  }
  // Rules first, in dependency order, so that neither translation nor evaluation recurses along a chain.
  for (const id of ruleOrder) ruleOwnTranslation(id);
  for (const id of ruleOrder) initialValueOf(id);
  for (const id of speciesIds) initialValueOf(id);
  for (const id of pIds) initialValueOf(id);

  // ------------------------------------------------------------------ reactions
  const factor = (s: SpeciesDef): number => {
    const id = s.conversionFactor ?? model.attrs.conversionFactor;
    if (id === undefined) return 1;
    const sym = symbols.get(id);
    if (sym?.kind !== 'parameter') throw new SbmlError('species', s.id, `conversionFactor '${id}' is not a parameter`);
    if (!sym.constant || rules.has(id)) throw new SbmlUnsupportedError('species', s.id, `conversionFactor '${id}' must be a constant parameter`);
    features.add('conversion factors');
    return initialValueOf(id);
  };
  const eventTargets = new Set<string>();
  for (const node of eventNodes) {
    for (const a of itemsOf(childNamed(node, 'listOfEventAssignments', 'event', node.attrs.id), 'eventAssignment', 'event', node.attrs.id)) {
      if (a.attrs.variable !== undefined) eventTargets.add(a.attrs.variable);
    }
  }
  const changeLists: number[][] = [];
  const changeDeltas: number[] = [];
  const reactantLists: number[][] = [];
  const reactantCounts: number[] = [];
  const propensities: Record<string, string> = {};
  const lawTranslations: Translation[] = [];
  let nonUnit = false;
  for (const r of reactionDefs) {
    const owner = { element: 'reaction', id: r.id };
    if (boolAttr(r.node, 'fast', false, owner)) throw new SbmlUnsupportedError('reaction', r.id, 'fast reactions are not supported');
    const net = new Map<number, number>();
    const reactants = new Map<number, number>();
    for (const [listName, sign] of [['listOfReactants', -1], ['listOfProducts', 1]] as const) {
      for (const ref of itemsOf(childNamed(r.node, listName, 'reaction', r.id), 'speciesReference', 'reaction', r.id)) {
        const s = speciesById.get(ref.attrs.species!)!;
        const refId = ref.attrs.id;
        if (refId !== undefined && (rules.has(refId) || eventTargets.has(refId))) {
          throw new SbmlUnsupportedError('speciesReference', refId, 'variable stoichiometry is not supported');
        }
        let stoich = refId !== undefined ? initialValueOf(refId) : numAttr(ref, 'stoichiometry', { element: 'reaction', id: r.id });
        if (Number.isNaN(stoich)) stoich = stoichiometryOf(ref, r.id);
        stoich *= factor(s);
        if (!Number.isFinite(stoich) || stoich < 0) {
          throw new SbmlError('reaction', r.id, `the stoichiometry of species '${s.id}' is ${stoich}; expected a finite number >= 0`);
        }
        const rounded = cleanAmount(stoich);
        if (!Number.isInteger(rounded)) {
          throw new SbmlUnsupportedError('reaction', r.id, `the stoichiometry of species '${s.id}' is ${stoich}; a discrete stochastic simulation needs integers`);
        }
        if (rounded > MAX_STOICHIOMETRY) {
          throw new SbmlUnsupportedError('reaction', r.id, `the stoichiometry of species '${s.id}' is ${rounded}; at most ${MAX_STOICHIOMETRY} is supported`);
        }
        if (rounded !== 1) nonUnit = true;
        if (s.boundary) continue;
        if (s.constant) throw new SbmlError('reaction', r.id, `changes the constant species '${s.id}' (make it a boundary species)`);
        if (rules.has(s.id)) throw new SbmlError('reaction', r.id, `changes species '${s.id}', which is set by an assignment rule`);
        const slot = symbols.get(s.id)!.slot;
        net.set(slot, (net.get(slot) ?? 0) + sign * rounded);
        if (sign < 0) reactants.set(slot, (reactants.get(slot) ?? 0) + rounded);
      }
    }
    const changes = [...net].filter(([, d]) => d !== 0).sort((a, b) => a[0] - b[0]);
    changeLists.push(changes.map(([s]) => s));
    for (const [, d] of changes) changeDeltas.push(d);
    const reactantEntries = [...reactants].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
    reactantLists.push(reactantEntries.map(([s]) => s));
    for (const [, c] of reactantEntries) reactantCounts.push(c);
    const law = lawTranslation(r);
    if (law.continuousTime) {
      throw new SbmlUnsupportedError('reaction', r.id, 'the kinetic law varies continuously with time; only step changes (time compared with a fixed value) are supported');
    }
    if (law.thresholds.length > 0) features.add('time-dependent rates');
    // A reaction never fires without its (non-boundary) reactants, whatever its kinetic law says.
    const tr = { ...law, exact: guardPropensity(law.exact, reactantEntries), right: guardPropensity(law.right, reactantEntries) };
    lawTranslations.push(tr);
    propensities[r.id] = law.text;
  }
  if (nonUnit) features.add('non-unit stoichiometry');

  // ------------------------------------------------------------------ events
  const events: EventSpec[] = [];
  const triggerThresholds: string[] = [];
  eventNodes.forEach((node, n) => {
    const id = node.attrs.id ?? `event${n + 1}`;
    const owner = { element: 'event', id };
    if (childNamed(node, 'delay', 'event', id)) throw new SbmlUnsupportedError('event', id, 'delayed events are not supported');
    const trigger = childNamed(node, 'trigger', 'event', id);
    if (!trigger) throw new SbmlError('event', id, 'has no <trigger>');
    const tr = translateAst(readAst(childNamed(trigger, 'math', 'trigger', id), owner), resolveGlobal, owner);
    if (tr.continuousTime) {
      throw new SbmlUnsupportedError('event', id, 'the trigger varies continuously with time; only comparisons of time with a fixed value are supported');
    }
    const priorityNode = childNamed(node, 'priority', 'event', id);
    const priority = priorityNode ? translateAst(readAst(childNamed(priorityNode, 'math', 'priority', id), owner), resolveGlobal, owner).exact : null;
    const assignments: EventAssignmentSpec[] = [];
    const seen = new Set<string>();
    for (const a of itemsOf(childNamed(node, 'listOfEventAssignments', 'event', id), 'eventAssignment', 'event', id)) {
      const variableId = a.attrs.variable;
      if (variableId === undefined) throw new SbmlError('event', id, 'an eventAssignment has no variable attribute');
      const sym = symbols.get(variableId);
      if (!sym) throw new SbmlError('event', id, `assigns to undefined variable '${variableId}'`);
      if (sym.kind === 'speciesReference') throw new SbmlUnsupportedError('event', id, `assigns to stoichiometry '${variableId}' (variable stoichiometry)`);
      if (sym.kind !== 'species' && sym.kind !== 'parameter' && sym.kind !== 'compartment') {
        throw new SbmlError('event', id, `cannot assign to the ${sym.kind} '${variableId}'`);
      }
      if (sym.constant) throw new SbmlError('event', id, `assigns to the constant ${sym.kind} '${variableId}'`);
      if (rules.has(variableId)) throw new SbmlError('event', id, `assigns to '${variableId}', which is set by an assignment rule`);
      if (seen.has(variableId)) throw new SbmlError('event', id, `assigns to '${variableId}' twice`);
      seen.add(variableId);
      const value = translateAst(readAst(childNamed(a, 'math', 'eventAssignment', id), owner), resolveGlobal, owner);
      let scale: string | null = null;
      if (sym.kind === 'species' && concentrationSemantics(speciesById.get(variableId)!)) {
        scale = resolveGlobal(speciesById.get(variableId)!.compartment)!.exact;
      }
      assignments.push({ variable: variableId, target: sym.kind === 'species' ? 'x' : 'p', index: sym.slot, source: value.exact, scale });
    }
    triggerThresholds.push(...tr.thresholds);
    const timeTriggered = tr.thresholds.length > 0;
    const stateTriggered = slotsRead(`${tr.exact} ${tr.right}`, 'x').length > 0;
    if (timeTriggered) features.add('events (time)');
    if (stateTriggered) features.add('events (species)');
    if (!timeTriggered && !stateTriggered) features.add('events');
    events.push({
      id,
      triggerExact: tr.exact,
      triggerRight: tr.right,
      // SBML Level 2 has no initialValue: a trigger true at t0 does not fire (as libSBML's L2 -> L3 conversion).
      initialValue: boolAttr(trigger, 'initialValue', true, owner),
      persistent: boolAttr(trigger, 'persistent', true, owner),
      useValuesFromTriggerTime: boolAttr(node, 'useValuesFromTriggerTime', true, owner),
      priority,
      assignments,
    });
  });

  // ------------------------------------------------------------------ reporting
  const reportConcentration = new Set<string>();
  for (const id of concentrations) {
    const s = speciesById.get(id);
    if (!s) throw new ArgumentError('options.concentrations', `options.concentrations: unknown species '${id}' (known: ${speciesIds.join(', ')})`);
    reportConcentration.add(id);
  }
  const record: { column: number; source: string }[] = [];
  speciesDefs.forEach((s, i) => {
    const size = () => resolveGlobal(s.compartment)!.exact;
    const asConcentration = reportConcentration.has(s.id);
    if (rules.has(s.id)) {
      const value = ruleTranslation(s.id).exact;
      const conc = concentrationSemantics(s);
      const source = conc === asConcentration ? value : conc ? `(${value}) * ${size()}` : `(${value}) / ${size()}`;
      record.push({ column: i, source });
    } else if (asConcentration) {
      record.push({ column: i, source: `x[${i}] / ${size()}` });
    }
  });

  // ------------------------------------------------------------------ plan
  const readsLists = lawTranslations.map((tr) => slotsRead(tr.right, 'x'));
  const readers: number[][] = speciesDefs.map(() => []);
  readsLists.forEach((reads, j) => {
    for (const s of reads) readers[s].push(j);
  });
  const dependentLists = changeLists.map((changed) => [...new Set(changed.flatMap((s) => readers[s]))].sort((a, b) => a - b));
  const reactants = csr(reactantLists);
  const changes = csr(changeLists);
  const reads = csr(readsLists);
  const dependents = csr(dependentLists);
  const plan: CompiledModel = {
    species: speciesIds,
    reactionNames: reactionDefs.map((r) => r.id),
    parameterNames: pIds,
    parameterValues: p0,
    initial: x0,
    reactantStart: reactants.start,
    reactantSpecies: reactants.items,
    reactantCount: Int32Array.from(reactantCounts),
    changeStart: changes.start,
    changeSpecies: changes.items,
    changeDelta: Float64Array.from(changeDeltas),
    massActionConstant: new Float64Array(reactionDefs.length).fill(Number.NaN),
    propensitySource: lawTranslations.map((tr) => tr.right),
    readsStart: reads.start,
    readsSpecies: reads.items,
    dependentStart: dependents.start,
    dependents: dependents.items,
  };
  const thresholds = [...new Set([...lawTranslations.flatMap((tr) => tr.thresholds), ...triggerThresholds])];
  let sbmlPlan: SbmlPlan = plan;
  if (events.length > 0 || thresholds.length > 0 || record.length > 0) {
    const triggerReads = events.map((e) => new Set(slotsRead(`${e.triggerExact} ${e.triggerRight}`, 'x')));
    const triggerLists = changeLists.map((changed) => events.flatMap((_, k) => (changed.some((s) => triggerReads[k].has(s)) ? [k] : [])));
    const triggerCsr = csr(triggerLists);
    const extension: SbmlExtension = {
      version: 1,
      propensity: lawTranslations.map((tr) => tr.right),
      thresholds,
      thresholdsReadSpecies: thresholds.some((h) => slotsRead(h, 'x').length > 0),
      events,
      triggerStart: triggerCsr.start,
      triggers: triggerCsr.items,
      record,
    };
    sbmlPlan = { ...plan, sbml: extension };
  }
  return {
    id: modelId,
    name: model.attrs.name,
    level,
    version,
    plan: sbmlPlan,
    species: speciesDefs.map((s, i) => ({
      id: s.id,
      name: s.name,
      compartment: s.compartment,
      hasOnlySubstanceUnits: s.hosu,
      boundaryCondition: s.boundary,
      constant: s.constant,
      initialAmount: x0[i],
      reportedAsConcentration: reportConcentration.has(s.id),
    })),
    features: [...features],
    propensities,
  };
}

/**
 * Whether `text` looks like an SBML document (an `<sbml` root after the XML declaration and comments): a cheap
 * format check for tools that accept both SBML and the reaction DSL.
 *
 * @example
 * ```ts
 * looksLikeSbml('<?xml version="1.0"?>\n<sbml level="3" version="2">'); // true
 * looksLikeSbml('X -> 0 @ 1\nX = 10'); // false
 * ```
 */
export function looksLikeSbml(text: string): boolean {
  if (typeof text !== 'string') throw new ArgumentTypeError('text', `text must be a string; got ${typeof text}`);
  return /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z_][\w.-]*:)?sbml[\s>/]/.test(text.slice(0, 4096));
}
