/**
 * The geometry of the latent map's canvas, kept out of the component so it can be tested: the fit of the points
 * to the canvas, zoom about a point and pan, and a grid over the points that finds the one under the pointer (or
 * those in a box) among 10⁴ without looking at each.
 */

/** Where the map looks: the data point at the canvas centre and the zoom (1 = every point fits). */
export interface MapViewport {
  centreX: number;
  centreY: number;
  zoom: number;
}

/** Canvas size in CSS pixels. */
export interface CanvasSize {
  width: number;
  height: number;
}

export const MIN_ZOOM = 0.5;
export const MAX_ZOOM = 200;
/** Canvas pixels kept free round the points at zoom 1. */
const MARGIN = 24;

/** The points' bounding box in data units (a degenerate one is widened to 1 unit). */
export interface Bounds {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

export function boundsOf(xs: readonly number[], ys: readonly number[]): Bounds {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < xs.length; i++) {
    minX = Math.min(minX, xs[i]!);
    maxX = Math.max(maxX, xs[i]!);
    minY = Math.min(minY, ys[i]!);
    maxY = Math.max(maxY, ys[i]!);
  }
  if (!Number.isFinite(minX)) return { minX: -0.5, maxX: 0.5, minY: -0.5, maxY: 0.5 };
  if (maxX - minX < 1e-9) [minX, maxX] = [minX - 0.5, maxX + 0.5];
  if (maxY - minY < 1e-9) [minY, maxY] = [minY - 0.5, maxY + 0.5];
  return { minX, maxX, minY, maxY };
}

/** The viewport that shows every point. */
export function fittedViewport(bounds: Bounds): MapViewport {
  return { centreX: (bounds.minX + bounds.maxX) / 2, centreY: (bounds.minY + bounds.maxY) / 2, zoom: 1 };
}

/** CSS pixels per data unit at zoom 1: the whole box fits, the same scale on both axes. */
export function baseScale(bounds: Bounds, size: CanvasSize): number {
  const w = Math.max(1, size.width - 2 * MARGIN);
  const h = Math.max(1, size.height - 2 * MARGIN);
  return Math.min(w / (bounds.maxX - bounds.minX), h / (bounds.maxY - bounds.minY));
}

/** A data point's place on the canvas (y grows downwards on both). */
export function toScreen(
  view: MapViewport,
  scale: number,
  size: CanvasSize,
  x: number,
  y: number,
): [number, number] {
  const s = scale * view.zoom;
  return [(x - view.centreX) * s + size.width / 2, (y - view.centreY) * s + size.height / 2];
}

/** The data point under a canvas position. */
export function toData(
  view: MapViewport,
  scale: number,
  size: CanvasSize,
  px: number,
  py: number,
): [number, number] {
  const s = scale * view.zoom;
  return [(px - size.width / 2) / s + view.centreX, (py - size.height / 2) / s + view.centreY];
}

/** Zooms by `factor` keeping the data point under canvas position (px, py) where it is. */
export function zoomAbout(
  view: MapViewport,
  scale: number,
  size: CanvasSize,
  px: number,
  py: number,
  factor: number,
): MapViewport {
  const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, view.zoom * factor));
  const [x, y] = toData(view, scale, size, px, py);
  const s = scale * zoom;
  return { zoom, centreX: x - (px - size.width / 2) / s, centreY: y - (py - size.height / 2) / s };
}

/** Moves the view by a drag of (dx, dy) canvas pixels. */
export function panBy(view: MapViewport, scale: number, dx: number, dy: number): MapViewport {
  const s = scale * view.zoom;
  return { ...view, centreX: view.centreX - dx / s, centreY: view.centreY - dy / s };
}

/** A grid of buckets over the points' box: each point in the cell its data position falls in. */
export class PointGrid {
  private readonly cells: number[][];
  private readonly side: number;

  constructor(
    private readonly xs: readonly number[],
    private readonly ys: readonly number[],
    private readonly bounds: Bounds,
  ) {
    // About 4 points a cell on average.
    this.side = Math.max(1, Math.min(512, Math.round(Math.sqrt(xs.length / 4))));
    this.cells = Array.from({ length: this.side * this.side }, () => []);
    for (let i = 0; i < xs.length; i++) this.cells[this.cell(xs[i]!, ys[i]!)]!.push(i);
  }

  private column(x: number): number {
    const { minX, maxX } = this.bounds;
    return Math.min(this.side - 1, Math.max(0, Math.floor(((x - minX) / (maxX - minX)) * this.side)));
  }

  private row(y: number): number {
    const { minY, maxY } = this.bounds;
    return Math.min(this.side - 1, Math.max(0, Math.floor(((y - minY) / (maxY - minY)) * this.side)));
  }

  private cell(x: number, y: number): number {
    return this.row(y) * this.side + this.column(x);
  }

  /** Every point inside the data box, in index order. */
  inBox(x0: number, y0: number, x1: number, y1: number): number[] {
    const [lx, hx, ly, hy] = [Math.min(x0, x1), Math.max(x0, x1), Math.min(y0, y1), Math.max(y0, y1)];
    const found: number[] = [];
    for (let r = this.row(ly); r <= this.row(hy); r++) {
      for (let c = this.column(lx); c <= this.column(hx); c++) {
        for (const i of this.cells[r * this.side + c]!) {
          const [x, y] = [this.xs[i]!, this.ys[i]!];
          if (x >= lx && x <= hx && y >= ly && y <= hy) found.push(i);
        }
      }
    }
    return found.sort((a, b) => a - b);
  }

  /** The point nearest to (x, y) within `radius` data units, or null. */
  nearest(x: number, y: number, radius: number): number | null {
    let best: number | null = null;
    let bestSquared = radius * radius;
    for (const i of this.inBox(x - radius, y - radius, x + radius, y + radius)) {
      const d = (this.xs[i]! - x) ** 2 + (this.ys[i]! - y) ** 2;
      if (d <= bestSquared) {
        best = i;
        bestSquared = d;
      }
    }
    return best;
  }
}

/** Colours of up to 10 classes (Tableau 10: tell-apart hues), then repeated; grey for no class. */
const CLASS_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
export const NO_CLASS_COLOUR = '#8a8f98';

export function classColour(label: number): string {
  return label < 0 ? NO_CLASS_COLOUR : CLASS_COLOURS[label % CLASS_COLOURS.length]!;
}
