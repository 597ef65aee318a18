import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/index.ts';
import {
  estimateLatticeMemory,
  formatLatticeModel,
  type LatticeModelFile,
  LatticeModelFileError,
  LatticeSchemeError,
  latticeConfigFromFile,
  latticeModelJsonSchema,
  lotkaVolterraLattice,
  parseLatticeModel,
  parseLatticeModelData,
  simulateLattice,
  simulateLatticeEnsemble,
  withLatticeSections,
} from '../src/lattice.ts';

const examples = new URL('../examples/lattice/', import.meta.url);
const exampleFiles = readdirSync(examples).filter((f) => f.endsWith('.lattice'));
const readExample = (name: string) => readFileSync(new URL(name, examples), 'utf8');

const BASE = `# a small model
species: A, B
lattice: 20 x 20, closed
hop: A = 1, B = 1
A -> 0 @ 0.5
A + B -> B + B @ p = 0.4, k = 0.2
scheme: paper
time: dt = 1, steps = 10
initial: counts A = 10, B = 5
`;

/** Parses BASE with `from` replaced by `to` (or `to` appended when `from` is ''); returns the error. */
function errorOf(from: string, to: string, options: { format?: 'text' | 'json' } = {}): LatticeModelFileError {
  const text = from === '' ? BASE + to : BASE.replace(from, to);
  if (from !== '' && text === BASE) throw new Error(`'${from}' not in BASE`);
  try {
    parseLatticeModel(text, { source: 'm.lattice', ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(LatticeModelFileError);
    return error as LatticeModelFileError;
  }
  throw new Error(`no error for ${JSON.stringify(to)}`);
}

describe('lattice model files: text form', () => {
  it('parses every section and reaction shape into plain data', () => {
    const { file } = parseLatticeModel(
      `description: all kinds
species: A, B, C
lattice: 10 x 10 x 4, periodic
hop: A = 1
A -> 0 @ 1
A -> B @ k = 2
A -> A + B @ 3
A -> 2 A anywhere @ k = 4, floor = 1
0 -> C @ 5
A -> B + C @ 6
A + B -> 0 @ p = 0.5
A + A -> A @ k = 7
A + C -> 0 + C @ p = 1, k = 8
B + C -> C + B @ probability = 0.25, rate = 9
scheme: exact
time: dt = 0.5, t_end = 10
initial: boltzmann h A = [-1, 1], h B = 0.5, J A-B = -0.25, sweeps = 20, conditions = 3
observable: count A as nA
observable: pair A B at (1, 0, 0) (0, 0, 1)
observable: run C 4 axis 2
`,
      { source: 'all.lattice' },
    );
    expect(file.lattice).toEqual({ shape: [10, 10, 4], boundary: 'periodic' });
    expect(file.reactions).toEqual([
      { type: 'decay', reactant: 'A', rate: 1 },
      { type: 'conversion', reactant: 'A', product: 'B', rate: 2 },
      { type: 'birth', parent: 'A', offspring: 'B', rate: 3 },
      { type: 'birth', parent: 'A', offspring: 'A', rate: 4, placement: 'anywhere', floor: 1 },
      { type: 'immigration', product: 'C', rate: 5 },
      { type: 'splitting', reactant: 'A', products: ['B', 'C'], rate: 6 },
      { type: 'contact', reactants: ['A', 'B'], products: [null, null], probability: 0.5 },
      { type: 'contact', reactants: ['A', 'A'], products: ['A', null], rate: 7 },
      { type: 'contact', reactants: ['A', 'C'], products: [null, 'C'], probability: 1, rate: 8 },
      { type: 'contact', reactants: ['B', 'C'], products: ['C', 'B'], probability: 0.25, rate: 9 },
    ]);
    expect(file.time).toEqual({ dt: 0.5, tEnd: 10 });
    expect(file.initial).toEqual({ type: 'boltzmann', h: { A: { min: -1, max: 1 }, B: 0.5 }, J: { 'A-B': -0.25 }, sweeps: 20, conditions: 3 });
    expect(file.observables).toEqual([
      { type: 'count', species: 'A', name: 'nA' },
      { type: 'pair', species: ['A', 'B'], displacements: [[1, 0, 0], [0, 0, 1]] },
      { type: 'run', species: 'C', length: 4, axis: 2 },
    ]);
    // the formatter writes text that parses back to the same data
    expect(parseLatticeModel(formatLatticeModel(file)).file).toEqual(file);
  });

  // Every error path of the text parser and of the schema, with the line and column it must report.
  const cases: [string, string, string, number, number, RegExp][] = [
    // [title, from, to, line, column, message]
    ['unexpected character', 'A -> 0 @ 0.5', 'A -> 0 @ 0.5 $', 5, 14, /unexpected character '\$'/],
    ['unknown statement', 'hop:', 'hops:', 4, 1, /expected a reaction .* or a section/],
    ['section given twice', 'scheme: paper', 'scheme: paper\nscheme: exact', 8, 1, /'scheme:' given twice \(first on line 7\)/],
    ['empty section', 'hop: A = 1, B = 1', 'hop:', 4, 5, /expected the hop after 'hop:'/],
    ['missing sections', 'time: dt = 1, steps = 10\n', '', 9, 1, /missing 'time:'/],
    ['species list syntax', 'species: A, B', 'species: A B', 2, 12, /expected ',' or the end of the line, got 'B'/],
    ['bad species name', 'species: A, B', 'species: A, 2B', 2, 13, /expected a species name, got '2'/],
    ['species declared twice', 'species: A, B', 'species: A, B, A', 2, 16, /species\[2\] declares 'A' twice/],
    ['lattice extent missing', 'lattice: 20 x 20, closed', 'lattice: closed', 3, 10, /expected a lattice extent/],
    ['lattice bad boundary', 'lattice: 20 x 20, closed', 'lattice: 20 x 20, open', 3, 19, /expected a boundary \(periodic, closed\), got 'open'/],
    ['lattice four axes', 'lattice: 20 x 20, closed', 'lattice: 2 x 2 x 2 x 2', 3, 1, /lattice\.shape must have 1 to 3 axes/],
    ['lattice extent zero', 'lattice: 20 x 20, closed', 'lattice: 20 x 0', 3, 15, /lattice\.shape\[1\] must be >= 1; got 0/],
    ['lattice extent fractional', 'lattice: 20 x 20, closed', 'lattice: 20.5', 3, 10, /lattice\.shape\[0\] must be an integer; got 20\.5/],
    ['hop syntax', 'hop: A = 1, B = 1', 'hop: A 1', 4, 8, /expected '=' after 'A'/],
    ['hop given twice', 'hop: A = 1, B = 1', 'hop: A = 1, A = 2', 4, 13, /hop rate of 'A' given twice/],
    ['hop negative', 'hop: A = 1, B = 1', 'hop: A = -1', 4, 10, /hop\.A must be >= 0; got -1/],
    ['hop undeclared species', 'hop: A = 1, B = 1', 'hop: A = 1, Q = 1', 4, 13, /hop\.Q 'Q' is not a declared species \(A, B\)/],
    ['unknown scheme', 'scheme: paper', 'scheme: fast', 7, 9, /expected a scheme \(paper, exact\), got 'fast'/],
    ['scheme option', 'scheme: paper', 'scheme: paper, pick = uniform', 7, 16, /expected 'selection', got 'pick'/],
    ['bad pick rule', 'scheme: paper', 'scheme: paper, selection = rows', 7, 28, /expected a pick rule \(uniform, row-biased\), got 'rows'/],
    ['row-biased on exact', 'scheme: paper', 'scheme: exact, selection = row-biased', 7, 28, /'row-biased' needs scheme 'paper'/],
    ['time unknown key', 'time: dt = 1, steps = 10', 'time: dt = 1, stop = 10', 8, 15, /expected dt, steps or t_end, got 'stop'/],
    ['time key twice', 'time: dt = 1, steps = 10', 'time: dt = 1, dt = 2, steps = 3', 8, 15, /'dt' given twice/],
    ['time both', 'time: dt = 1, steps = 10', 'time: dt = 1, steps = 10, t_end = 9', 8, 1, /time needs exactly one of steps and tEnd/],
    ['time neither', 'time: dt = 1, steps = 10', 'time: dt = 1', 8, 1, /time needs exactly one of steps and tEnd/],
    ['time off grid', 'time: dt = 1, steps = 10', 'time: dt = 0.3, t_end = 1', 8, 17, /time\.tEnd is not a whole number of steps/],
    ['time dt zero', 'time: dt = 1, steps = 10', 'time: dt = 0, steps = 10', 8, 12, /time\.dt must be > 0; got 0/],
    ['time missing number', 'time: dt = 1, steps = 10', 'time: dt = , steps = 10', 8, 12, /expected a number for dt, got ','/],
    ['unknown initial kind', 'counts A = 10, B = 5', 'random A = 10', 9, 10, /expected an initial condition \(counts, densities, snapshot, boltzmann\), got 'random'/],
    ['count given twice', 'counts A = 10, B = 5', 'counts A = 10, A = 5', 9, 25, /'A' given twice/],
    ['count negative', 'counts A = 10, B = 5', 'counts A = -1', 9, 21, /initial\.counts\.A must be >= 0; got -1/],
    ['count undeclared', 'counts A = 10, B = 5', 'counts A = 10, Q = 5', 9, 25, /initial\.counts\.Q 'Q' is not a declared species/],
    ['counts above sites', 'counts A = 10, B = 5', 'counts A = 300, B = 101', 9, 10, /initial\.counts places 401 particles on 400 sites/],
    ['density above 1', 'counts A = 10, B = 5', 'densities A = 1.5', 9, 24, /initial\.densities\.A must be in \[0, 1\]; got 1\.5/],
    ['densities add above 1', 'counts A = 10, B = 5', 'densities A = 0.6, B = 0.6', 9, 10, /initial\.densities add up to 1\.2 > 1/],
    ['snapshot without file', 'counts A = 10, B = 5', 'snapshot', 9, 18, /expected the path of a snapshot file/],
    ['boltzmann without sweeps', 'counts A = 10, B = 5', 'boltzmann h A = 1', 9, 27, /needs 'sweeps = N'/],
    ['boltzmann unknown key', 'counts A = 10, B = 5', 'boltzmann h A = 1, T = 2, sweeps = 1', 9, 29, /expected h, J, K, sweeps or conditions, got 'T'/],
    ['boltzmann bad range', 'counts A = 10, B = 5', 'boltzmann h A = [1 2], sweeps = 1', 9, 29, /expected ',' between the ends of the range/],
    ['boltzmann reversed range', 'counts A = 10, B = 5', 'boltzmann h A = [1, -1], sweeps = 1', 9, 22, /initial\.h\.A range has min 1 > max -1/],
    ['boltzmann J key arity', 'counts A = 10, B = 5', 'boltzmann h A = 1, J A-B-A = 1, sweeps = 1', 9, 31, /J keys name 2 species/],
    ['boltzmann K in 2D', 'counts A = 10, B = 5', 'boltzmann h A = 1, K A-A-A = 1, sweeps = 1', 9, 10, /triplet couplings K need a 1D lattice/],
    ['boltzmann undeclared', 'counts A = 10, B = 5', 'boltzmann h Q = 1, sweeps = 1', 9, 22, /initial\.h\.Q 'Q' is not a declared species/],
    ['boltzmann zero conditions', 'counts A = 10, B = 5', 'boltzmann h A = 1, sweeps = 1, conditions = 0', 9, 54, /initial\.conditions must be >= 1; got 0/],
    ['unknown observable', '', 'observable: triple A', 10, 13, /expected an observable \(count, pair, run\), got 'triple'/],
    ['pair displacement syntax', '', 'observable: pair A B near', 10, 22, /expected 'nn', 'nnn' or 'at/],
    ['pair without vectors', '', 'observable: pair A B at', 10, 24, /expected displacements like/],
    ['pair vector length', '', 'observable: pair A B at (1, 0, 0)', 10, 25, /displacements\[0\] has 3 components; the lattice has 2 axes/],
    ['run axis out of range', '', 'observable: run A 3 axis 2', 10, 26, /observables\[0\]\.axis is not an axis of a 2D lattice/],
    ['run length zero', '', 'observable: run A 0', 10, 19, /observables\[0\]\.length must be >= 1; got 0/],
    ['observable trailing', '', 'observable: count A B', 10, 21, /expected the end of the line, got 'B'/],
    ['observable undeclared', '', 'observable: count Q', 10, 19, /observables\[0\]\.species 'Q' is not a declared species/],
    ['0 -> 0', 'A -> 0 @ 0.5', '0 -> 0 @ 1', 5, 3, /'0 -> 0' does nothing/],
    ['A -> A', 'A -> 0 @ 0.5', 'A -> A @ 1', 5, 6, /'A -> A' does nothing/],
    ['three reactants', 'A -> 0 @ 0.5', 'A + A + B -> 0 @ p = 1', 5, 9, /at most two reactants/],
    ['three products', 'A -> 0 @ 0.5', 'A -> A + A + A @ 1', 5, 14, /at most two products/],
    ['zero coefficient', 'A -> 0 @ 0.5', 'A -> 0 A @ 1', 5, 6, /expected a positive whole number of molecules, got '0'/],
    // found by the fuzz test: '1e20 A' used to expand into 10^20 names (out of memory)
    ['huge coefficient', 'A -> 0 @ 0.5', '1e20 A -> 0 @ 1', 5, 1, /at most two molecules on a side, got '1e20'/],
    ['0 among reactants', 'A -> 0 @ 0.5', '0 + A -> B @ 1', 5, 1, /'0' stands alone on the reactant side/],
    ['0 in a unimolecular product list', 'A -> 0 @ 0.5', 'A -> 0 + B @ 1', 5, 6, /'0' inside a product list only applies to contact/],
    ['two immigrants', 'A -> 0 @ 0.5', '0 -> A + B @ 1', 5, 10, /immigration '0 -> A' makes one particle/],
    ['placement on a decay', 'A -> 0 @ 0.5', 'A -> 0 anywhere @ 1', 5, 8, /'anywhere' only applies to a birth/],
    ['placement on a splitting', 'A -> 0 @ 0.5', 'A -> B + A anywhere @ 1', 5, 12, /splitting always uses a free neighbour/],
    ['missing @', 'A -> 0 @ 0.5', 'A -> 0 0.5', 5, 8, /expected '@' and the reaction's numbers/],
    ['missing arrow side', 'A -> 0 @ 0.5', 'A -> @ 0.5', 5, 6, /expected a species name in the products/],
    ['nothing after @', 'A -> 0 @ 0.5', 'A -> 0 @', 5, 9, /expected a rate after '@'/],
    ['contact with a bare number', 'p = 0.4, k = 0.2', '0.4', 6, 18, /a contact reaction needs 'p = \.\.\.'/],
    ['contact without numbers', 'p = 0.4, k = 0.2', '', 6, 17, /expected 'p = \.\.\.' and\/or 'k = \.\.\.'/],
    ['probability on a decay', 'A -> 0 @ 0.5', 'A -> 0 @ p = 0.5', 5, 10, /a probability p only applies to contact reactions/],
    ['floor on a decay', 'A -> 0 @ 0.5', 'A -> 0 @ k = 1, floor = 1', 5, 17, /'floor' only applies to births/],
    ['unknown number key', 'A -> 0 @ 0.5', 'A -> 0 @ q = 1', 5, 10, /expected k \(rate\), p \(probability\), got 'q'/],
    ['number key twice', 'p = 0.4, k = 0.2', 'p = 0.4, p = 0.2', 6, 27, /'p' given twice/],
    ['no rate among keys', 'A -> 0 @ 0.5', 'A -> A + A anywhere @ floor = 1', 5, 21, /expected a rate 'k = \.\.\.'/],
    ['floor without anywhere', 'A -> 0 @ 0.5', 'A -> A + A @ k = 1, floor = 1', 5, 29, /reactions\[0\]\.floor needs placement 'anywhere'/],
    ['negative rate', 'A -> 0 @ 0.5', 'A -> 0 @ -0.5', 5, 10, /reactions\[0\]\.rate must be >= 0; got -0\.5/],
    ['probability above 1', 'p = 0.4, k = 0.2', 'p = 1.4, k = 0.2', 6, 22, /reactions\[1\]\.probability must be in \[0, 1\]; got 1\.4/],
    ['negative probability', 'p = 0.4, k = 0.2', 'p = -0.1', 6, 22, /reactions\[1\]\.probability must be in \[0, 1\]; got -0\.1/],
    ['undeclared reactant', 'A -> 0 @ 0.5', 'Q -> 0 @ 0.5', 5, 1, /reactions\[0\]\.reactant 'Q' is not a declared species \(A, B\)/],
    ['undeclared product', 'A + B -> B + B', 'A + B -> B + Q', 6, 14, /reactions\[1\]\.products\[1\] 'Q' is not a declared species/],
    ['undeclared offspring', 'A -> 0 @ 0.5', 'A -> A + Q @ 1', 5, 10, /reactions\[0\]\.offspring 'Q' is not a declared species/],
  ];

  it.each(cases)('reports %s at its line and column', (_title, from, to, line, column, message) => {
    const error = errorOf(from, to);
    expect(error.message).toMatch(message);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.message.startsWith(`m.lattice:${line}:${column}: `)).toBe(true);
  });

  // Found by the fuzz test: a periodic extent below 3 with couplings passed the file check and then failed at run
  // time with a raw RangeError from the initial condition's Gibbs sampler.
  it('refuses couplings on a periodic extent below 3 (the file, not the run)', () => {
    const text = BASE.replace('20 x 20, closed', '20 x 2').replace('counts A = 10, B = 5', 'boltzmann h A = 1, J A-B = 1, sweeps = 1');
    expect(() => parseLatticeModel(text, { source: 'm.lattice' })).toThrow(LatticeModelFileError);
    expect(() => parseLatticeModel(text, { source: 'm.lattice' })).toThrow(/lattice\.shape couplings J\/K on a periodic lattice need every extent >= 3; got \[20, 2\]/);
    // closed boundaries and couplings without J/K are fine
    expect(() => parseLatticeModel(BASE.replace('20 x 20, closed', '20 x 2').replace('counts A = 10, B = 5', 'boltzmann h A = 1, sweeps = 1'), { source: 'm.lattice' })).not.toThrow();
    expect(() => parseLatticeModel(text.replace('20 x 2', '20 x 2, closed'), { source: 'm.lattice' })).not.toThrow();
  });
});

describe('lattice model files: JSON form and schema', () => {
  it('gives the same model as the text form for every example', () => {
    for (const name of exampleFiles) {
      const text = parseLatticeModel(readExample(name), { source: name });
      const json = parseLatticeModel(JSON.stringify(text.file, null, 2), { source: `${name}.json` });
      expect(json.format).toBe('json');
      expect(json.file, name).toEqual(text.file);
      expect(parseLatticeModel(formatLatticeModel(json.file)).file, name).toEqual(text.file);
    }
  });

  it('names the field path of JSON errors', () => {
    const file = parseLatticeModel(BASE).file;
    type Loose = { reactions: Record<string, unknown>[]; lattice: Record<string, unknown>; species?: unknown; initial: unknown };
    const bad = (change: (f: Loose) => void) => {
      const data = structuredClone(file) as unknown as Loose;
      change(data);
      try {
        parseLatticeModelData(data, 'm.json');
      } catch (error) {
        expect(error).toBeInstanceOf(LatticeModelFileError);
        return (error as LatticeModelFileError).message;
      }
      throw new Error('no error');
    };
    expect(bad((f) => (f.reactions[0].rate = -1))).toBe('m.json: reactions[0].rate must be >= 0; got -1');
    expect(bad((f) => (f.reactions[1].probability = 2))).toBe('m.json: reactions[1].probability must be in [0, 1]; got 2');
    expect(bad((f) => (f.reactions[0].type = 'explode'))).toMatch(/^m\.json: reactions\[0\]\.type must be a reaction with type decay, conversion/);
    expect(bad((f) => (f.reactions[0].reactant = 'Z'))).toBe("m.json: reactions[0].reactant 'Z' is not a declared species (A, B)");
    expect(bad((f) => (f.lattice.size = 3))).toBe("m.json: lattice has unknown field 'size'");
    expect(bad((f) => delete f.species)).toMatch(/^m\.json: species .*; got nothing$/);
    expect(bad((f) => (f.initial = { type: 'densities', densities: { A: 2 } }))).toBe('m.json: initial.densities.A must be in [0, 1]; got 2');
    expect(() => parseLatticeModel('{ "species": [', { source: 'x.json' })).toThrow(/^x\.json: is not valid JSON/);
  });

  it('publishes the JSON Schema generated from the one zod schema (schema/lattice-model.schema.json is current)', () => {
    const committed = readFileSync(new URL('../schema/lattice-model.schema.json', import.meta.url), 'utf8');
    // Stale? Regenerate with `npm run schema` in packages/gillespie.
    expect(committed).toBe(`${JSON.stringify(latticeModelJsonSchema(), null, 2)}\n`);
    const schema = JSON.parse(committed);
    expect(schema.required).toEqual(expect.arrayContaining(['species', 'lattice', 'reactions', 'scheme', 'time', 'initial']));
    const kinds = schema.properties.reactions.items.oneOf.map((s: { properties: { type: { const: string } } }) => s.properties.type.const);
    expect(kinds.sort()).toEqual(['birth', 'contact', 'conversion', 'decay', 'immigration', 'splitting']);
  });

  it('the model-file modules import no expression parser (mathjs) and nothing that does', () => {
    // Walk the static import graph from the model-file entry through relative imports.
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (url: URL) => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const source = readFileSync(url, 'utf8');
      for (const match of source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
        if (match[0].startsWith('import type') || match[0].startsWith('export type')) continue;
        if (match[1].startsWith('.')) visit(new URL(match[1], url));
        else bare.add(match[1]);
      }
    };
    visit(new URL('../src/lattice/model-file/index.ts', import.meta.url));
    expect(seen.size).toBeGreaterThan(4);
    expect([...bare].sort()).toEqual(['zod']);
    expect([...seen].some((u) => u.endsWith('/expression.ts') || u.endsWith('/dsl.ts'))).toBe(false);
  });
});

describe('lattice model files: schemes, configurations and examples', () => {
  it('refuses a scheme the file has no numbers for, naming the reaction and its line', () => {
    const parsed = parseLatticeModel(BASE.replace('p = 0.4, k = 0.2', 'p = 0.4'), { source: 'm.lattice' });
    expect(latticeConfigFromFile(parsed).config.scheme).toBe('paper');
    let error: unknown;
    try {
      latticeConfigFromFile(parsed, { scheme: 'exact' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LatticeSchemeError);
    const scheme = error as LatticeSchemeError;
    expect([scheme.line, scheme.reaction, scheme.scheme]).toEqual([6, 1, 'exact']);
    expect(scheme.message).toMatch(/^m\.lattice:6:1: reaction 2 'A \+ B -> B \+ B @ p = 0\.4' gives no number for the exact scheme: add a rate per adjacent pair 'k = \.\.\.'/);
    const paperless = parseLatticeModel(BASE.replace('p = 0.4, k = 0.2', 'k = 0.2').replace('scheme: paper', 'scheme: exact'), { source: 'm.lattice' });
    expect(() => latticeConfigFromFile(paperless, { scheme: 'paper' })).toThrow(/gives no number for the paper scheme: add a probability per hop attempt/);
  });

  it('takes a snapshot read by the caller and refuses one of another shape or species list', () => {
    const parsed = parseLatticeModel(BASE.replace('counts A = 10, B = 5', 'snapshot start.srnl'), { source: 'm.lattice' });
    expect(() => latticeConfigFromFile(parsed)).toThrow(/initial snapshot 'start\.srnl' must be read by the caller/);
    const occupancy = new Uint8Array(400);
    occupancy[7] = 2;
    const run = latticeConfigFromFile(parsed, { snapshot: { shape: [20, 20], species: ['A', 'B'], occupancy } });
    expect(run.initialCondition).toEqual({ type: 'snapshot', snapshot: { shape: [20, 20], species: ['A', 'B'], occupancy } });
    expect(() => latticeConfigFromFile(parsed, { snapshot: { shape: [20, 10], species: ['A', 'B'], occupancy: new Uint8Array(200) } })).toThrow(
      /^m\.lattice:9:19: snapshot 'start\.srnl' has shape 20 x 10; the lattice is 20 x 20$/,
    );
    expect(() => latticeConfigFromFile(parsed, { snapshot: { shape: [20, 20], species: ['A', 'C'], occupancy } })).toThrow(
      /snapshot 'start\.srnl' has species \[A, C\]; the model declares \[A, B\] \(unknown: C\)/,
    );
  });

  it('maps the bundled Lotka-Volterra file onto the preset with the original pick rule', () => {
    const parsed = parseLatticeModel(readExample('lotka-volterra.lattice'));
    const run = latticeConfigFromFile(parsed);
    expect(run.config).toEqual(lotkaVolterraLattice({ selection: 'row-biased' }));
    expect(run.selection).toBe('row-biased');
    expect(latticeConfigFromFile(parsed, { scheme: 'exact' }).config).toEqual(lotkaVolterraLattice({ scheme: 'exact' }));
  });

  it('replaces the initial condition and observables from text (command-line overrides) with errors naming the option', () => {
    const parsed = parseLatticeModel(BASE, { source: 'm.lattice' });
    const changed = withLatticeSections(parsed, { initial: 'densities A = 0.25', observables: 'count A; pair A B nnn as ab; run B 2 axis 1' });
    expect(changed.file.initial).toEqual({ type: 'densities', densities: { A: 0.25 } });
    expect(changed.file.observables).toHaveLength(3);
    expect(() => withLatticeSections(parsed, { initial: 'densities A = 2' })).toThrow(/^--initial:1:15: initial\.densities\.A must be in \[0, 1\]; got 2$/);
    expect(() => withLatticeSections(parsed, { observables: 'count A; pair A Q nn' })).toThrow(/^--observables:1:17: observables\[1\]\.species\[1\] 'Q' is not a declared species/);
    expect(() => withLatticeSections(parsed, { initial: 'counts A = 500' })).toThrow(/^--initial:1:1: initial\.counts places 500 particles on 400 sites/);
  });

  it('runs a configuration whose initial state is any initial condition, or a given occupancy', () => {
    const { config } = latticeConfigFromFile(parseLatticeModel(BASE));
    const dense = { ...config, initial: { type: 'densities' as const, densities: { A: 0.5 } }, steps: 1 };
    const a = simulateLattice(dense, createRng(3, 0));
    expect(simulateLattice(dense, createRng(3, 0)).counts).toEqual(a.counts);
    // 400 independent sites at P(A) = 1/2: n_A has SD 10, so 200 +- 60 fails by chance with probability ~2e-9
    expect(Math.abs(a.counts[0] - 200)).toBeLessThan(60);
    expect(a.counts[1]).toBe(0);
    const occupancy = new Uint8Array(400);
    occupancy[0] = 1;
    occupancy[399] = 2;
    const given = simulateLattice(config, createRng(3, 0), { initialOccupancy: occupancy });
    expect(Array.from(given.counts.subarray(0, 2))).toEqual([1, 1]);
    expect(() => simulateLattice(config, createRng(3, 0), { initialOccupancy: new Uint8Array(10) })).toThrow(/occupancy must be a Uint8Array of length 400/);
  });

  it('estimates memory from the data structures', () => {
    // 1000 sites, 1 species, 1D: (1 + 4 + 8 + 8 + 4 + 1) = 26 B per site per concurrent run; 201 snapshots x 1000 sites per
    // held trajectory; 8 B per observable value.
    const bytes = estimateLatticeMemory({ shape: [1000], speciesCount: 1, steps: 201, trajectoriesHeld: 3, concurrent: 2, observables: 4, runs: 10 });
    expect(bytes).toBe(2 * 1000 * 26 + 3 * 201 * 1000 + 8 * 10 * 201 * 4);
  });

  it.each(exampleFiles)('%s loads and simulates at a small size on its default scheme', (name) => {
    const parsed = parseLatticeModel(readExample(name), { source: name });
    const small: LatticeModelFile = structuredClone(parsed.file);
    small.lattice.shape = small.lattice.shape.map(() => 8);
    if (small.initial.type === 'counts') small.initial.counts = Object.fromEntries(Object.keys(small.initial.counts).map((k) => [k, 4]));
    if (small.initial.type === 'boltzmann') {
      small.initial.sweeps = Math.min(small.initial.sweeps, 5);
      if (small.initial.conditions !== undefined) small.initial.conditions = 2;
    }
    const run = latticeConfigFromFile({ ...parsed, file: small }, { steps: 6 });
    const { summary, replicates } = simulateLatticeEnsemble(run.config, {
      runs: 2 * run.conditions,
      seed: 1,
      initialCondition: run.initialCondition.type === 'counts' ? undefined : run.initialCondition,
      observables: run.observables,
    });
    const sites = 8 ** small.lattice.shape.length;
    expect(summary.times).toHaveLength(6);
    for (let k = 0; k < small.species.length; k++) {
      for (const value of summary.mean[k]) expect(value >= 0 && value <= sites).toBe(true);
    }
    if (run.conditions > 1) expect(new Set(replicates.map((r) => r.condition))).toEqual(new Set([0, 1]));
  });
});
