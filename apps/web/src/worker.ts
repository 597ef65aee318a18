/**
 * The simulation worker: one live run stepped on the page's request (so the page sets the pace, one request per
 * animation frame), ensembles in chunks with progress and partial means, and closure predictions.
 *
 * Only the lattice engine is loaded with the worker. The well-mixed engine (the DSL and SBML, which need the
 * expression parser, mathjs) and the closure code are separate chunks imported the first time a well-mixed model is
 * run or a closure file is loaded, so a lattice model never downloads them.
 */
import { latticeSummaryToCsv } from '@srn/gillespie/lattice';
import { LatticeEnsembleRun, LiveLatticeRun, PlaygroundInputError, readLatticeModel } from './engine.ts';
import type { FromWorker, ModelInfo, RunSpec, ToWorker } from './protocol.ts';

/** The well-mixed engine, loaded on first use. */
const wellMixedEngine = () => import('./engine-wellmixed.ts');
/** The closure predictor, loaded on first use. */
const closureEngine = () => import('./closure.ts');

const post = (message: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(message, transfer);

let live: LiveLatticeRun | null = null;
/** Well-mixed live run: the whole trajectory, handed out in pieces so it is drawn as it goes. */
let wellMixed: { values: Float64Array; S: number; recorded: number; steps: number } | null = null;
/** Incremented by every new command; a running ensemble stops when it changes. */
let generation = 0;

function fail(error: unknown, during: 'live' | 'ensemble' | 'closure'): void {
  const e = error as Error;
  const input = error instanceof PlaygroundInputError;
  post({ type: 'error', message: e?.message ?? String(error), line: input ? error.line : 0, column: input ? error.column : 0, during });
}

function latticeInfo(run: ReturnType<typeof readLatticeModel>, names: string[]): ModelInfo {
  const { config } = run;
  const times = Array.from({ length: config.steps }, (_, i) => i * config.dt);
  const summary = `${config.shape.join(' x ')} lattice (${config.boundary ?? 'periodic'}), ${config.scheme} scheme${config.scheme === 'paper' ? `, ${run.selection} picks` : ''}, ${config.steps} snapshots, dt = ${config.dt}`;
  return { kind: 'lattice', shape: config.shape.slice(), species: config.model.species.slice(), names, times, summary };
}

async function startLive(spec: RunSpec, mine: number): Promise<void> {
  live = null;
  wellMixed = null;
  if (spec.kind === 'lattice') {
    const run = readLatticeModel(spec.text, spec.source, { scheme: spec.scheme, selection: spec.selection, steps: spec.steps });
    live = new LiveLatticeRun(run, spec.seed);
    post({ type: 'started', info: latticeInfo(run, live.names) });
    post({ type: 'frame', recorded: 1, rows: live.rows.slice(0, live.names.length), from: 0, occupancy: live.occupancy.slice(), history: live.occupancy.slice(), done: live.done, computeMs: 0 });
  } else {
    const { readWellMixedModel, simulateWellMixed } = await wellMixedEngine();
    if (mine !== generation) return;
    const setup = readWellMixedModel(spec.text, spec.kind, spec.source);
    const steps = spec.steps ?? 200;
    const trajectory = simulateWellMixed(setup, { tEnd: spec.tEnd, steps }, spec.seed);
    wellMixed = { values: trajectory.values, S: trajectory.species.length, recorded: 0, steps: steps + 1 };
    const info: ModelInfo = {
      kind: spec.kind,
      shape: [],
      species: [...trajectory.species],
      names: [...trajectory.species],
      times: Array.from(trajectory.times),
      summary: `well-mixed, ${trajectory.species.length} species, ${trajectory.events} events in run 0, t = 0 .. ${spec.tEnd}`,
    };
    post({ type: 'started', info });
    advance(1);
  }
}

function advance(count: number): void {
  const started = performance.now();
  if (live) {
    const from = live.recorded;
    const N = live.occupancy.length;
    const oneD = live.prepared.config.shape.length === 1;
    const history = oneD ? new Uint8Array(count * N) : null;
    let n = 0;
    while (n < count && !live.done) {
      live.advance(1);
      history?.set(live.occupancy, n * N);
      n++;
    }
    const K = live.names.length;
    const rows = live.rows.slice(from * K, live.recorded * K);
    post({ type: 'frame', recorded: live.recorded, rows, from, occupancy: live.occupancy.slice(), history: history ? history.slice(0, n * N) : null, done: live.done, computeMs: performance.now() - started }, [rows.buffer]);
  } else if (wellMixed) {
    const w = wellMixed;
    const from = w.recorded;
    w.recorded = Math.min(w.steps, w.recorded + count);
    const rows = w.values.slice(from * w.S, w.recorded * w.S);
    post({ type: 'frame', recorded: w.recorded, rows, from, occupancy: null, history: null, done: w.recorded >= w.steps, computeMs: performance.now() - started }, [rows.buffer]);
  }
}

const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function runEnsemble(spec: RunSpec, runs: number): Promise<void> {
  const mine = ++generation;
  if (spec.kind === 'lattice') {
    const run = readLatticeModel(spec.text, spec.source, { scheme: spec.scheme, selection: spec.selection, steps: spec.steps });
    const ens = new LatticeEnsembleRun(run, { runs, seed: spec.seed });
    const chunk = Math.max(1, Math.min(run.conditions > 1 ? runs / run.conditions : runs, Math.ceil(runs / 50)));
    while (!ens.done) {
      ens.next(chunk);
      const summary = ens.summary();
      post({ type: 'progress', done: ens.completed, total: runs, mean: summary.mean, sd: summary.sd, csv: ens.done ? latticeSummaryToCsv(summary) : null, finished: ens.done });
      await yieldToMessages();
      if (mine !== generation) return;
    }
  } else {
    const { ensembleToCsv, readWellMixedModel, WellMixedEnsembleRun } = await wellMixedEngine();
    if (mine !== generation) return;
    const setup = readWellMixedModel(spec.text, spec.kind, spec.source);
    const ens = new WellMixedEnsembleRun(setup, { tEnd: spec.tEnd, steps: spec.steps ?? 200 }, { runs, seed: spec.seed });
    while (!ens.done) {
      ens.next();
      const stats = ens.statistics();
      const S = stats.species.length;
      const G = stats.times.length;
      const mean = Array.from({ length: S }, (_, s) => Float64Array.from({ length: G }, (_, g) => stats.mean[g * S + s]));
      const sd = Array.from({ length: S }, (_, s) => Float64Array.from({ length: G }, (_, g) => stats.sd[g * S + s]));
      post({ type: 'progress', done: ens.completed, total: runs, mean, sd, csv: ens.done ? ensembleToCsv(stats) : null, finished: ens.done });
      await yieldToMessages();
      if (mine !== generation) return;
    }
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'live': {
      const mine = ++generation;
      startLive(m.spec, mine).catch((error) => fail(error, 'live'));
      break;
    }
    case 'advance':
      try {
        advance(m.count);
      } catch (error) {
        fail(error, 'live');
      }
      break;
    case 'ensemble':
      runEnsemble(m.spec, m.runs).catch((error) => fail(error, 'ensemble'));
      break;
    case 'closure':
      closureEngine()
        .then(({ lotkaVolterraRatesOf, predictClosure }) => {
          const rates = m.spec?.kind === 'lattice' ? lotkaVolterraRatesOf(readLatticeModel(m.spec.text, m.spec.source, { scheme: m.spec.scheme, selection: m.spec.selection, steps: m.spec.steps })) : null;
          post({ type: 'closure', ...predictClosure({ bytes: m.bytes, times: m.times, chains: m.chains, maxRows: m.maxRows, seed: m.seed, rates }) });
        })
        .catch((error) => fail(error, 'closure'));
      break;
    case 'stop':
      generation++;
      live = null;
      wellMixed = null;
      break;
  }
};
