/**
 * The report's figures as vega-lite specs, rendered headless to SVG by vega (no DOM) and to PNG by resvg with the
 * system fonts. Each figure is written as NAME.vl.json (the spec, data inlined), NAME.svg and NAME.png.
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../io.ts';

/** A rendered figure. */
export interface Figure {
  name: string;
  caption: string;
  svg: string;
  files: { spec: string; svg: string; png: string };
  /**
   * The compiled Vega spec with hover tooltips, zoom/pan and legend toggles, for report.html (see
   * {@link interactiveSpec}), as its JSON text: a report holds every figure's spec until report.html is written, and
   * the text is a fraction of the memory of the objects (their data points inline).
   */
  vega?: string;
}

/** A vega-lite spec as plain data. */
export type Spec = Record<string, unknown>;

export const COLORS = {
  prey: '#1a1a1a',
  predator: '#1f77b4',
  simulation: '#000000',
  raw: '#9e9e9e',
  filtered: '#d62728',
  meanField: '#2ca02c',
  pair: '#9467bd',
};

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

let libraries: Promise<{ Resvg: typeof import('@resvg/resvg-js').Resvg; parse: typeof import('vega').parse; View: typeof import('vega').View; compile: typeof import('vega-lite').compile }> | undefined;

/**
 * vega, vega-lite and resvg, imported on first use: the spec builders of this module are used where the figures are
 * rendered elsewhere (the report's figure thread, figure-thread.ts), and the three hold tens of MB once loaded.
 */
function renderingLibraries() {
  libraries ??= Promise.all([import('@resvg/resvg-js'), import('vega'), import('vega-lite')]).then(([resvg, vega, vegaLite]) => ({
    Resvg: resvg.Resvg,
    parse: vega.parse,
    View: vega.View,
    compile: vegaLite.compile,
  }));
  return libraries;
}

/**
 * Renders `spec` and writes NAME.vl.json, NAME.svg and NAME.png into `dir`.
 *
 * @example
 * ```ts
 * const figure = await renderFigure(dir, 'phase-plane', 'Ensemble mean', spec);
 * ```
 */
export async function renderFigure(dir: string, name: string, caption: string, spec: Spec): Promise<Figure> {
  const { Resvg, parse, View, compile } = await renderingLibraries();
  const full = { $schema: SCHEMA, background: 'white', config: { font: 'DejaVu Sans', view: { stroke: '#dddddd' }, legend: { labelLimit: 320 } }, ...spec } as TopLevelSpec;
  const view = new View(parse(compile(full).spec), { renderer: 'none' });
  // vega numbers gradients with a counter global to the process, so the same figure would come out with other ids
  // when it is not the process's first; ids named after the figure keep the files reproducible and the ids unique in
  // report.html, which inlines every figure.
  const ids = new Map<string, string>();
  const svg = (await view.toSVG()).replace(/\bgradient_\d+\b/g, (id) => {
    if (!ids.has(id)) ids.set(id, `gradient-${name}-${ids.size}`);
    return ids.get(id)!;
  });
  view.finalize();
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  const files = { spec: `${name}.vl.json`, svg: `${name}.svg`, png: `${name}.png` };
  writeFileAtomic(join(dir, files.spec), `${JSON.stringify(full)}\n`);
  writeFileAtomic(join(dir, files.svg), svg);
  writeFileAtomic(join(dir, files.png), png);
  return { name, caption, svg, files, vega: JSON.stringify(compile(interactiveSpec(full as unknown as Spec) as unknown as TopLevelSpec).spec) };
}

/**
 * A copy of a vega-lite spec made interactive for the HTML report: every mark shows its values on hover; line and
 * point charts (quantitative x and y, no x2) zoom with the wheel and pan by dragging; a nominal colour legend toggles
 * its series on click (shift-click for several). Charts of other kinds get the tooltips only.
 *
 * @example
 * ```ts
 * const vegaSpec = compile(interactiveSpec(full) as TopLevelSpec).spec; // then new View(parse(vegaSpec)) in a page
 * ```
 */
