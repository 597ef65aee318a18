import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensembleToCsv, simulateEnsemble } from '@srn/gillespie';
import { latticeSummaryToCsv, runLatticeReplicates, simulateLatticeEnsemble } from '@srn/gillespie/lattice';
import { describe, expect, it } from 'vitest';
import { detectModelKind, LatticeEnsembleRun, LiveLatticeRun, PlaygroundInputError, readLatticeModel } from '../src/engine.ts';
import { readWellMixedModel, WellMixedEnsembleRun } from '../src/engine-wellmixed.ts';

const examples = join(dirname(createRequire(import.meta.url).resolve('@srn/gillespie/package.json')), 'examples', 'lattice');
const example = (name: string) => readFileSync(join(examples, name), 'utf8');

// The page must give the command line's numbers: these compare the page's engine with the library functions that
// `srn-bench lattice simulate` and `srn-bench simulate` call, bit for bit (exact equality, no tolerance needed).
describe('page engine = library', () => {
  for (const name of ['lotka-volterra.lattice', 'barw-1d.lattice', 'rossler-3d.lattice']) {
    it(`live run 0 of ${name} equals run 0 of the ensemble`, () => {
      const run = readLatticeModel(example(name), name, { steps: 30 });
      const live = new LiveLatticeRun(run, 11);
      while (!live.done) live.advance(7);
      const [rep] = runLatticeReplicates(run.config, {
        seed: 11,
        start: 0,
        end: 1,
        initialCondition: run.initialCondition.type === 'counts' ? undefined : run.initialCondition,
        observables: run.observables,
      });
      expect(Array.from(live.rows)).toEqual(Array.from(rep.observables));
    });
  }

  it('a chunked lattice ensemble equals simulateLatticeEnsemble with the same seed', () => {
    const run = readLatticeModel(example('lotka-volterra.lattice'), 'lv', { steps: 25 });
    const ens = new LatticeEnsembleRun(run, { runs: 6, seed: 5 });
    while (!ens.done) ens.next(4);
    const { summary } = simulateLatticeEnsemble(run.config, { runs: 6, seed: 5, observables: run.observables });
    expect(latticeSummaryToCsv(ens.summary())).toBe(latticeSummaryToCsv(summary));
  });

  it('a batched well-mixed ensemble equals simulateEnsemble', () => {
    const text = 'X -> 2 X @ 1\nX + Y -> 2 Y @ 0.005\nY -> 0 @ 0.6\nX = 50\nY = 100';
    const setup = readWellMixedModel(text, 'wellmixed');
    const ens = new WellMixedEnsembleRun(setup, { tEnd: 5, steps: 20 }, { runs: 250, seed: 3 });
    while (!ens.done) ens.next();
    expect(ensembleToCsv(ens.statistics())).toBe(ensembleToCsv(simulateEnsemble(setup.model, { runs: 250, seed: 3, tEnd: 5, steps: 20 })));
  });
});

describe('input errors', () => {
  it('a lattice syntax error keeps its line and column', () => {
    const text = example('lotka-volterra.lattice').replace('Y -> 0 @ 0.06', 'Y -> 0 @ -0.06');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.startsWith('Y -> 0 @')) + 1;
    expect(detectModelKind(text)).toBe('lattice');
    const error = (() => {
      try {
        readLatticeModel(text, 'bad.lattice');
      } catch (e) {
        return e;
      }
    })() as PlaygroundInputError;
    expect(error).toBeInstanceOf(PlaygroundInputError);
    expect([error.line, error.column]).toEqual([line, lines[line - 1].indexOf('-0.06') + 1]);
  });

  it('a DSL syntax error keeps its line and column', () => {
    expect(detectModelKind('X -> 0 @\nX = 1')).toBe('wellmixed');
    try {
      readWellMixedModel('X = 1\nX -> 0 @', 'wellmixed');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PlaygroundInputError);
      expect((e as PlaygroundInputError).line).toBe(2);
      expect((e as PlaygroundInputError).column).toBeGreaterThan(0);
    }
  });
});
