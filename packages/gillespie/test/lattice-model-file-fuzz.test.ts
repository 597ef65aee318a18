import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ArgumentTypeError, ModelError, SimulationError } from '../src/errors.ts';
import { createRng } from '../src/rng.ts';
import { type LatticeConfig, latticeConfigFromFile, parseLatticeModel, parseLatticeModelData, prepareLatticeConfig, simulateLattice } from '../src/lattice.ts';

/**
 * Property-based fuzzing of lattice model files (issue #20, "keep it from coming back"): the bundled examples, damaged
 * character by character, line by line and value by value (text form), and with hostile values put anywhere in their
 * JSON form. The only acceptable outcomes are success — the configuration then prepares and, when small, simulates a
 * few steps — or the package's own typed error (ModelError and its subclasses LatticeModelFileError /
 * LatticeSchemeError for the file, ArgumentError / ArgumentTypeError for values the library refuses,
 * SimulationError during a run). A raw TypeError, RangeError or stack overflow fails the test.
 */
const examplesDir = new URL('../examples/lattice/', import.meta.url);
const examples = readdirSync(examplesDir)
  .filter((name) => name.endsWith('.lattice'))
  .map((name) => ({ name, text: readFileSync(new URL(name, examplesDir), 'utf8') }));

const HOSTILE_TOKENS = ['-1', '0', '1.5', '1e309', '1e20', 'NaN', 'Infinity', '9007199254740993', '-0', '2^8', '[', ']', '=', ',', '@', '#', '->', '+', 'x', ':', '\u0000', 'é', ''];
const HOSTILE_VALUES: unknown[] = [null, -1, 0, 0.5, 1.5, 1e308, -1e308, 1e20, '', 'A', 'Z', 'x', [], [1], [-1, 2], {}, { min: 2, max: 1 }, true];

function ownError(error: unknown): boolean {
  return error instanceof ModelError || error instanceof ArgumentError || error instanceof ArgumentTypeError || error instanceof SimulationError;
}

/**
 * A run is simulated only when its work is bounded (about 10^6 events and 10^7 Gibbs updates): a mutant with a hop
 * rate of 1e20 or 10^9 sweeps is valid input that would merely run for ages, which is not what this test is about.
 */
function cheap(config: LatticeConfig): boolean {
  const sites = config.shape.reduce((a, b) => a * b, 1);
  const span = config.dt * config.steps;
  const rates = [...Object.values(config.model.diffusion ?? {}), ...config.model.reactions.map((r) => ('rate' in r ? (r.rate ?? 0) : 0))];
  const fastest = Math.max(0, ...rates);
  const ic = config.initial as { type?: string; sweeps?: number };
  const sweeps = ic.type === 'boltzmann' ? (ic.sweeps ?? 0) : 0;
  return sites <= 20_000 && sites * fastest * span <= 1e6 && sites * config.steps <= 1e6 && sites * sweeps <= 1e7;
}

/** Parses, builds and (when small) runs a mutant on both schemes; returns the unexpected error, if any. */
function exercise(parse: () => ReturnType<typeof parseLatticeModel>): unknown {
  try {
    const parsed = parse();
    for (const scheme of ['paper', 'exact'] as const) {
      try {
        const { config } = latticeConfigFromFile(parsed, { scheme, steps: 3 });
        const prepared = prepareLatticeConfig(config);
        if (cheap(config)) simulateLattice(prepared, createRng(1, 0), { recordSnapshots: false });
      } catch (error) {
        if (!ownError(error)) return error;
      }
    }
  } catch (error) {
    if (!ownError(error)) return error;
  }
  return undefined;
}

const textMutation = fc.oneof(
  // replace, insert or delete characters at random positions
  fc.record({ kind: fc.constant('chars' as const), edits: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE_TOKENS), fc.boolean()), { minLength: 1, maxLength: 4 }) }),
  // replace the k-th number of the file by a hostile token
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), token: fc.constantFrom(...HOSTILE_TOKENS) }),
  // delete, duplicate or swap lines
  fc.record({ kind: fc.constant('lines' as const), a: fc.nat(), b: fc.nat(), op: fc.constantFrom('delete', 'duplicate', 'swap') }),
);

// biome-ignore lint/suspicious/noExplicitAny: the three mutation shapes of textMutation
function mutateText(text: string, m: any): string {
  if (m.kind === 'chars') {
    let out = text;
    for (const [at, token, replace] of m.edits as [number, string, boolean][]) {
      const i = at % (out.length + 1);
      out = out.slice(0, i) + token + out.slice(replace ? i + 1 : i);
    }
    return out;
  }
  if (m.kind === 'number') {
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)];
    if (numbers.length === 0) return text;
    const hit = numbers[m.at % numbers.length];
    return text.slice(0, hit.index) + m.token + text.slice(hit.index! + hit[0].length);
  }
  const lines = text.split('\n');
  const a = m.a % lines.length;
  const b = m.b % lines.length;
  if (m.op === 'delete') lines.splice(a, 1);
  else if (m.op === 'duplicate') lines.splice(a, 0, lines[a]);
  else [lines[a], lines[b]] = [lines[b], lines[a]];
  return lines.join('\n');
}

/** Puts `value` at the `at`-th node (depth-first) of a JSON tree. */
function mutateJson(root: unknown, at: number, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      slots.push([node as Record<string, unknown>, Array.isArray(node) ? Number(key) : key]);
      walk((node as Record<string, unknown>)[key]);
    }
  };
  walk(copy);
  if (slots.length === 0) return copy;
  const [parent, key] = slots[at % slots.length];
  (parent as Record<string | number, unknown>)[key] = value;
  return copy;
}

describe('lattice model files under fuzzing: success or a typed error, never a crash', () => {
  it('every example parses, builds and runs unchanged (the control)', () => {
    for (const { name, text } of examples) expect(exercise(() => parseLatticeModel(text, { source: name }))).toBeUndefined();
  });

  it('text form: damaged characters, numbers and lines', () => {
    fc.assert(
      fc.property(fc.nat(examples.length - 1), textMutation, (which, m) => {
        const { name, text } = examples[which];
        const unexpected = exercise(() => parseLatticeModel(mutateText(text, m), { source: name, format: 'text' }));
        expect(unexpected, String(unexpected)).toBeUndefined();
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('JSON form: a hostile value anywhere in the data', () => {
    fc.assert(
      fc.property(fc.nat(examples.length - 1), fc.nat(), fc.constantFrom(...HOSTILE_VALUES), (which, at, value) => {
        const { name, text } = examples[which];
        const data = mutateJson(JSON.parse(JSON.stringify(parseLatticeModel(text, { source: name }).file)), at, value);
        const unexpected = exercise(() => parseLatticeModelData(data, name));
        expect(unexpected, String(unexpected)).toBeUndefined();
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });
});