export function interactiveSpec(spec: Spec): Spec {
  const copy = structuredClone(spec);
  let counter = 0;
  const visit = (node: Spec, paramsAllowed: boolean): void => {
    if (Array.isArray(node.layer)) {
      (node.layer as Spec[]).forEach((layer, i) => {
        visit(layer, paramsAllowed && i === 0);
      });
      return;
    }
    for (const key of ['hconcat', 'vconcat', 'concat'] as const) if (Array.isArray(node[key])) for (const child of node[key] as Spec[]) visit(child, true);
    if (node.spec && typeof node.spec === 'object') visit(node.spec as Spec, paramsAllowed);
    if (node.mark === undefined) return;
    node.mark = typeof node.mark === 'string' ? { type: node.mark, tooltip: true } : { ...(node.mark as Spec), tooltip: true };
    if (!paramsAllowed) return;
    const encoding = (node.encoding ?? {}) as Record<string, Spec | undefined>;
    const params = (node.params ?? []) as Spec[];
    const n = counter++;
    if (encoding.x?.type === 'quantitative' && encoding.y?.type === 'quantitative' && !encoding.x2 && !encoding.y2) {
      params.push({ name: `zoom${n}`, select: 'interval', bind: 'scales' });
    }
    const color = encoding.color;
    if (color && typeof color.field === 'string' && color.type === 'nominal' && !encoding.opacity) {
      params.push({ name: `pick${n}`, select: { type: 'point', fields: [color.field] }, bind: 'legend' });
      encoding.opacity = { condition: { param: `pick${n}`, value: 1 }, value: 0.12 };
    }
    if (params.length > 0) node.params = params;
  };
  visit(copy, true);
  return copy;
}

/** Rounds for compact inline data. */
function r(x: number, digits = 5): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : null;
}


/** x/y encoding that draws each row i, column j of a size x size lattice as one unit square (row 0 at the top). */
function latticeCellEncoding(size: number) {
  return {
    x: { field: 'j', type: 'quantitative', scale: { domain: [0, size], nice: false }, axis: null },
    x2: { field: 'j1' },
    y: { field: 'i', type: 'quantitative', scale: { domain: [0, size], nice: false, reverse: true }, axis: null },
    y2: { field: 'i1' },
  } as const;
}
/**
 * Lattice snapshots: one rect per occupied site, prey and predators in their colours, one panel per time.
 *
 * @example
 * ```ts
 * latticeSnapshotSpec(40, [{ label: 't = 139', occupancy }]);
 * ```
 */
export function latticeSnapshotSpec(size: number, panels: { label: string; occupancy: Uint8Array }[]): Spec {
  const values: Record<string, unknown>[] = [];
  for (const { label, occupancy } of panels) {
    for (let site = 0; site < occupancy.length; site++) {
      const code = occupancy[site];
      if (code === 0) continue;
      const i = Math.floor(site / size);
      const j = site % size;
      values.push({ panel: label, i, j, i1: i + 1, j1: j + 1, species: code === 1 ? 'prey (X)' : 'predator (Y)' });
    }
  }
  const px = Math.max(160, Math.min(320, size * 8));
  return {
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.label) } },
    spec: {
      width: px,
      height: px,
      mark: { type: 'rect' },
      encoding: {
        ...latticeCellEncoding(size),
        color: { field: 'species', type: 'nominal', scale: { domain: ['prey (X)', 'predator (Y)'], range: [COLORS.prey, COLORS.predator] }, title: null },
      },
    },
  };
}

/** The ensemble mean in the (prey, predator) plane, one line per series, t increasing along the line. */
export function phasePlaneSpec(series: { label: string; X: ArrayLike<number>; Y: ArrayLike<number> }[]): Spec {
  const values: Record<string, unknown>[] = [];
  for (const s of series) for (let t = 0; t < s.X.length; t++) values.push({ series: s.label, t, X: r(s.X[t]), Y: r(s.Y[t]) });
  return {
    width: 420,
    height: 320,
    data: { values },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'X', type: 'quantitative', title: 'prey ⟨n_X⟩', scale: { zero: true } },
          y: { field: 'Y', type: 'quantitative', title: 'predators ⟨n_Y⟩', scale: { zero: true } },
          order: { field: 't', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
      {
        transform: [{ filter: 'datum.t === 0' }],
        mark: { type: 'point', filled: true, size: 50, color: 'black' },
        encoding: { x: { field: 'X', type: 'quantitative' }, y: { field: 'Y', type: 'quantitative' } },
      },
    ],
  };
}

