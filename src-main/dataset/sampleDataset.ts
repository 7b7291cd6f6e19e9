import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { Rng } from '../engine/index.js';
import { UserError } from '../util/errors.js';
import { encodeImage } from './encode.js';
import { makeFolder } from '../util/folders.js';

/** Classes of the built-in demo dataset, one subfolder each. */
export const SAMPLE_CLASSES = ['circles', 'squares', 'triangles'] as const;

export interface SampleDatasetOptions {
  /** Number of images, spread round-robin over the classes. Default 600. */
  count?: number;
  /** Side of each square PNG. Default 32. */
  size?: number;
  /** Same seed, same bytes (for a given sharp/libpng build). Default 0. */
  seed?: number;
}

type Rgb = [number, number, number];

/** h in [0, 1), s and l in [0, 1] → 0..255 sRGB. */
function hslToRgb(h: number, s: number, l: number): Rgb {
  const k = (n: number): number => (n + h * 12) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** An inside-test in pixel coordinates (x right, y down). */
type Shape = (x: number, y: number) => boolean;

function makeShape(
  kind: (typeof SAMPLE_CLASSES)[number],
  cx: number,
  cy: number,
  r: number,
  angle: number,
): Shape {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  switch (kind) {
    case 'circles':
      return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
    case 'squares': {
      // Half-side chosen so the square's area is close to the circle's: the classes differ in shape, not size.
      const h = r * 0.886;
      return (x, y) => {
        const u = (x - cx) * cos + (y - cy) * sin;
        const v = -(x - cx) * sin + (y - cy) * cos;
        return Math.abs(u) <= h && Math.abs(v) <= h;
      };
    }
    case 'triangles': {
      // Equilateral, circumradius 1.2 r (a triangle of radius r looks much smaller than a circle of radius r).
      const R = r * 1.2;
      const pts = [0, 1, 2].map((i) => {
        const t = angle + (i * 2 * Math.PI) / 3 - Math.PI / 2;
        return [cx + R * Math.cos(t), cy + R * Math.sin(t)] as const;
      });
      const [p0, p1, p2] = pts as [
        readonly [number, number],
        readonly [number, number],
        readonly [number, number],
      ];
      const edge = (
        a: readonly [number, number],
        b: readonly [number, number],
        x: number,
        y: number,
      ): number => (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
      return (x, y) => {
        const d0 = edge(p0, p1, x, y);
        const d1 = edge(p1, p2, x, y);
        const d2 = edge(p2, p0, x, y);
        return (d0 >= 0 && d1 >= 0 && d2 >= 0) || (d0 <= 0 && d1 <= 0 && d2 <= 0);
      };
    }
  }
}

/** Draws one anti-aliased shape (4×4 supersampling) over a flat background; uint8 RGB HWC. */
function rasterise(size: number, shape: Shape, fg: Rgb, bg: Rgb): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) if (shape(x + (sx + 0.5) / n, y + (sy + 0.5) / n)) hits++;
      }
      const c = hits / (n * n);
      const o = (y * size + x) * 3;
      for (let ch = 0; ch < 3; ch++) out[o + ch] = Math.round(bg[ch]! * (1 - c) + fg[ch]! * c);
    }
  }
  return out;
}

/**
 * Writes the built-in demo dataset: RGB PNGs of one circle, square or triangle each (subfolders circles/,
 * squares/, triangles/), with random position, size, rotation, hue and background, drawn by the project itself
 * so the demo needs no download. Shapes always contrast with their background (a dark shape on a light
 * background or the reverse), which is what makes it learnable by a small VAE in a few epochs.
 * Deterministic for a seed.
 */
export async function writeSampleDataset(
  folder: string,
  options: SampleDatasetOptions = {},
): Promise<{ files: number; classes: string[] }> {
  const count = options.count ?? 600;
  const size = options.size ?? 32;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(count) || count < 1)
    throw new UserError('BAD_OPTION', `count must be a positive integer, got ${count}`);
  if (!Number.isInteger(size) || size < 8 || size > 1024) {
    throw new UserError('BAD_OPTION', `size must be an integer from 8 to 1024, got ${size}`);
  }
  for (const cls of SAMPLE_CLASSES) await makeFolder(join(folder, cls));

  const rng = new Rng(seed);
  const random = (): number => rng.next();
  const jobs: { path: string; pixels: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const kind = SAMPLE_CLASSES[i % SAMPLE_CLASSES.length]!;
    const darkBackground = random() < 0.5;
    const bg = hslToRgb(
      random(),
      0.15 + 0.25 * random(),
      darkBackground ? 0.1 + 0.15 * random() : 0.8 + 0.12 * random(),
    );
    const fg = hslToRgb(
      random(),
      0.6 + 0.4 * random(),
      darkBackground ? 0.55 + 0.15 * random() : 0.3 + 0.15 * random(),
    );
    const r = size * (0.18 + 0.14 * random());
    const margin = r * 1.2 + 1;
    const cx = margin + (size - 2 * margin) * random();
    const cy = margin + (size - 2 * margin) * random();
    const angle = random() * 2 * Math.PI;
    const pixels = rasterise(size, makeShape(kind, cx, cy, r, angle), fg, bg);
    const index = String(Math.floor(i / SAMPLE_CLASSES.length)).padStart(4, '0');
    jobs.push({ path: join(folder, kind, `${kind.slice(0, -1)}-${index}.png`), pixels });
    // Encode in small batches: bounded memory and parallel libvips work without a pile of pending promises.
    if (jobs.length === 32 || i === count - 1) {
      await Promise.all(
        jobs.map(async (job) => writeFile(job.path, await encodeImage(job.pixels, size, size, 3, 'png'))),
      );
      jobs.length = 0;
    }
  }
  return { files: count, classes: [...SAMPLE_CLASSES] };
}
