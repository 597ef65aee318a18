/**
 * SBML Level 3 Version 2 export of well-mixed reaction models, and the way back to a {@link ReactionModel}.
 *
 * The exported document has the stochastic reading that {@link loadSbml} (and the SBML discrete stochastic test
 * suite) gives SBML: every species is an amount (`hasOnlySubstanceUnits="true"`) in one compartment of size 1, and
 * every kinetic law is the propensity in events per unit time. A mass-action reaction with constant c is written
 * with its combinatorics, c · Π n(n−1)…(n−m+1) / m!, so other SBML tools simulate the same process. Each reaction
 * also carries its rate as written in the reaction DSL in an `<annotation>` (namespace {@link SRN_SBML_NAMESPACE}),
 * which {@link reactionModelFromSbml} uses to restore mass-action constants exactly.
 *
 * @packageDocumentation
 */
import { type MathNode, parse } from 'mathjs';
import { compileModel } from '../compile.ts';
import { type Reaction, type ReactionModel, type StoichiometryTerm, validateModel } from '../model.ts';
import { SbmlUnsupportedError } from './errors.ts';
import { loadSbml } from './load.ts';
import { childNamed, childrenNamed, parseXml, type XNode } from './xml.ts';

/**
 * Namespace of the per-reaction annotation that records the DSL rate (kind and expression).
 *
 * @example
 * ```ts
 * modelToSbml(parseModel('X -> 0 @ 1\nX = 5')).includes(SRN_SBML_NAMESPACE); // true
 * ```
 */
export const SRN_SBML_NAMESPACE = 'urn:srn:sbml:reaction-rate:1';

/** Options of {@link modelToSbml}. */
export interface SbmlExportOptions {
  /** The model's SBML id (an SId). Default `srn_model`. */
  readonly id?: string;
  /** A human-readable model name. Default none. */
  readonly name?: string;
}

const SID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MATHML = 'http://www.w3.org/1998/Math/MathML';

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cn(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? `<cn type="integer">${value}</cn>` : `<cn>${value}</cn>`;
}

function apply(op: string, args: readonly string[]): string {
  return `<apply><${op}/>${args.join('')}</apply>`;
}

const COMPARISONS: Record<string, string> = { '<': 'lt', '>': 'gt', '<=': 'leq', '>=': 'geq', '==': 'eq', '!=': 'neq' };
const ARITHMETIC: Record<string, string> = { '+': 'plus', '-': 'minus', '*': 'times', '/': 'divide', '^': 'power' };
const FUNCTIONS: Record<string, string> = {
  exp: 'exp', ln: 'ln', abs: 'abs', sin: 'sin', cos: 'cos', tan: 'tan', tanh: 'tanh', floor: 'floor', ceil: 'ceiling',
  pow: 'power', min: 'min', max: 'max',
};

/**
 * MathML content for an expression of the reaction DSL (already checked by `translateExpression`). Comparisons and
 * logic are booleans in MathML but 0/1 numbers in the DSL, so each side is emitted in the context it is used in.
 */
