/**
 * The playground page: model editor with line numbers and error positions, run controls, the live lattice canvas,
 * the moments chart, ensembles with a progress bar, and learned-closure overlays. Simulation happens in
 * `worker.ts`; this file only draws.
 */
import type { Curve } from './closure.ts';
import { detectModelKind, type ModelKind } from './engine.ts';
import { EXAMPLES } from './examples.ts';
import { drawLattice, drawSpaceTimeRows, prepareLatticeCanvas, SITE_COLORS } from './lattice-view.ts';
import { drawChart, PALETTE, type Series } from './plot.ts';
import type { FromWorker, ModelInfo, RunSpec, ToWorker } from './protocol.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const editor = $<HTMLTextAreaElement>('editor');
const gutter = $<HTMLPreElement>('gutter');
const errorBox = $<HTMLDivElement>('error');
const exampleSelect = $<HTMLSelectElement>('example');
const kindSelect = $<HTMLSelectElement>('kind');
const latticeCanvas = $<HTMLCanvasElement>('lattice');
const plotCanvas = $<HTMLCanvasElement>('plot');
const statusLine = $<HTMLDivElement>('status');
const progress = $<HTMLProgressElement>('progress');
const progressText = $<HTMLSpanElement>('progress-text');
const csvBox = $<HTMLTextAreaElement>('csv');
const download = $<HTMLAnchorElement>('download');
const sliceInput = $<HTMLInputElement>('slice');
const closureStatus = $<HTMLDivElement>('closure-status');

/** What the page knows about the current run; read by the tests and the benchmark through `window.srnPlayground`. */
const state = {
  info: null as ModelInfo | null,
  spec: null as RunSpec | null,
  rows: new Float64Array(0),
  recorded: 0,
  occupancy: null as Uint8Array | null,
  running: false,
  /** The first frame of the live run has arrived. */
  started: false,
  inFlight: 0,
  /**
   * Frames the worker has answered and the page has not shown yet, oldest first: one is shown per display frame,
   * so the worker runs up to MAX_AHEAD frames ahead and a pause of the worker (a busy machine) does not cost frames.
   */
  queue: [] as Extract<FromWorker, { type: 'frame' }>[],
  pendingDraw: false,
  ensemble: null as { mean: Float64Array[]; sd: Float64Array[]; done: number; total: number } | null,
  csv: '',
  curves: [] as Curve[],
  selected: new Set<string>(),
  hidden: new Set<string>(),
  /**
   * Animation statistics of the live run: display frames that showed new snapshots, snapshots advanced after t = 0,
   * start and end (ms, performance.now()).
   */
  frames: 0,
  /** Display frames (requestAnimationFrame callbacks) while the live run ran. */
  ticks: 0,
  stepsAdvanced: 0,
  startedAt: 0,
  /** When the first frame after t = 0 was shown (the animation's rate is measured from there to `finishedAt`). */
  firstShownAt: 0,
  finishedAt: 0,
  errors: 0,
  /** Where a live run's time goes (ms, summed over shown frames): worker compute, drawing the lattice and the chart. */
  profile: { shown: 0, workerMs: 0, latticeMs: 0, chartMs: 0, legendMs: 0 },
};
(window as unknown as { srnPlayground: typeof state }).srnPlayground = state;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);

// ---------- editor ----------

function updateGutter(badLine = 0): void {
  const lines = editor.value.split('\n').length;
  let html = '';
  for (let i = 1; i <= lines; i++) html += i === badLine ? `<span class="bad">${i}</span>` : `${i}\n`;
  gutter.innerHTML = html;
  gutter.scrollTop = editor.scrollTop;
}
editor.addEventListener('input', () => {
  clearError();
  updateGutter();
});
editor.addEventListener('scroll', () => {
  gutter.scrollTop = editor.scrollTop;
});

function clearError(): void {
  errorBox.hidden = true;
  errorBox.textContent = '';
  updateGutter();
}