/** Learned θ(t), raw and filtered, one panel per parameter. */
export function thetaSpec(times: ArrayLike<number>, columns: Record<string, ArrayLike<number>>, names: readonly string[]): Spec {
  const values: Record<string, unknown>[] = [];
  for (const name of names) {
    for (const [kind, key] of [
      ['raw', name],
      ['filtered', `${name}-filtered`],
    ] as const) {
      const series = columns[key];
      if (!series) continue;
      for (let t = 0; t < times.length; t++) values.push({ parameter: name, kind, t: times[t], value: r(series[t]) });
    }
  }
  return {
    data: { values },
    facet: { field: 'parameter', type: 'nominal', sort: [...names], title: null },
    columns: 5,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 170,
      height: 110,
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 't' },
        y: { field: 'value', type: 'quantitative', title: 'θ', scale: { zero: false } },
        color: { field: 'kind', type: 'nominal', scale: { domain: ['raw', 'filtered'], range: [COLORS.raw, COLORS.filtered] }, title: null },
      },
    },
  };
}

/** Series of the moment figures, in legend order. */
export const MOMENT_SERIES = [
  { key: 'simulation', label: 'stochastic simulation', color: COLORS.simulation },
  { key: 'learned-raw', label: 'learned (raw θ)', color: COLORS.raw },
  { key: 'learned-filtered', label: 'learned (filtered θ)', color: COLORS.filtered },
  { key: 'mean-field', label: 'mean field', color: COLORS.meanField },
  { key: 'pair', label: 'pair approximation', color: COLORS.pair },
] as const;

/** Predicted vs simulated moments over time, one panel per moment, baselines on the same axes. */
export function momentsSpec(
  times: ArrayLike<number>,
  moments: readonly string[],
  series: Record<string, Record<string, ArrayLike<number> | undefined>>,
  title: string,
): Spec {
  const values: Record<string, unknown>[] = [];
  const present = MOMENT_SERIES.filter((s) => series[s.key]);
  for (const moment of moments) {
    for (const s of present) {
      const data = series[s.key][moment];
      if (!data) continue;
      for (let t = 0; t < times.length; t++) values.push({ moment: `⟨${moment === 'X' ? 'n_X' : moment}⟩`, series: s.label, t: times[t], value: r(data[t]) });
    }
  }
  return {
    title,
    ...facetedTimeSeries(
      values,
      moments.map((m) => `⟨${m === 'X' ? 'n_X' : m}⟩`),
      'ensemble mean',
      1.4,
      { field: 'series', type: 'nominal', title: null, scale: { domain: present.map((s) => s.label), range: present.map((s) => s.color) } },
    ),
  };
}

/**
 * Line charts over t, one panel (column) per `moment` value in `panelOrder`, each with its own y scale; `values`
 * rows carry `moment`, `t`, `value` and the field that `color` encodes.
 */
function facetedTimeSeries(
  values: Record<string, unknown>[],
  panelOrder: readonly string[],
  yTitle: string,
  strokeWidth: number,
  color: Record<string, unknown>,
): Spec {
  return {
    data: { values },
    facet: { column: { field: 'moment', type: 'nominal', title: null, sort: [...panelOrder] } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', strokeWidth },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 't' },
        y: { field: 'value', type: 'quantitative', title: yTitle },
        color,
      },
    },
  };
}

/** Closure channels: per-parameter contributions Cov(O, T_k) · dθ_k/dt over time, one panel per observable. */
export function channelsSpec(times: ArrayLike<number>, channels: Record<string, Record<string, ArrayLike<number>>>, moments: readonly string[]): Spec {
  const values: Record<string, unknown>[] = [];
  for (const moment of moments) {
    for (const [parameter, series] of Object.entries(channels[moment] ?? {})) {
      for (let t = 0; t < times.length; t++) values.push({ moment, parameter, t: times[t], value: r(series[t]) });
    }
  }
  return facetedTimeSeries(values, moments, 'Cov(O, T_k) · dθ_k/dt', 1.1, {
    field: 'parameter',
    type: 'nominal',
    title: 'parameter',
    sort: Object.keys(channels[moments[0]] ?? {}),
  });
}

/** Closure sum vs the simulated derivative (forward difference), one panel per observable. */
export function closureSumSpec(times: ArrayLike<number>, sums: Record<string, { closure: ArrayLike<number>; simulated: ArrayLike<number> }>): Spec {
  const values: Record<string, unknown>[] = [];
  for (const [moment, { closure, simulated }] of Object.entries(sums)) {
    for (let t = 0; t < times.length; t++) {
      values.push({ moment, series: 'simulation (forward difference)', t: times[t], value: r(simulated[t]) });
      values.push({ moment, series: 'closure sum', t: times[t], value: r(closure[t]) });
    }
  }
  return facetedTimeSeries(values, Object.keys(sums), 'd⟨O⟩/dt', 1.2, {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: ['simulation (forward difference)', 'closure sum'], range: [COLORS.raw, COLORS.filtered] },
  });
}

