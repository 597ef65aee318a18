import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, ModelError, SimulationError, simulate } from '../src/index.ts';
import { loadSbml, SbmlError } from '../src/sbml.ts';
import { apply, ci, cn, compartmentAndSpecies, event, math, reaction, sbml, time } from './sbml-helpers.ts';

const suite = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/sbml-dsmts');
const fromSuite = ['00019/00019-sbml-l3v2.xml', '00029/00029-sbml-l2v4.xml', '00033/00033-sbml-l3v1.xml', '00027/00027-sbml-l3v2.xml']
  .map((f) => join(suite, f))
  .filter(existsSync)
  .map((f) => readFileSync(f, 'utf8'));

// Documents that exercise the whole importer even where the shared cases are absent.
const functions = `<listOfFunctionDefinitions><functionDefinition id="f">${math(`<lambda><bvar>${ci('a')}</bvar>${apply('times', cn(2), ci('a'))}</lambda>`)}</functionDefinition></listOfFunctionDefinitions>`;
const seeds = [
  ...fromSuite,
  sbml(`${functions}${compartmentAndSpecies({ X: 10, Y: 0 }, 2, false)}
    <listOfParameters><parameter id="k" value="0.5" constant="false"/></listOfParameters>
    <listOfInitialAssignments><initialAssignment symbol="Y">${math(apply('times', cn(3), ci('X')))}</initialAssignment></listOfInitialAssignments>
    <listOfReactions>${reaction('R', { X: 1 }, { Y: 2 }, `<apply><ci> f </ci>${apply('times', ci('k'), ci('X'))}</apply>`)}
      ${reaction('S', {}, { X: 1 }, `<piecewise><piece>${cn(5)}${apply('lt', time, cn(0.5))}</piece><otherwise>${cn(1)}</otherwise></piecewise>`)}</listOfReactions>
    <listOfEvents>${event('e', apply('gt', ci('Y'), cn(40)), { k: cn(0.1), X: cn(3) })}${event('tick', apply('geq', time, cn(0.3)), { Y: cn(0) })}</listOfEvents>`),
  sbml(`${compartmentAndSpecies({ A: 5, B: 1 })}<listOfParameters><parameter id="c" value="1"/></listOfParameters>
    <listOfRules><assignmentRule variable="B">${math(apply('plus', ci('A'), cn(1)))}</assignmentRule></listOfRules>
    <listOfReactions>${reaction('d', { A: 1 }, {}, apply('times', ci('c'), ci('A')), '<listOfParameters><parameter id="c" value="2"/></listOfParameters>')}</listOfReactions>`, 2, 4),
];

const ATTRIBUTE_VALUES = ['', '-1', '0', '1e400', 'NaN', 'abc', 'true', 'false', 'X', 'k', '2.5', '  ', '<', '&amp;', '1e-320'];

/** A mutation of an SBML text, chosen by fast-check. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), char: fc.integer({ min: 32, max: 126 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('attribute' as const), at: fc.nat(), value: fc.constantFrom(...ATTRIBUTE_VALUES) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** Complete elements `<tag ...>...</tag>` or `<tag .../>` without nested same-name tags (good enough to mutate). */
function elements(text: string): [number, number][] {
  const found: [number, number][] = [];
  for (const m of text.matchAll(/<([A-Za-z][\w:]*)\b[^<>]*?(\/>|>[\s\S]*?<\/\1>)/g)) found.push([m.index, m.index + m[0].length]);
  return found;
}

function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case 'flip': {
      const at = m.at % text.length;
      return text.slice(0, at) + String.fromCharCode(m.char) + text.slice(at + 1);
    }
    case 'truncate':
      return text.slice(0, m.at % text.length);
    case 'delete':
    case 'duplicate': {
      const list = elements(text);
      if (list.length === 0) return text;
      const [from, to] = list[m.at % list.length];
      return m.kind === 'delete' ? text.slice(0, from) + text.slice(to) : text.slice(0, to) + text.slice(from, to) + text.slice(to);
    }
    case 'attribute': {
      const attrs = [...text.matchAll(/\s[\w:]+="([^"]*)"/g)];
      if (attrs.length === 0) return text;
      const a = attrs[m.at % attrs.length];
      const start = a.index + a[0].indexOf('"') + 1;
      return text.slice(0, start) + m.value.replace(/"/g, '') + text.slice(start + a[1].length);
    }
  }
}