function showError(message: string, line: number, column: number): void {
  state.errors++;
  errorBox.hidden = false;
  errorBox.dataset.line = String(line);
  errorBox.dataset.column = String(column);
  errorBox.textContent = line > 0 ? `line ${line}, column ${column}: ${message}` : message;
  updateGutter(line);
  if (line > 0) {
    const lines = editor.value.split('\n');
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    offset += Math.max(0, column - 1);
    editor.focus();
    editor.setSelectionRange(offset, Math.min(editor.value.length, offset + 1));
    editor.scrollTop = Math.max(0, (line - 5) * 16);
  }
}

function loadExample(id: string): void {
  const example = EXAMPLES.find((e) => e.id === id) ?? EXAMPLES[0];
  editor.value = example.text;
  kindSelect.value = example.kind;
  if (example.tEnd !== undefined) $<HTMLInputElement>('tend').value = String(example.tEnd);
  clearError();
  updateKindControls();
}

function updateKindControls(): void {
  const lattice = kindSelect.value === 'lattice';
  $('scheme-label').hidden = !lattice;
  $('selection-label').hidden = !lattice;
  $('tend-label').hidden = lattice;
}

for (const e of EXAMPLES) exampleSelect.add(new Option(e.label, e.id));
exampleSelect.addEventListener('change', () => loadExample(exampleSelect.value));
kindSelect.addEventListener('change', updateKindControls);
$<HTMLInputElement>('model-file').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  editor.value = await file.text();
  const kind: ModelKind = /\.(xml|sbml)$/i.test(file.name) ? 'sbml' : detectModelKind(editor.value);
  kindSelect.value = kind;
  editor.dataset.source = file.name;
  clearError();
  updateKindControls();
});

// ---------- run settings ----------

function integerInput(id: string, name: string, min: number): number | null {
  const input = $<HTMLInputElement>(id);
  const value = Number(input.value);
  if (input.value.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    showError(`${name} must be an integer >= ${min}; got '${input.value}'`, 0, 0);
    return null;
  }
  return value;
}

function currentSpec(): RunSpec | null {
  const seed = integerInput('seed', 'seed', 0);
  if (seed === null) return null;
  const kind = kindSelect.value as ModelKind;
  const stepsText = $<HTMLInputElement>('steps').value.trim();
  let steps: number | undefined;
  if (stepsText !== '') {
    const s = integerInput('steps', 'snapshots', 2);
    if (s === null) return null;
    steps = kind === 'lattice' ? s : s - 1;
  }
  const tEnd = Number($<HTMLInputElement>('tend').value);
  if (kind !== 'lattice' && !(tEnd > 0)) {
    showError(`t end must be a positive number; got '${$<HTMLInputElement>('tend').value}'`, 0, 0);
    return null;
  }
  const scheme = $<HTMLSelectElement>('scheme').value;
  const selection = $<HTMLSelectElement>('selection').value;
  return {
    text: editor.value,
    kind,
    source: editor.dataset.source ?? 'model',
    seed,
    scheme: scheme === 'paper' || scheme === 'exact' ? scheme : undefined,
    selection: selection === 'uniform' || selection === 'row-biased' ? selection : undefined,
    steps,
    tEnd,
  };
}

// ---------- drawing ----------

function seriesColor(name: string): string {
  const index = state.info ? state.info.names.indexOf(name) : 0;
  return PALETTE[Math.max(0, index) % PALETTE.length];
}

const DASH: Record<string, number[]> = { 'DBD (learned)': [8, 4], 'mean-field': [2, 3], 'pair approximation': [10, 3, 2, 3] };

