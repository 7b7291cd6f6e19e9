import { describe, expect, it } from 'vitest';
import {
  baseScale,
  boundsOf,
  fittedViewport,
  panBy,
  PointGrid,
  toData,
  toScreen,
  zoomAbout,
} from '../../../src-renderer/src/lib/mapView';

const size = { width: 448, height: 248 };

describe('the map canvas geometry', () => {
  it('fits every point in the canvas with a margin, the same scale on both axes', () => {
    const bounds = boundsOf([0, 10, 5], [0, 2, 1]);
    const scale = baseScale(bounds, size);
    expect(scale).toBe(40); // (448 − 48) / 10 = 40 < (248 − 48) / 2 = 100
    const view = fittedViewport(bounds);
    expect(toScreen(view, scale, size, 0, 0)).toEqual([24, 84]);
    expect(toScreen(view, scale, size, 10, 2)).toEqual([424, 164]);
  });

  it('zooms about the pointer (the point under it stays) and pans by a drag', () => {
    const bounds = boundsOf([0, 10], [0, 2]);
    const scale = baseScale(bounds, size);
    const view = fittedViewport(bounds);
    const under = toData(view, scale, size, 100, 50);
    const zoomed = zoomAbout(view, scale, size, 100, 50, 4);
    expect(zoomed.zoom).toBe(4);
    const still = toData(zoomed, scale, size, 100, 50);
    expect(still[0]).toBeCloseTo(under[0], 9);
    expect(still[1]).toBeCloseTo(under[1], 9);
    const panned = panBy(zoomed, scale, 160, 0);
    expect(panned.centreX).toBeCloseTo(zoomed.centreX - 1, 9); // 160 px at 160 px per unit
  });

  it('finds the point under the pointer and the points in a box among many', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i % 100);
    const ys = Array.from({ length: 10_000 }, (_, i) => Math.floor(i / 100));
    const grid = new PointGrid(xs, ys, boundsOf(xs, ys));
    expect(grid.nearest(42.2, 7.1, 0.5)).toBe(742);
    expect(grid.nearest(42.5, 7.5, 0.3)).toBeNull();
    expect(grid.inBox(10, 20, 11.5, 21)).toEqual([2010, 2011, 2110, 2111]);
  });
});