function toMathMl(text: string): string {
  const strip = (node: MathNode): MathNode =>
    node.type === 'ParenthesisNode' ? strip((node as unknown as { content: MathNode }).content) : node;
  const isBoolean = (node: MathNode): boolean => {
    const n = strip(node) as unknown as { type: string; op?: string; args?: MathNode[] };
    if (n.type !== 'OperatorNode') return false;
    return n.op! in COMPARISONS || n.op === 'and' || n.op === 'or' || n.op === 'not';
  };
  const bool = (node: MathNode): string => {
    const n = strip(node) as unknown as { type: string; op: string; args: MathNode[] };
    if (!isBoolean(n as unknown as MathNode)) return apply('neq', [num(n as unknown as MathNode), cn(0)]);
    if (n.op === 'not') return apply('not', [bool(n.args[0])]);
    if (n.op === 'and' || n.op === 'or') return apply(n.op, n.args.map(bool));
    return apply(COMPARISONS[n.op], n.args.map(num));
  };
  const num = (node: MathNode): string => {
    const n = strip(node);
    if (isBoolean(n)) return `<piecewise><piece>${cn(1)}${bool(n)}</piece><otherwise>${cn(0)}</otherwise></piecewise>`;
    switch (n.type) {
      case 'ConstantNode':
        return cn((n as unknown as { value: number }).value);
      case 'SymbolNode': {
        const name = (n as unknown as { name: string }).name;
        if (name === 'pi') return '<pi/>';
        if (name === 'e') return '<exponentiale/>';
        return `<ci>${name}</ci>`;
      }
      case 'OperatorNode': {
        const { op, args } = n as unknown as { op: string; args: MathNode[] };
        if (args.length === 1) return op === '-' ? apply('minus', [num(args[0])]) : num(args[0]);
        return apply(ARITHMETIC[op], args.map(num));
      }
      case 'ConditionalNode': {
        const c = n as unknown as { condition: MathNode; trueExpr: MathNode; falseExpr: MathNode };
        return `<piecewise><piece>${num(c.trueExpr)}${bool(c.condition)}</piece><otherwise>${num(c.falseExpr)}</otherwise></piecewise>`;
      }
      case 'FunctionNode': {
        const f = n as unknown as { fn: { name: string }; args: MathNode[] };
        const args = f.args.map(num);
        if (f.fn.name === 'log') return args.length === 1 ? apply('ln', args) : `<apply><log/><logbase>${args[1]}</logbase>${args[0]}</apply>`;
        if (f.fn.name === 'log10') return apply('log', [args[0]]);
        if (f.fn.name === 'sqrt') return apply('root', [args[0]]);
        return apply(FUNCTIONS[f.fn.name], args);
      }
      default:
        // translateExpression has already rejected every other node type.
        throw new TypeError(`unexpected expression node ${n.type}`);
    }
  };
  return `<math xmlns="${MATHML}">${num(parse(text))}</math>`;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** The propensity of a mass-action reaction: c · Π_s n_s(n_s−1)…(n_s−m_s+1) / Π m_s!. */
function massActionMathMl(constant: string, reactants: readonly StoichiometryTerm[]): string {
  const inner = toMathMl(constant).replace(/^<math[^>]*>|<\/math>$/g, '');
  const factors = [inner];
  let divisor = 1;
  for (const { species, count } of reactants) {
    factors.push(`<ci>${species}</ci>`);
    for (let j = 1; j < count; j++) factors.push(apply('minus', [`<ci>${species}</ci>`, cn(j)]));
    divisor *= factorial(count);
  }
  const product = factors.length === 1 ? inner : apply('times', factors);
  return `<math xmlns="${MATHML}">${divisor === 1 ? product : apply('divide', [product, cn(divisor)])}</math>`;
}

/**
 * Writes a reaction model as an SBML Level 3 Version 2 document (see the module notes for its stochastic reading).
 * The model is validated and its expressions checked first; errors are `ModelError` / `ModelSyntaxError` naming the
 * reaction or expression, or a `RangeError` naming a bad option.
 *
 * @example
 * ```ts
 * import { parseModel } from '@srn/gillespie';
 * import { loadSbml, modelToSbml } from '@srn/gillespie/sbml';
 * const xml = modelToSbml(parseModel('dimerise: 2 A -> B @ 0.01\nA = 100'), { id: 'dimerisation' });
 * loadSbml(xml).propensities.dimerise; // '((0.01 * A * (A - 1)) / 2)'
 * ```
 */
export function modelToSbml(model: ReactionModel, options: SbmlExportOptions = {}): string {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const modelId = options.id ?? 'srn_model';
  if (typeof modelId !== 'string' || !SID.test(modelId)) {
    throw new RangeError(`options.id must be an SBML id ([A-Za-z_][A-Za-z0-9_]*); got ${JSON.stringify(modelId)}`);
  }
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(`options.name must be a string; got ${typeof options.name}`);
  }
  validateModel(model);
  compileModel(model); // checks every expression (names, functions, finite non-negative constants)
  const taken = new Set([...model.species.map((s) => s.name), ...model.parameters.map((p) => p.name), ...model.reactions.map((r) => r.name), modelId]);
  let compartment = 'compartment';
  while (taken.has(compartment)) compartment = `${compartment}_`;

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">');
  const nameAttr = options.name === undefined ? '' : ` name="${escapeXml(options.name)}"`;
  out.push(`  <model id="${modelId}"${nameAttr} substanceUnits="item" extentUnits="item" timeUnits="second">`);
  out.push('    <listOfUnitDefinitions>');
  out.push('      <unitDefinition id="per_second"><listOfUnits><unit kind="second" exponent="-1" scale="0" multiplier="1"/></listOfUnits></unitDefinition>');
  out.push('    </listOfUnitDefinitions>');
  out.push('    <listOfCompartments>');
  out.push(`      <compartment id="${compartment}" spatialDimensions="3" size="1" constant="true"/>`);
  out.push('    </listOfCompartments>');
  out.push('    <listOfSpecies>');
  for (const s of model.species) {
    out.push(
      `      <species id="${s.name}" compartment="${compartment}" initialAmount="${s.initial}" substanceUnits="item" ` +
        'hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>',
    );
  }
  out.push('    </listOfSpecies>');
  if (model.parameters.length > 0) {
    out.push('    <listOfParameters>');
    for (const p of model.parameters) out.push(`      <parameter id="${p.name}" value="${p.value}" constant="true"/>`);
    out.push('    </listOfParameters>');
  }
  if (model.reactions.length > 0) {
    out.push('    <listOfReactions>');
    for (const r of model.reactions) out.push(reactionXml(r));
    out.push('    </listOfReactions>');
  }
  out.push('  </model>');
  out.push('</sbml>');
  return `${out.join('\n')}\n`;
}