/**
 * The only acceptable failures: the package's own typed errors. A raw RangeError (e.g. a stack overflow) or TypeError
 * is a bug, so neither counts as clean, and neither do the argument errors (the options here are all valid).
 */
function isCleanError(error: unknown): boolean {
  return error instanceof SbmlError || error instanceof ModelError || error instanceof SimulationError;
}

describe('SBML import under mutation (fuzz)', () => {
  it('has seed documents that load and run', () => {
    expect(seeds.length).toBeGreaterThanOrEqual(2);
    for (const text of seeds) expect(() => simulate(loadSbml(text).plan, { tEnd: 1, steps: 4, rng: createRng(1) })).not.toThrow();
  });

  it('fails only with typed errors, never a crash or a hang', () => {
    // Each case: 1-3 mutations of a seed document, then load and a short bounded run (tEnd 1, at most 20,000
    // reactions/stops) so no mutated model can run long. Anything but a typed error fails the property.
    fc.assert(
      fc.property(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), (which, mutations) => {
        const text = mutations.reduce(mutate, seeds[which]);
        let model: ReturnType<typeof loadSbml>;
        let values: Float64Array;
        try {
          model = loadSbml(text);
          values = simulate(model.plan, { tEnd: 1, steps: 4, rng: createRng(7), maxEvents: 20_000, maxPopulation: 1e9 }).values;
        } catch (error) {
          if (!isCleanError(error)) throw new Error(`untyped failure ${String(error)} for mutations ${JSON.stringify(mutations)}`, { cause: error });
          return;
        }
        // Columns of species set by reactions and events are amounts; those computed by rules may be anything.
        const computed = new Set(model.plan.sbml?.record.map((r) => r.column) ?? []);
        const S = model.species.length;
        values.forEach((v, i) => {
          if (!computed.has(i % S) && v < 0) throw new Error(`negative amount ${v} of '${model.species[i % S].id}' for mutations ${JSON.stringify(mutations)}`);
        });
      }),
      { numRuns: 600, seed: 20_240_509 },
    );
  });

  it('reports a malformed document with the position of the problem', () => {
    expect(() => loadSbml(seeds[0].slice(0, seeds[0].length / 2))).toThrow(/malformed XML at line \d+, column \d+/);
  });
});

// ---------------------------------------------------------------------------------------------- generated models

const IDS = ['A', 'B', 'C'];
const PARAMS = ['k', 'vmax', 'Km'];

/** Mostly ordinary choices, sometimes a hostile one, so that both outcomes stay common. */
function mostly<T>(ordinary: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 6, arbitrary: ordinary }, { weight: 1, arbitrary: hostile });
}

const mathml: fc.Arbitrary<string> = fc.letrec<{ m: string }>((tie) => ({
  m: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 10, arbitrary: mostly(fc.constantFrom(...IDS, ...PARAMS, 'a0').map(ci), fc.constantFrom('nosuch', 'R').map(ci)) },
    { weight: 6, arbitrary: mostly(fc.constantFrom(0, 1, 2, 0.5, 10), fc.constantFrom(-1, 'NaN', 'INF', 1e308, -1e-320)).map(cn) },
    {
      weight: 6,
      arbitrary: fc.tuple(fc.constantFrom('plus', 'times', 'minus', 'divide', 'power', 'max', 'gt', 'and'), fc.array(tie('m'), { minLength: 1, maxLength: 3 }))
        .map(([op, args]) => apply(op, ...args)),
    },
    // Issue #20: kinetic laws of thousands of terms must load; `vmax * S / (Km + S)` on a reaction whose reactant is gone.
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 2100 }).map((n) => apply('plus', ...Array(n).fill(apply('times', cn(0.001), ci('A'))))) },
    { weight: 2, arbitrary: fc.constantFrom(...IDS).map((s) => apply('divide', apply('times', ci('vmax'), ci(s)), apply('plus', ci('Km'), ci(s)))) },
    { weight: 1, arbitrary: fc.constantFrom(apply('lt', time, cn(0.5)), apply('geq', time, cn(0.2))) },
  ),
})).m;

