/**
 * Drawing a lattice: 2-D as an image (axis 0 down, axis 1 across), 1-D as a space-time image (one row per
 * snapshot, time downwards), 3-D as one slice (a chosen index of axis 0). Pixels are sites; CSS scales them.
 */

/**
 * Colours of the occupancy codes: empty, then species 1, 2, ... as RGB.
 *
 * @example
 * ```ts
 * const [r, g, b] = SITE_COLORS[1]; // the first species
 * ```
 */
export const SITE_COLORS: [number, number, number][] = [
  [245, 245, 245],
  [31, 119, 180],
  [214, 39, 40],
  [44, 160, 44],
  [148, 103, 189],
  [255, 127, 14],
  [23, 190, 207],
];

function paint(data: Uint8ClampedArray, pixel: number, code: number): void {
  const c = SITE_COLORS[code % SITE_COLORS.length];
  data[pixel * 4] = c[0];
  data[pixel * 4 + 1] = c[1];
  data[pixel * 4 + 2] = c[2];
  data[pixel * 4 + 3] = 255;
}

/**
 * Sizes the canvas for a lattice of `shape` with `steps` snapshots (1-D: a steps × L image).
 *
 * @example
 * ```ts
 * prepareLatticeCanvas(canvas, [40, 40], 500); // 40 x 40 pixels
 * ```
 */
export function prepareLatticeCanvas(canvas: HTMLCanvasElement, shape: readonly number[], steps: number): void {
  if (shape.length === 1) {
    canvas.width = shape[0];
    canvas.height = steps;
  } else {
    canvas.width = shape[shape.length - 1];
    canvas.height = shape[shape.length - 2];
  }
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = 'rgb(245,245,245)';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}

/** Each canvas's pixel buffer, reused from frame to frame. */
const frameImages = new WeakMap<HTMLCanvasElement, ImageData>();

/**
 * Draws the current occupancy (2-D, or slice `slice` of axis 0 in 3-D).
 *
 * @example
 * ```ts
 * drawLattice(canvas, [40, 40], live.occupancy);
 * ```
 */
export function drawLattice(canvas: HTMLCanvasElement, shape: readonly number[], occupancy: Uint8Array, slice = 0): void {
  const ctx = canvas.getContext('2d')!;
  const w = shape[shape.length - 1];
  const h = shape[shape.length - 2];
  const offset = shape.length === 3 ? slice * w * h : 0;
  let image = frameImages.get(canvas);
  if (!image || image.width !== w || image.height !== h) {
    image = ctx.createImageData(w, h);
    frameImages.set(canvas, image);
  }
  for (let i = 0; i < w * h; i++) paint(image.data, i, occupancy[offset + i]);
  ctx.putImageData(image, 0, 0);
}

/**
 * Draws 1-D snapshots `history` (rows of L sites) as rows `from`, `from + 1`, ... of the space-time image.
 *
 * @example
 * ```ts
 * drawSpaceTimeRows(canvas, 100, history, 10); // rows 10, 11, ... of a 100-site lattice's space-time image
 * ```
 */
export function drawSpaceTimeRows(canvas: HTMLCanvasElement, L: number, history: Uint8Array, from: number): void {
  const rows = history.length / L;
  if (rows === 0) return;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(L, rows);
  for (let i = 0; i < history.length; i++) paint(image.data, i, history[i]);
  ctx.putImageData(image, 0, from);
}