function reactionXml(r: Reaction): string {
  const refs = (terms: readonly StoichiometryTerm[]) =>
    terms.map((t) => `<speciesReference species="${t.species}" stoichiometry="${t.count}" constant="true"/>`).join('');
  const lines = [`      <reaction id="${r.name}" reversible="false">`];
  const rate = r.rate.kind === 'mass-action' ? r.rate.constant : r.rate.expression;
  lines.push(
    `        <annotation><srn:rate xmlns:srn="${SRN_SBML_NAMESPACE}" kind="${r.rate.kind}" expression="${escapeXml(rate)}"/></annotation>`,
  );
  if (r.reactants.length > 0) lines.push(`        <listOfReactants>${refs(r.reactants)}</listOfReactants>`);
  if (r.products.length > 0) lines.push(`        <listOfProducts>${refs(r.products)}</listOfProducts>`);
  const math = r.rate.kind === 'mass-action' ? massActionMathMl(r.rate.constant, r.reactants) : toMathMl(r.rate.expression);
  lines.push(`        <kineticLaw>${math}</kineticLaw>`);
  lines.push('      </reaction>');
  return lines.join('\n');
}

/** MathML functions (as the importer names them) that the DSL has with the same arguments. */
const DSL_FUNCTIONS: Record<string, string> = {
  abs: 'abs', exp: 'exp', ln: 'ln', floor: 'floor', ceiling: 'ceil', sin: 'sin', cos: 'cos', tan: 'tan', tanh: 'tanh',
  max: 'max', min: 'min',
};

/**
 * Per reaction id: the DSL rate recorded by {@link modelToSbml}, if any, and the kinetic law's local parameters
 * (which shadow global names in the importer's readable law).
 */
