/**
 * A small canvas line chart: solid lines for the live run, a mean line with a ±SD band for the ensemble, dashed
 * and dotted lines for predictors; a legend whose entries toggle their series.
 */

/** One series of the chart. */
export interface Series {
  id: string;
  label: string;
  color: string;
  times: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Half-width of a band around the line (ensemble SD). */
  band?: ArrayLike<number>;
  dash?: number[];
  /** Line width in pixels (default 1.5; 2.5 with a band). */
  width?: number;
  /** Number of points to draw (default all). */
  length?: number;
}

/**
 * Line colours, one per observable (its index in the model's observable list).
 *
 * @example
 * ```ts
 * const color = PALETTE[index % PALETTE.length];
 * ```
 */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

/**
 * Draws `series` into `canvas` over the time range [0, tMax]; hidden ids are left out.
 *
 * @example
 * ```ts
 * drawChart(canvas, [{ id: 'run:X', label: 'X', color: PALETTE[0], times: [0, 1, 2], values: [5, 7, 6] }], 2, new Set());
 * ```
 */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], tMax: number, hidden: ReadonlySet<string>): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  const left = 60;
  const right = 10;
  const top = 10;
  const bottom = 30;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  const shown = series.filter((s) => !hidden.has(s.id));
  let yMax = 0;
  for (const s of shown) {
    const n = s.length ?? s.values.length;
    for (let i = 0; i < n; i++) {
      const v = s.values[i] + (s.band ? s.band[i] : 0);
      if (Number.isFinite(v) && v > yMax) yMax = v;
    }
  }
  if (yMax <= 0) yMax = 1;
  yMax *= 1.05;
  const tm = tMax > 0 ? tMax : 1;
  const x = (t: number) => left + ((W - left - right) * t) / tm;
  const y = (v: number) => top + (H - top - bottom) * (1 - v / yMax);
  ctx.strokeStyle = '#888';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left, top);
  ctx.lineTo(left, H - bottom);
  ctx.lineTo(W - right, H - bottom);
  ctx.stroke();
  ctx.fillStyle = '#333';
  ctx.font = '11px sans-serif';
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    ctx.fillText(v >= 100 ? v.toFixed(0) : v.toPrecision(3), 4, y(v) + 4);
    const t = (tm * k) / 4;
    ctx.fillText(t.toPrecision(3), x(t) - 8, H - bottom + 16);
  }
  ctx.fillText('time', W - right - 30, H - 4);
  for (const s of shown) {
    const n = Math.min(s.length ?? s.values.length, s.times.length);
    if (n === 0) continue;
    if (s.band) {
      ctx.globalAlpha = 0.18;
      ctx.fillStyle = s.color;
      ctx.beginPath();
      for (let i = 0; i < n; i++) ctx.lineTo(x(s.times[i]), y(s.values[i] + s.band[i]));
      for (let i = n - 1; i >= 0; i--) ctx.lineTo(x(s.times[i]), y(Math.max(0, s.values[i] - s.band[i])));
      ctx.closePath();
      ctx.fill();
      ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.width ?? (s.band ? 2.5 : 1.5);
    ctx.setLineDash(s.dash ?? []);
    ctx.beginPath();
    tracePolyline(ctx, s.times, s.values, n, x, y);
    ctx.stroke();
    ctx.setLineDash([]);
  }
}

/**
 * Adds a series' line to the current path. Where several points fall in one pixel column (long runs), the column
 * is drawn as its first value, its minimum, its maximum and its last value: the same picture as every point, at a
 * cost bounded by the chart's width instead of the run's length.
 */
function tracePolyline(ctx: CanvasRenderingContext2D, times: ArrayLike<number>, values: ArrayLike<number>, n: number, x: (t: number) => number, y: (v: number) => number): void {
  let started = false;
  let column = Number.NaN;
  let first = 0;
  let lo = 0;
  let hi = 0;
  let last = 0;
  let px = 0;
  const flush = () => {
    const yFirst = y(first);
    if (!started) {
      ctx.moveTo(px, yFirst);
      started = true;
    } else ctx.lineTo(px, yFirst);
    if (lo !== first) ctx.lineTo(px, y(lo));
    if (hi !== lo) ctx.lineTo(px, y(hi));
    if (last !== hi) ctx.lineTo(px, y(last));
  };
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    const xi = x(times[i]);
    const c = Math.floor(xi);
    if (c === column) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      last = v;
      continue;
    }
    if (!Number.isNaN(column)) flush();
    column = c;
    px = xi;
    first = v;
    lo = v;
    hi = v;
    last = v;
  }
  if (!Number.isNaN(column)) flush();
}
