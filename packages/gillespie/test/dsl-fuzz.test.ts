import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, ModelError, parseModel, SSA_METHODS, SimulationError, simulate } from '../src/index.ts';

/**
 * Property-based fuzzing of the reaction DSL (issue #20, "keep it from coming back"): random models built from the
 * grammar with hostile values (negative, huge, non-finite amounts and rates; large stoichiometry; long sums; deep
 * nesting; rate laws that stay positive without reactants), then random character damage. The only acceptable
 * outcomes are success, with every recorded amount a non-negative integer, or the package's own typed error
 * (ModelError and its subclasses for bad text, SimulationError for a rate law that goes bad during a run).
 */

const SPECIES = ['X', 'Y', 'Z'];
const PARAMETERS = ['k', 'vmax', 'Km'];
const NUMBERS = ['0', '1', '2', '0.5', '3'];
const HOSTILE_NUMBERS = ['-1', '1e20', '1e308', '9007199254740993', '2^53', '1e-320', 'NaN', 'Infinity', '3.7'];

/** Mostly ordinary choices, sometimes a hostile one, so that both outcomes stay common. */
function mostly<T>(ordinary: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 6, arbitrary: ordinary }, { weight: 1, arbitrary: hostile });
}

const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: mostly(fc.constantFrom(...NUMBERS, ...SPECIES, ...PARAMETERS), fc.constantFrom(...HOSTILE_NUMBERS)) },
    { weight: 3, arbitrary: fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '^', '<', '>=', '==', 'and', 'or'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`) },
    { weight: 1, arbitrary: tie('e').map((a) => `(${a})`) },
    { weight: 1, arbitrary: tie('e').map((a) => `-${a}`) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('exp', 'log', 'sqrt', 'abs', 'floor', 'min', 'max', 'pow', 'nosuch'), fc.array(tie('e'), { minLength: 1, maxLength: 3 }))
        .map(([f, args]) => `${f}(${args.join(', ')})`),
    },
    { weight: 1, arbitrary: fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, a, b]) => `${c} ? ${a} : ${b}`) },
    // Long sums must work (issue #20: 2,000 terms overflowed the stack); deep nesting must fail typed.
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom(...SPECIES, '0.001')).map(([n, term]) => Array(n).fill(term).join(' + ')) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => `${'('.repeat(n)}X${')'.repeat(n)}`) },
  ),
})).e;

const coefficient = mostly(fc.constantFrom('', '', '1 ', '2 ', '3 '), fc.constantFrom('0 ', '4294967296 ', '171 '));
const side = fc.oneof(
  fc.constant('0'),
  fc.array(fc.tuple(coefficient, fc.constantFrom(...SPECIES)), { minLength: 1, maxLength: 3 }).map((terms) => terms.map(([n, s]) => `${n}${s}`).join(' + ')),
);

const line = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(side, side, expression).map(([l, r, rate]) => `${l} -> ${r} @ ${rate}`) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom(...SPECIES), mostly(fc.constantFrom('0', '5', '40', '2^53 - 1'), fc.constantFrom(...HOSTILE_NUMBERS)))
      .map(([s, v]) => `${s} = ${v}`),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PARAMETERS), expression).map(([p, v]) => `${p} = ${v}`) },
);

const damage = fc.array(fc.record({ at: fc.nat(), char: fc.constantFrom('', '@', '-', '>', '(', ')', '#', '=', ' ', '\n', '2', 'X', ':', '∅') }), { maxLength: 2 });

function damaged(text: string, edits: { at: number; char: string }[]): string {
  let out = text;
  for (const { at, char } of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    out = out.slice(0, i) + char + out.slice(i + 1);
  }
  return out;
}

function check(text: string, method: (typeof SSA_METHODS)[number]): void {
  let model: ReturnType<typeof parseModel>;
  try {
    model = parseModel(text);
  } catch (error) {
    if (error instanceof ModelError) return;
    throw new Error(`untyped parse failure ${String(error)} for ${JSON.stringify(text.slice(0, 300))}`, { cause: error });
  }
  try {
    const tr = simulate(model, { tEnd: 1, steps: 4, rng: createRng(9), method, maxEvents: 5000, maxPopulation: 1e9 });
    for (const v of tr.values) {
      // Unreached rows of capped runs are NaN; every recorded amount is a count.
      if (!Number.isNaN(v) && !(Number.isInteger(v) && v >= 0)) throw new Error(`amount ${v} recorded for ${JSON.stringify(text.slice(0, 300))}`);
    }
  } catch (error) {
    if (error instanceof ModelError || error instanceof SimulationError) return;
    throw error instanceof Error && error.message.startsWith('amount ')
      ? error
      : new Error(`untyped simulation failure ${String(error)} for ${JSON.stringify(text.slice(0, 300))}`, { cause: error });
  }
}

describe('reaction DSL under fuzzing', () => {
  it('fails only with typed errors and never records a negative or fractional amount', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), damage, fc.constantFrom(...SSA_METHODS), (lines, edits, method) => {
        check(damaged(lines.join('\n'), edits), method);
      }),
      { numRuns: 400, seed: 2020 },
    );
  });

  it('the generator reaches both outcomes (the property is not vacuous)', () => {
    const outcomes = { ok: 0, error: 0 };
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        try {
          simulate(parseModel(lines.join('\n')), { tEnd: 1, steps: 2, rng: createRng(1), maxEvents: 1000, maxPopulation: 1e9 });
          outcomes.ok++;
        } catch {
          outcomes.error++;
        }
      }),
      { numRuns: 200, seed: 7 },
    );
    expect(outcomes.ok).toBeGreaterThan(10);
    expect(outcomes.error).toBeGreaterThan(10);
  });
});
