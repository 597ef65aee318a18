/** Messages between the page and its simulation worker (plain structured-cloneable data). */
import type { Curve } from './closure.ts';
import type { ModelKind } from './engine.ts';

/** The model and settings of a run. */
export interface RunSpec {
  text: string;
  kind: ModelKind;
  source: string;
  seed: number;
  /** Lattice: scheme override. */
  scheme?: 'paper' | 'exact';
  /** Lattice: pick rule of the paper scheme instead of the file's. */
  selection?: 'uniform' | 'row-biased';
  /** Lattice: snapshots instead of the file's (optional). Well-mixed: grid intervals. */
  steps?: number;
  /** Well-mixed: end time. */
  tEnd: number;
}

export type ToWorker =
  | { type: 'live'; spec: RunSpec }
  | { type: 'advance'; count: number }
  | { type: 'ensemble'; spec: RunSpec; runs: number }
  | { type: 'closure'; bytes: Uint8Array; times: number[]; chains: number; maxRows: number; seed: number; spec: RunSpec | null }
  | { type: 'stop' };

/** Description of a model as the page shows it. */
export interface ModelInfo {
  kind: ModelKind;
  /** Lattice extents (empty for well-mixed). */
  shape: number[];
  species: string[];
  /** Plotted observable names. */
  names: string[];
  times: number[];
  summary: string;
}

export type FromWorker =
  | { type: 'started'; info: ModelInfo }
  | {
      type: 'frame';
      /** Recorded snapshots so far. */
      recorded: number;
      /** New observable rows since the last frame (rows × names.length). */
      rows: Float64Array;
      /** First new row's index. */
      from: number;
      /** Current occupancy (lattice) and, for 1-D, every new snapshot's occupancy in row order. */
      occupancy: Uint8Array | null;
      history: Uint8Array | null;
      done: boolean;
      /** Milliseconds the worker spent computing this frame's snapshots. */
      computeMs: number;
    }
  | { type: 'progress'; done: number; total: number; mean: Float64Array[]; sd: Float64Array[]; csv: string | null; finished: boolean }
  | { type: 'closure'; curves: Curve[]; parameters: string[] }
  | { type: 'error'; message: string; line: number; column: number; during: 'live' | 'ensemble' | 'closure' };