function buildSeries(): Series[] {
  const info = state.info;
  if (!info) return [];
  const K = info.names.length;
  const out: Series[] = [];
  info.names.forEach((name, c) => {
    if (!state.selected.has(name)) return;
    const color = seriesColor(name);
    if (state.ensemble) {
      out.push({ id: `ensemble:${name}`, label: `${name} ensemble mean ± SD (${state.ensemble.done} runs)`, color, times: info.times, values: state.ensemble.mean[c], band: state.ensemble.sd[c] });
    }
    if (state.recorded > 0) {
      const values = new Float64Array(state.recorded);
      for (let t = 0; t < state.recorded; t++) values[t] = state.rows[t * K + c];
      out.push({ id: `run:${name}`, label: `${name} run (seed ${state.spec?.seed})`, color, times: info.times, values, length: state.recorded, width: state.ensemble ? 0.8 : 1.5 });
    }
    for (const curve of state.curves) {
      if (curve.name !== name) continue;
      out.push({ id: `${curve.source}:${name}`, label: `${name} ${curve.source}`, color, times: curve.times, values: curve.values, dash: DASH[curve.source] ?? [4, 4] });
    }
  });
  return out;
}

let chartQueued = false;
/** The legend's series and their visibility when it was last built: it is rebuilt only when they change. */
let legendKey = '';

/** Draws the chart now (in a display frame), and the legend when its entries changed. */
function drawChartNow(): void {
  const info = state.info;
  const series = buildSeries();
  const t0 = performance.now();
  drawChart(plotCanvas, series, info ? info.times[info.times.length - 1] : 1, state.hidden);
  const t1 = performance.now();
  const key = series.map((s) => `${s.id}\u0000${s.label}\u0000${state.hidden.has(s.id)}`).join('\u0001');
  if (key !== legendKey) {
    legendKey = key;
    $('series-key').replaceChildren(
      ...series.map((s) => {
        const span = document.createElement('span');
        span.dataset.series = s.id;
        span.className = state.hidden.has(s.id) ? 'off' : '';
        span.title = 'click to show or hide';
        span.innerHTML = `<span class="swatch" style="background:${s.color};opacity:${s.dash ? 0.6 : 1}"></span>`;
        span.append(s.label + (s.dash ? ` (${s.dash.length > 2 ? 'dash-dot' : s.dash[0] > 3 ? 'dashed' : 'dotted'})` : ''));
        span.addEventListener('click', () => {
          if (state.hidden.has(s.id)) state.hidden.delete(s.id);
          else state.hidden.add(s.id);
          redrawChart();
        });
        return span;
      }),
    );
  }
  if (state.running) {
    state.profile.chartMs += t1 - t0;
    state.profile.legendMs += performance.now() - t1;
  }
}

/** Draws the chart in the next display frame (once, however often it is asked). */
function redrawChart(): void {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => {
    chartQueued = false;
    drawChartNow();
  });
}

function setupModelView(info: ModelInfo): void {
  state.info = info;
  const K = info.names.length;
  state.rows = new Float64Array(info.times.length * K);
  state.recorded = 0;
  state.selected = new Set(info.names.filter((n) => info.species.includes(n)));
  if (state.selected.size === 0) state.selected = new Set(info.names.slice(0, Math.min(2, K)));
  const box = $('observables');
  box.replaceChildren(
    ...info.names.map((name) => {
      const label = document.createElement('label');
      const check = document.createElement('input');
      check.type = 'checkbox';
      check.checked = state.selected.has(name);
      check.dataset.observable = name;
      check.addEventListener('change', () => {
        if (check.checked) state.selected.add(name);
        else state.selected.delete(name);
        redrawChart();
      });
      label.append(check, name);
      return label;
    }),
  );
  const lattice = info.kind === 'lattice';
  $('species-key').parentElement!.hidden = !lattice;
  if (lattice) {
    prepareLatticeCanvas(latticeCanvas, info.shape, info.times.length);
    const threeD = info.shape.length === 3;
    $('slice-label').hidden = !threeD;
    if (threeD) {
      sliceInput.max = String(info.shape[0] - 1);
      sliceInput.value = String(Math.floor(info.shape[0] / 2));
    }
    $('species-key').innerHTML =
      `<span><span class="swatch" style="background:rgb(${SITE_COLORS[0].join(',')});border:1px solid #ccc"></span>empty</span>` +
      info.species.map((s, k) => `<span><span class="swatch" style="background:rgb(${SITE_COLORS[k + 1].join(',')})"></span>${s}</span>`).join('');
  }
  statusLine.textContent = info.summary;
}

