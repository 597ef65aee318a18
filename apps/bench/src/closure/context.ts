/**
 * What a stage gets from the command that runs it: the directory, worker count, an abort signal, and the app's
 * output channels (the stages themselves never print).
 */
import type { simulateLatticeEnsembleParallel } from '@srn/gillespie/lattice-node';
import type { Progress } from '../io.ts';

export interface StageContext {
  /** The experiment directory (absolute). */
  dir: string;
  /** Worker threads for the simulations (results do not depend on it). */
  workers: number;
  /** Runs the simulate stage's ensembles instead of the local worker pool (`--queue`); same inputs, same results. */
  ensemble?: typeof simulateLatticeEnsembleParallel;
  /** Ctrl-C: the training stage checkpoints and stops; the others stop. */
  signal?: AbortSignal;
  /** One line of human-readable output (the CLI writes it to stdout). */
  log: (line: string) => void;
  /** Starts a progress bar (the CLI draws one on an interactive stderr). */
  progress: (label: string, total: number) => Progress;
}

/** A context that prints nothing (tests). */
export function quietContext(dir: string, extra: Partial<StageContext> = {}): StageContext {
  return { dir, workers: 1, log: () => {}, progress: () => ({ update() {}, stop() {} }), ...extra };
}