function reactionExtras(root: XNode): Map<string, { rate?: { kind: string; expression: string }; locals: Map<string, number> }> {
  const extras = new Map<string, { rate?: { kind: string; expression: string }; locals: Map<string, number> }>();
  const model = childNamed(root, 'model', 'sbml', undefined);
  const list = model && childNamed(model, 'listOfReactions', 'model', model.attrs.id);
  for (const reaction of list ? childrenNamed(list, 'reaction') : []) {
    const id = reaction.attrs.id;
    if (id === undefined) continue;
    const locals = new Map<string, number>();
    const law = childNamed(reaction, 'kineticLaw', 'reaction', id);
    for (const listName of ['listOfLocalParameters', 'listOfParameters']) {
      const localList = law && childNamed(law, listName, 'kineticLaw', id);
      for (const local of localList?.children ?? []) {
        if (local.attrs.id !== undefined) locals.set(local.attrs.id, Number(local.attrs.value));
      }
    }
    extras.set(id, { locals });
    const annotation = childNamed(reaction, 'annotation', 'reaction', id);
    const rate = annotation?.children.find((c) => c.name === 'rate' && c.ns === SRN_SBML_NAMESPACE);
    if (rate?.attrs.kind && rate.attrs.expression !== undefined) {
      extras.set(id, { locals, rate: { kind: rate.attrs.kind, expression: rate.attrs.expression } });
    }
  }
  return extras;
}

/** Propensity of reaction r of a compiled plan at amounts x (the kernels' formula, evaluated once here). */
function propensityAt(plan: ReturnType<typeof compileModel>, r: number, x: Float64Array): number {
  const source = plan.propensitySource[r];
  if (source !== null) return Number(new Function('x', 'p', 't', `return ${source};`)(x, plan.parameterValues, 0));
  let a = plan.massActionConstant[r];
  for (let i = plan.reactantStart[r]; i < plan.reactantStart[r + 1]; i++) {
    const n = x[plan.reactantSpecies[i]];
    for (let j = 0; j < plan.reactantCount[i]; j++) a *= n - j;
  }
  return a;
}

/**
 * Reads an SBML document back into a {@link ReactionModel} (for `formatModel`, `compileModel` or editing). The
 * document is loaded with {@link loadSbml}, which fixes species, initial amounts, parameters and stoichiometry; a
 * reaction's rate is the DSL rate recorded by {@link modelToSbml} when that rate still gives the document's kinetic
 * law (checked at several states), and otherwise the kinetic law itself as a general propensity. Models that need
 * more than a reaction network (events, rules, time-dependent rates, functions the DSL lacks) throw {@link SbmlUnsupportedError} naming the element.
 *
 * @example
 * ```ts
 * import { formatModel, parseModel } from '@srn/gillespie';
 * import { modelToSbml, reactionModelFromSbml } from '@srn/gillespie/sbml';
 * const model = parseModel('decay: X -> 0 @ k\nk = 0.5\nX = 10');
 * formatModel(reactionModelFromSbml(modelToSbml(model))) === formatModel(model); // true
 * ```
 */