sliceInput.addEventListener('input', () => {
  if (state.info && state.occupancy) drawLattice(latticeCanvas, state.info.shape, state.occupancy, Number(sliceInput.value));
});

// ---------- the live run ----------

/**
 * Frames requested or answered but not shown: the worker stays this many display frames ahead of the page, so a
 * worker that is descheduled for up to about (MAX_AHEAD - 1) display frames does not make the page miss one.
 */
const MAX_AHEAD = 4;

function requestFrames(): void {
  const perFrame = Math.max(1, Math.floor(Number($<HTMLInputElement>('per-frame').value) || 10));
  while (state.running && state.started && state.inFlight + state.queue.length < MAX_AHEAD) {
    state.inFlight++;
    send({ type: 'advance', count: perFrame });
  }
}

/** Once per display frame: show the oldest answered frame (one per display frame), then keep the worker busy. */
function animate(): void {
  if (state.running) state.ticks++;
  const next = state.queue.shift();
  if (next) showFrame(next);
  const info = state.info;
  if (state.pendingDraw && info) {
    state.pendingDraw = false;
    const t0 = performance.now();
    if (state.occupancy && info.shape.length > 1) drawLattice(latticeCanvas, info.shape, state.occupancy, Number(sliceInput.value));
    $('time').textContent = String(info.times[state.recorded - 1] ?? 0);
    const t1 = performance.now();
    drawChartNow();
    if (state.recorded > 1) {
      if (state.frames === 0) state.firstShownAt = performance.now();
      state.frames++;
      state.profile.shown++;
      state.profile.latticeMs += t1 - t0;
    }
  }
  requestFrames();
  if (state.running || state.pendingDraw || state.queue.length > 0) requestAnimationFrame(animate);
}

function onFrame(m: Extract<FromWorker, { type: 'frame' }>): void {
  if (!state.info) return;
  state.profile.workerMs += m.computeMs;
  if (m.from === 0) {
    // The run's first snapshot: shown at once.
    state.started = true;
    showFrame(m);
    return;
  }
  state.inFlight = Math.max(0, state.inFlight - 1); // an answer to an advance request
  // Requests still in flight when the run reached its end are answered with no snapshots: nothing to show.
  if (state.running && m.recorded > m.from) state.queue.push(m);
}

/** Takes a frame's snapshots into the page's state (rows, occupancy; 1-D rows drawn at once). */
function showFrame(m: Extract<FromWorker, { type: 'frame' }>): void {
  const info = state.info;
  if (!info) return;
  const K = info.names.length;
  state.rows.set(m.rows, m.from * K);
  if (m.recorded > state.recorded) state.recorded = m.recorded;
  if (m.from > 0) state.stepsAdvanced += m.rows.length / Math.max(1, K);
  if (m.occupancy) {
    state.occupancy = m.occupancy;
    // 1-D: every snapshot is one row of the space-time image, drawn as it arrives.
    if (info.shape.length === 1 && m.history && m.history.length > 0) {
      drawSpaceTimeRows(latticeCanvas, info.shape[0], m.history, m.recorded - m.history.length / info.shape[0]);
    }
  }
  state.pendingDraw = true;
  if (m.done && state.running) {
    state.running = false;
    state.finishedAt = performance.now();
    statusLine.textContent = `${info.summary}: run finished (${m.recorded} snapshots)`;
  }
}

