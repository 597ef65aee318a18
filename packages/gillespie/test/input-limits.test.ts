import { describe, expect, it } from 'vitest';
import { compileModel, createRng, ModelBuilder, ModelError, ModelSyntaxError, parseModel, simulate, validateModel } from '../src/index.ts';
import { loadSbml, SbmlError, SbmlUnsupportedError } from '../src/sbml.ts';
import type { Ast } from '../src/sbml/mathml.ts';
import { translateAst, variable } from '../src/sbml/translate.ts';
import { apply, ci, cn, math, reaction, sbml } from './sbml-helpers.ts';

/** One species X in compartment C with the given attributes, decaying at rate 0.1 X. */
function speciesDoc(attributes: string, extra = ''): string {
  return sbml(`<listOfCompartments><compartment id="C" size="1" constant="true"/></listOfCompartments>
    <listOfSpecies><species id="X" compartment="C" ${attributes} hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>
    <species id="Y" compartment="C" initialAmount="0" hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/></listOfSpecies>
    ${extra}<listOfReactions>${reaction('R', { X: 1 }, { Y: 1 }, apply('times', cn(0.1), ci('X')))}</listOfReactions>`);
}

describe('initial amounts are non-negative integers that a double holds exactly', () => {
  it('SBML: rejects negative initial amounts and concentrations, naming the species', () => {
    // Issue #20: an L3V2 X -> Y with Y initialAmount="-5" simulated Y from -5.
    expect(() => loadSbml(speciesDoc('initialAmount="-5"'))).toThrow(SbmlError);
    expect(() => loadSbml(speciesDoc('initialAmount="-5"'))).toThrow(/species 'X': the initial amount must be a non-negative integer; got -5/);
    expect(() => loadSbml(speciesDoc('initialConcentration="-0.5"'))).toThrow(/species 'X': the initial amount .*got -0.5/);
    const assigned = speciesDoc('initialAmount="3"', `<listOfInitialAssignments><initialAssignment symbol="X">${math(apply('minus', cn(0), cn(7)))}</initialAssignment></listOfInitialAssignments>`);
    expect(() => loadSbml(assigned)).toThrow(/species 'X': the initial amount .*got -7/);
  });

  it('SBML: rejects amounts above 2^53 - 1 (silently rounded before) and 1e308 (a mean of Infinity before)', () => {
    for (const value of ['9007199254740993', '1e20', '1e308']) {
      expect(() => loadSbml(speciesDoc(`initialAmount="${value}"`))).toThrow(/species 'X': the initial amount is .* above 2\^53 − 1 = 9007199254740991/);
    }
    expect(loadSbml(speciesDoc('initialAmount="9007199254740991"')).species[0].initialAmount).toBe(9007199254740991);
  });

  it('SBML: rejects a stoichiometry beyond 32-bit integers', () => {
    const doc = speciesDoc('initialAmount="5"').replace('stoichiometry="1"', 'stoichiometry="4294967296"');
    expect(() => loadSbml(doc)).toThrow(SbmlUnsupportedError);
    expect(() => loadSbml(doc)).toThrow(/reaction 'R': the stoichiometry of species 'X' is 4294967296/);
  });

  it('DSL: rejects amounts above 2^53 - 1 with line and column', () => {
    expect(() => parseModel('X -> 0 @ 1\nX = 1e20')).toThrow(ModelSyntaxError);
    expect(() => parseModel('X -> 0 @ 1\nX = 1e20')).toThrow(/model:2:5: initial amount of species 'X' is 100000000000000000000, above 2\^53 − 1/);
    expect(() => parseModel('X -> 0 @ 1\nX = 2^53')).toThrow(/above 2\^53 − 1/);
    expect(parseModel('X -> 0 @ 1\nX = 2^53 - 1').species[0].initial).toBe(2 ** 53 - 1);
    expect(() => parseModel('X -> 0 @ 1\nX = -5')).toThrow(/initial amount of species 'X' must be a non-negative integer; got -5/);
  });

  it('DSL: rejects a stoichiometry beyond 32-bit integers (it wrapped to 0 before)', () => {
    expect(() => parseModel('4294967296 X -> 0 @ 1\nX = 5')).toThrow(/model:1:1: stoichiometry of 'X' is 4294967296, above the largest supported/);
  });

  it('builder and validateModel apply the same limits', () => {
    expect(() => new ModelBuilder().species('X', 2 ** 53)).toThrow(/species 'X': initial amount is 9007199254740992, above 2\^53 − 1/);
    expect(() => validateModel({ species: [{ name: 'X', initial: 1e300 }], parameters: [], reactions: [] })).toThrow(ModelError);
    expect(() => new ModelBuilder().species('X', 1).reaction({ reactants: { X: 2 ** 31 }, products: {}, rate: 1 })).toThrow(/reactant count of 'X' is 2147483648/);
  });

  it('refuses mass action whose m! overflows instead of never firing', () => {
    const model = parseModel('171 X -> 0 @ 1\nX = 200');
    expect(() => compileModel(model)).toThrow(/reaction 'r1': mass action with a reactant stoichiometry above 170/);
  });

  it('caps maxPopulation at 2^53 - 1', () => {
    const model = parseModel('X -> 2 X @ 1\nX = 1');
    expect(() => simulate(model, { tEnd: 1, rng: createRng(1), maxPopulation: 1e300 })).toThrow(RangeError);
    expect(() => simulate(model, { tEnd: 1, rng: createRng(1), maxPopulation: 1e300 })).toThrow(/maxPopulation must be .* up to 2\^53 − 1/);
  });
});

describe('error messages echo at most 80 characters of the input', () => {
  it('DSL: a 40 KB expression or name is not repeated whole', () => {
    const long = `X -> 0 @ ${'k + '.repeat(10_000)}\nX = 1`;
    const message = (() => {
      try {
        parseModel(long);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message.length).toBeLessThan(300);
    expect(message).toMatch(/\(\d+ characters\)/);
    expect(() => parseModel(`${'9'.repeat(5000)}X -> 0 @ 1`)).toThrow(ModelSyntaxError);
    for (const text of [`${'é'.repeat(5000)} -> 0 @ 1`, `${'é'.repeat(5000)} = 1`]) {
      try {
        parseModel(text);
      } catch (error) {
        expect((error as Error).message.length).toBeLessThan(300);
      }
    }
  });

  it('SBML: an expression that fails to translate is not repeated whole', () => {
    // 200 nested negations around a sum of 3,000 terms (built as a tree: the XML reader stops nesting earlier).
    let ast: Ast = { k: 'op', op: 'plus', args: Array.from({ length: 3000 }, () => ({ k: 'ci', name: 'X' }) as Ast) };
    for (let i = 0; i < 200; i++) ast = { k: 'op', op: 'minus', args: [ast] };
    const resolve = (name: string) => (name === 'X' ? variable('x[0]', 'X') : undefined);
    try {
      translateAst(ast, resolve, { element: 'reaction', id: 'R' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SbmlError);
      expect((error as Error).message).toMatch(/^reaction 'R': invalid expression .*\(\d+ characters\).*nested (too deeply|more than 300 levels)/);
      expect((error as Error).message.length).toBeLessThan(600);
    }
  });
});