/** Layer probabilities (or sampled states) of the model on the lattice: rows = layers, columns = species. */
export function layersSpec(panels: { layer: number; species: string; shape: readonly number[]; values: ArrayLike<number> }[], title: string): Spec {
  const values: Record<string, unknown>[] = [];
  let size = 1;
  for (const p of panels) {
    const width = p.shape.at(-1) ?? 1;
    size = Math.max(size, width, Math.ceil(p.values.length / width));
    for (let site = 0; site < p.values.length; site++) {
      const i = Math.floor(site / width);
      const j = site % width;
      values.push({ layer: `layer ${p.layer}`, species: p.species, i, j, i1: i + 1, j1: j + 1, p: r(p.values[site], 3) });
    }
  }
  const px = Math.max(120, Math.min(220, size * 5));
  return {
    title,
    data: { values },
    facet: {
      row: { field: 'layer', type: 'nominal', title: null, sort: 'descending' },
      column: { field: 'species', type: 'nominal', title: null, sort: ['prey', 'predator'] },
    },
    spec: {
      width: px,
      height: px,
      mark: { type: 'rect' },
      encoding: {
        ...latticeCellEncoding(size),
        color: { field: 'p', type: 'quantitative', title: 'probability', scale: { domain: [0, 1], scheme: 'greys' } },
      },
    },
  };
}

/** Training history: any numeric per-step quantity (e.g. loss, gradient norm) against the step. */
export function historySpec(history: Record<string, number>[], keys: readonly string[]): Spec {
  const values: Record<string, unknown>[] = [];
  for (const row of history) for (const key of keys) if (Number.isFinite(row[key])) values.push({ step: row.step, quantity: key, value: r(row[key]) });
  return {
    data: { values },
    facet: { field: 'quantity', type: 'nominal', title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 240,
      height: 140,
      mark: { type: 'line', strokeWidth: 1 },
      encoding: { x: { field: 'step', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } } },
    },
  };
}

/** Colours of species 1, 2, ... in lattice pictures of any model. */
export const SPECIES_PALETTE = ['#222222', '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

/**
 * Lattice pictures of any model: one panel per 2-d array of site codes (rows × cols, row-major; 0 = empty, k =
 * species k), one rect per occupied site. A 1D trajectory is one panel with time down the rows (a space-time image);
 * a 2D lattice gives snapshots; a 3D lattice, slices.
 *
 * @example
 * ```ts
 * latticeImageSpec(['A'], [{ label: 'run 0', rows: 200, cols: 100, codes, rowTitle: 't' }]);
 * ```
 */
export function latticeImageSpec(species: readonly string[], panels: { label: string; rows: number; cols: number; codes: Uint8Array; rowTitle?: string }[]): Spec {
  const values: Record<string, unknown>[] = [];
  for (const { label, rows, cols, codes } of panels) {
    for (let site = 0; site < rows * cols; site++) {
      const code = codes[site];
      if (code === 0) continue;
      const i = Math.floor(site / cols);
      const j = site % cols;
      values.push({ panel: label, i, j, i1: i + 1, j1: j + 1, species: species[code - 1] ?? String(code) });
    }
  }
  const { rows, cols } = panels[0];
  const width = Math.max(160, Math.min(600, cols * (cols > 100 ? 1 : 6)));
  const height = Math.max(160, Math.min(400, rows * (rows > 100 ? 2 : 6)));
  return {
    data: { values },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.label) } },
    spec: {
      width,
      height,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'j', type: 'quantitative', scale: { domain: [0, cols], nice: false }, title: 'site' },
        x2: { field: 'j1' },
        y: { field: 'i', type: 'quantitative', scale: { domain: [0, rows], nice: false, reverse: true }, title: panels[0].rowTitle ?? null },
        y2: { field: 'i1' },
        color: { field: 'species', type: 'nominal', scale: { domain: [...species], range: SPECIES_PALETTE.slice(0, species.length) }, title: null },
      },
    },
  };
}