export function reactionModelFromSbml(xmlText: string): ReactionModel {
  const loaded = loadSbml(xmlText);
  const plan = loaded.plan;
  if (plan.sbml) {
    throw new SbmlUnsupportedError('model', loaded.id, 'events, rules or time-dependent rates have no reaction-network form');
  }
  const paramIndex = new Map(plan.parameterNames.map((name, i) => [name, i]));
  // A species symbol means amount / compartment size unless hasOnlySubstanceUnits (the importer's reading).
  const concentrationOf = new Map<string, string>();
  for (const s of loaded.species) {
    if (!s.hasOnlySubstanceUnits && plan.parameterValues[paramIndex.get(s.compartment) ?? -1] !== 1) {
      concentrationOf.set(s.id, `(${s.id} / ${s.compartment})`);
    }
    if (!Number.isInteger(s.initialAmount) || s.initialAmount < 0) {
      throw new SbmlUnsupportedError('species', s.id, `has initial amount ${s.initialAmount}; a reaction model needs a non-negative integer`);
    }
  }
  const extras = reactionExtras(parseXml(xmlText));
  const compartments = new Set(loaded.species.map((s) => s.compartment));
  const species = plan.species.map((name, i) => ({ name, initial: plan.initial[i] }));
  const allParameters = plan.parameterNames.map((name, i) => ({ name, value: plan.parameterValues[i] }));
  const states = [0, 1, 2].map((k) => Float64Array.from(species, (_, s) => 3 + 2 * k + ((s * 7 + k * 3) % 11)));
  /** Whether a DSL reaction gives reaction r's propensity in the loaded plan at a few states. */
  const agrees = (reaction: Reaction, r: number): boolean => {
    let single: ReturnType<typeof compileModel>;
    try {
      single = compileModel({ species, parameters: allParameters, reactions: [reaction] });
    } catch {
      return false;
    }
    return states.every((x) => {
      const a = propensityAt(single, 0, x);
      const b = propensityAt(plan, r, x);
      return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
    });
  };
  const reactions: Reaction[] = plan.reactionNames.map((id, r) => {
    const reactants: StoichiometryTerm[] = [];
    const products = new Map<number, number>();
    for (let i = plan.reactantStart[r]; i < plan.reactantStart[r + 1]; i++) {
      reactants.push({ species: plan.species[plan.reactantSpecies[i]], count: plan.reactantCount[i] });
      products.set(plan.reactantSpecies[i], plan.reactantCount[i]);
    }
    for (let i = plan.changeStart[r]; i < plan.changeStart[r + 1]; i++) {
      const s = plan.changeSpecies[i];
      products.set(s, (products.get(s) ?? 0) + plan.changeDelta[i]);
    }
    const productTerms = [...products]
      .filter(([, count]) => count > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([s, count]) => ({ species: plan.species[s], count }));
    const structure = { name: id, reactants, products: productTerms };
    // The recorded DSL rate, where it still gives the document's kinetic law.
    const recorded = extras.get(id)?.rate;
    if (recorded && (recorded.kind === 'mass-action' || recorded.kind === 'propensity')) {
      const candidate: Reaction = {
        ...structure,
        rate: recorded.kind === 'mass-action' ? { kind: 'mass-action', constant: recorded.expression } : { kind: 'propensity', expression: recorded.expression },
      };
      if (agrees(candidate, r)) return candidate;
    }
    // Otherwise the kinetic law. Local parameters become their values (the loader has checked them); the importer's
    // readable law spells MathML functions `_m_<name>`, and those the DSL has map over.
    const locals = extras.get(id)?.locals ?? new Map<string, number>();
    const law = loaded.propensities[id]
      .replace(/\b[A-Za-z_]\w*\b(?!\s*\()/g, (name) => (locals.has(name) ? `(${locals.get(name)})` : name))
      .replace(/\b_m_root\(2, /g, 'sqrt(')
      .replace(/\b_m_log\(10, /g, 'log10(')
      .replace(/\b_m_(\w+)\(/g, (whole, fn: string) => (fn in DSL_FUNCTIONS ? `${DSL_FUNCTIONS[fn]}(` : whole));
    const amountLaw = concentrationOf.size === 0 ? law : law.replace(/\b[A-Za-z_]\w*\b/g, (name) => concentrationOf.get(name) ?? name);
    if (/\b_(m|t|id)\w*/.test(amountLaw)) {
      throw new SbmlUnsupportedError('reaction', id, `the kinetic law ${law} uses functions or names the reaction DSL does not have`);
    }
    return { ...structure, rate: { kind: 'propensity', expression: amountLaw } };
  });
  // Compartments stay only where a rate reads them.
  const rateTexts = reactions.map((r) => (r.rate.kind === 'propensity' ? r.rate.expression : r.rate.constant));
  const parameters = allParameters.filter((p) => !compartments.has(p.name) || rateTexts.some((text) => new RegExp(`\\b${p.name}\\b`).test(text)));
  const restored = reactions;
  const model: ReactionModel = { species, parameters, reactions: restored };
  validateModel(model);
  return model;
}
