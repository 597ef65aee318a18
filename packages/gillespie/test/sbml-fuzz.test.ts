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
        try {
          const model = loadSbml(text);
          simulate(model.plan, { tEnd: 1, steps: 4, rng: createRng(7), maxEvents: 20_000, maxPopulation: 1e9 });
        } catch (error) {
          if (!isCleanError(error)) throw new Error(`untyped failure ${String(error)} for mutations ${JSON.stringify(mutations)}`, { cause: error });
        }
      }),
      { numRuns: 600, seed: 20_240_509 },
    );
  });

  it('reports a malformed document with the position of the problem', () => {
    expect(() => loadSbml(seeds[0].slice(0, seeds[0].length / 2))).toThrow(/malformed XML at line \d+, column \d+/);
  });
});