const amount = mostly(fc.constantFrom('0', '1', '5', '40'), fc.constantFrom('-5', '2.5', '1e20', '1e308', '9007199254740993', '-0.5'));
const stoichiometry = mostly(fc.constantFrom(1, 1, 2), fc.constantFrom(0, 3, 4294967296));
const terms = fc.dictionary(fc.constantFrom(...IDS), stoichiometry, { maxKeys: 2 });
const model = fc.record({
  amounts: fc.tuple(amount, amount, amount),
  concentration: fc.boolean(),
  reactions: fc.array(fc.tuple(terms, terms, mathml), { minLength: 1, maxLength: 4 }),
  chain: mostly(fc.constant(0), fc.constantFrom(1, 5, 60, 1000)),
  event: fc.option(fc.tuple(fc.constantFrom(...IDS), mostly(fc.constantFrom(0, 3), fc.constantFrom(-2, 1e20)))),
});

/** An SBML document from a generated description: species A-C, parameters, an optional rule chain a0 <- ... <- A. */
function document(m: typeof model extends fc.Arbitrary<infer T> ? T : never): string {
  const species = IDS.map((id, i) => `<species id="${id}" compartment="cell" ${m.concentration && i === 0 ? 'initialConcentration' : 'initialAmount'}="${m.amounts[i]}" hasOnlySubstanceUnits="${!m.concentration}" boundaryCondition="false" constant="false"/>`).join('');
  const chainParams = Array.from({ length: m.chain }, (_, i) => `<parameter id="a${i}" constant="false"/>`).join('');
  const params = `<parameter id="k" value="0.5"/><parameter id="vmax" value="20"/><parameter id="Km" value="5"/>${m.chain === 0 ? '<parameter id="a0" value="1"/>' : chainParams}`;
  const rules = Array.from({ length: m.chain }, (_, i) => `<assignmentRule variable="a${i}">${math(i === m.chain - 1 ? ci('A') : apply('plus', ci(`a${i + 1}`), cn(1)))}</assignmentRule>`).join('');
  const reactions = m.reactions.map(([l, r, law], i) => reaction(`R${i}`, l, r, law)).join('');
  const events = m.event ? `<listOfEvents>${event('e', apply('gt', time, cn(0.3)), { [m.event[0]]: cn(m.event[1]) })}</listOfEvents>` : '';
  return sbml(`<listOfCompartments><compartment id="cell" size="2" constant="true"/></listOfCompartments><listOfSpecies>${species}</listOfSpecies>
    <listOfParameters>${params}</listOfParameters>${rules ? `<listOfRules>${rules}</listOfRules>` : ''}<listOfReactions>${reactions}</listOfReactions>${events}`);
}

describe('SBML import of generated models (fuzz)', () => {
  it('fails only with typed errors and never records a negative amount', () => {
    // Every species here is changed by reactions or events only (no rules), so every recorded value is an amount.
    let loaded = 0;
    fc.assert(
      fc.property(model, (m) => {
        let values: Float64Array;
        try {
          values = simulate(loadSbml(document(m)).plan, { tEnd: 1, steps: 4, rng: createRng(3), maxEvents: 5000, maxPopulation: 1e9 }).values;
        } catch (error) {
          if (!isCleanError(error)) throw new Error(`untyped failure ${String(error)} for ${JSON.stringify(m).slice(0, 400)}`, { cause: error });
          return;
        }
        loaded++;
        for (const v of values) if (v < 0) throw new Error(`negative amount ${v} for ${JSON.stringify(m).slice(0, 400)}`);
      }),
      { numRuns: 200, seed: 2026 },
    );
    // Not vacuous: a good share of the generated models load and run.
    expect(loaded).toBeGreaterThan(20);
  });
});