function startRun(): void {
  clearError();
  const spec = currentSpec();
  if (!spec) return;
  state.spec = spec;
  state.ensemble = null;
  state.curves = [];
  closureStatus.textContent = '';
  progress.value = 0;
  progressText.textContent = '';
  download.hidden = true;
  state.running = true;
  state.started = false; // until the first frame arrives
  state.inFlight = 0;
  state.queue = [];
  state.profile = { shown: 0, workerMs: 0, latticeMs: 0, chartMs: 0, legendMs: 0 };
  state.frames = 0;
  state.ticks = 0;
  state.stepsAdvanced = 0;
  state.startedAt = performance.now();
  state.firstShownAt = 0;
  state.finishedAt = 0;
  $('seed-shown').textContent = String(spec.seed);
  send({ type: 'live', spec });
  requestAnimationFrame(animate);
}

function startEnsemble(): void {
  clearError();
  const spec = currentSpec();
  const runs = integerInput('runs', 'runs', 1);
  if (!spec || runs === null) return;
  state.spec = spec;
  state.running = false;
  state.ensemble = null;
  state.csv = '';
  csvBox.value = '';
  download.hidden = true;
  progress.max = runs;
  progress.value = 0;
  progressText.textContent = `0 / ${runs} runs`;
  $('seed-shown').textContent = String(spec.seed);
  // The live run of the same seed is run 0 of the ensemble: start it so the lattice is drawn meanwhile.
  send({ type: 'live', spec });
  state.running = true;
  state.started = false;
  state.inFlight = 0;
  state.queue = [];
  requestAnimationFrame(animate);
  send({ type: 'ensemble', spec, runs });
}

$('run').addEventListener('click', startRun);
$('ensemble').addEventListener('click', startEnsemble);
$('stop').addEventListener('click', () => {
  state.running = false;
  state.queue = [];
  send({ type: 'stop' });
  statusLine.textContent = 'stopped';
});

// ---------- closure ----------

$<HTMLInputElement>('closure-file').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (!file) return;
  if (state.info?.kind !== 'lattice') {
    closureStatus.textContent = 'Run a lattice model first (the closure is drawn over its time grid and rates).';
    return;
  }
  const chains = integerInput('chains', 'chains', 2);
  const points = integerInput('points', 'points', 2);
  if (chains === null || points === null) return;
  closureStatus.textContent = `evaluating ${file.name} (${chains} chains at up to ${points} times)...`;
  const bytes = new Uint8Array(await file.arrayBuffer());
  send({ type: 'closure', bytes, times: state.info.times, chains, maxRows: points, seed: state.spec?.seed ?? 1, spec: state.spec }, [bytes.buffer]);
});

// ---------- worker messages ----------

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'started':
      // Answers to the previous run's requests came before this message (the worker answers in order).
      state.inFlight = 0;
      state.queue = [];
      setupModelView(m.info);
      break;
    case 'frame':
      onFrame(m);
      break;
    case 'progress': {
      state.ensemble = { mean: m.mean, sd: m.sd, done: m.done, total: m.total };
      progress.value = m.done;
      progressText.textContent = `${m.done} / ${m.total} runs`;
      if (m.finished && m.csv !== null) {
        state.csv = m.csv;
        csvBox.value = m.csv;
        if (download.href) URL.revokeObjectURL(download.href);
        download.href = URL.createObjectURL(new Blob([m.csv], { type: 'text/csv' }));
        download.hidden = false;
        progressText.textContent = `${m.done} runs, seed ${state.spec?.seed}: mean ± SD`;
      }
      redrawChart();
      break;
    }
    case 'closure':
      state.curves = m.curves;
      closureStatus.textContent = `closure loaded: ${m.parameters.length} parameters; drawn: ${[...new Set(m.curves.map((c) => c.source))].join(', ')}`;
      redrawChart();
      break;
    case 'error':
      if (m.during !== 'closure') state.running = false;
      if (m.during === 'closure') closureStatus.textContent = m.message;
      else showError(m.message, m.line, m.column);
      break;
  }
};
worker.onerror = (event) => showError(`worker failed: ${event.message}`, 0, 0);

loadExample(EXAMPLES[0].id);
drawChart(plotCanvas, [], 1, state.hidden);
