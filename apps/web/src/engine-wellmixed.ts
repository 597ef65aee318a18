/**
 * The playground's well-mixed models: the DSL (errors with line and column) and SBML, one run and batched ensembles
 * with the statistics `srn-bench simulate` gives. This module loads `@srn/gillespie`'s main entry and its SBML
 * reader, which bring the expression parser (mathjs); the worker imports it only when a well-mixed model is run, so
 * the bundle a lattice model needs stays small (a separate chunk, see scripts/build.mjs).
 */
import {
  createRng,
  type EnsembleBatchResult,
  ModelError,
  ModelSyntaxError,
  type EnsembleStatistics,
  ensembleToCsv,
  mergeEnsembleBatches,
  parseModel,
  planEnsemble,
  type ReactionModel,
  runEnsembleBatch,
  type Seed,
  simulate,
  type Trajectory,
} from '@srn/gillespie';
import { loadSbml } from '@srn/gillespie/sbml';
import { asInputError as asLatticeInputError, type EnsembleSettings, PlaygroundInputError } from './engine.ts';

export { ensembleToCsv };

/** The DSL's and SBML's errors as {@link PlaygroundInputError}s (the DSL's with line and column; SBML's errors are ModelErrors). */
function asInputError(error: unknown): unknown {
  if (error instanceof ModelSyntaxError) return new PlaygroundInputError(error.message, error.line, error.column);
  if (error instanceof ModelError) return new PlaygroundInputError(error.message);
  return asLatticeInputError(error);
}

/** A well-mixed model read from the DSL or SBML, with the run settings the page uses. */
export interface WellMixedSetup {
  /** What `simulate`/`planEnsemble` accept (a DSL model or an SBML plan). */
  model: ReactionModel | Parameters<typeof simulate>[0];
  species: string[];
}

/**
 * Reads a well-mixed model: the DSL (errors with line and column) or an SBML document.
 *
 * @example
 * ```ts
 * readWellMixedModel('X -> 0 @ 1\nX = 10', 'wellmixed').species; // ['X']
 * ```
 */
export function readWellMixedModel(text: string, kind: 'wellmixed' | 'sbml', source = 'model'): WellMixedSetup {
  try {
    if (kind === 'sbml') {
      const sbml = loadSbml(text);
      return { model: sbml.plan, species: sbml.species.map((s) => s.id) };
    }
    const model = parseModel(text, source);
    return { model, species: model.species.map((s) => s.name) };
  } catch (error) {
    throw asInputError(error);
  }
}

/** Grid of a well-mixed run (the `srn-bench simulate` options). */
export interface WellMixedGrid {
  tEnd: number;
  steps: number;
}

/**
 * One well-mixed run, run `runIndex` of the ensemble with the same seed.
 *
 * @example
 * ```ts
 * simulateWellMixed(readWellMixedModel('X -> 0 @ 1\nX = 10', 'wellmixed'), { tEnd: 5, steps: 50 }, 1).values;
 * ```
 */
export function simulateWellMixed(setup: WellMixedSetup, grid: WellMixedGrid, seed: Seed, runIndex = 0): Trajectory {
  try {
    return simulate(setup.model, { tEnd: grid.tEnd, steps: grid.steps, rng: createRng(seed, runIndex) });
  } catch (error) {
    throw asInputError(error);
  }
}

/**
 * A well-mixed ensemble run batch by batch (`planEnsemble` / `runEnsembleBatch` / `mergeEnsembleBatches`, the
 * parts `simulateEnsemble` is made of, so the statistics are bit-identical to it).
 *
 * @example
 * ```ts
 * const ens = new WellMixedEnsembleRun(setup, { tEnd: 10, steps: 100 }, { runs: 500, seed: 1 });
 * while (!ens.done) ens.next();
 * ens.statistics().mean;
 * ```
 */
export class WellMixedEnsembleRun {
  private readonly tasks: ReturnType<typeof planEnsemble>;
  private readonly results: EnsembleBatchResult[] = [];
  readonly runs: number;

  constructor(setup: WellMixedSetup, grid: WellMixedGrid, settings: EnsembleSettings) {
    try {
      this.tasks = planEnsemble(setup.model, { runs: settings.runs, seed: settings.seed, tEnd: grid.tEnd, steps: grid.steps });
    } catch (error) {
      throw asInputError(error);
    }
    this.runs = settings.runs;
  }

  get done(): boolean {
    return this.results.length >= this.tasks.length;
  }

  /** Runs finished. */
  get completed(): number {
    return this.tasks.slice(0, this.results.length).reduce((a, t) => a + (t.end - t.start), 0);
  }

  /** Runs the next batch. */
  next(): void {
    if (this.done) return;
    this.results.push(runEnsembleBatch(this.tasks[this.results.length]));
  }

  /** Statistics of the finished batches. */
  statistics(): EnsembleStatistics {
    const n = this.results.length;
    return mergeEnsembleBatches(this.tasks.slice(0, n), this.results);
  }
}
