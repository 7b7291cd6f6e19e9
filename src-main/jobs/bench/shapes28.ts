import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeImage } from '../../dataset/index.js';
import { Rng } from '../../engine/index.js';
import { makeFolder } from '../../util/folders.js';

/** Side of the −ELBO parity images: std28's input. */
export const SHAPE_SIZE = 28;

const KINDS = ['disc', 'square', 'triangle', 'ring'] as const;

/** Where {@link writeShapeSplits} put the images. */
export interface ShapeSplits {
  train: string;
  test: string;
  trainCount: number;
  testCount: number;
}

/**
 * Writes the fixed −ELBO parity dataset: `train` and `test` flat folders of 28×28 8-bit grayscale PNGs
 * (`shape-000000.png`, …, so sorted filename order is drawing order), one bright anti-aliased disc, square,
 * triangle or ring on black per image, MNIST-like. Deterministic for `seed`.
 *
 * The files are already 28×28×1, so neither side resamples or converts them: the peer's PIL `convert("L")` and
 * our import both read back exactly the drawn bytes. No two images (train and test together) are byte-identical,
 * because our import drops duplicates and the peer does not; the two would then train on different data.
 */
export async function writeShapeSplits(
  dir: string,
  opts: { train: number; test: number; seed: number },
): Promise<ShapeSplits> {
  const train = join(dir, 'train');
  const test = join(dir, 'test');
  await makeFolder(train);
  await makeFolder(test);
  const rng = new Rng(opts.seed);
  const random = (): number => rng.next();
  const seen = new Set<string>();
  const drawUnique = (): Uint8Array => {
    for (;;) {
      const pixels = drawShape(random);
      const hash = createHash('sha1').update(pixels).digest('hex');
      if (!seen.has(hash)) {
        seen.add(hash);
        return pixels;
      }
    }
  };
  for (const [folder, count] of [
    [train, opts.train],
    [test, opts.test],
  ] as const) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const pixels = drawUnique();
      const file = join(folder, `shape-${String(i).padStart(6, '0')}.png`);
      batch.push(encodeImage(pixels, SHAPE_SIZE, SHAPE_SIZE, 1, 'png').then((png) => writeFile(file, png)));
      // Small batches: parallel libvips work without thousands of pending promises.
      if (batch.length === 64 || i === count - 1) await Promise.all(batch.splice(0));
    }
  }
  return { train, test, trainCount: opts.train, testCount: opts.test };
}

/** One image: a shape of random kind, size, position, rotation and brightness; uint8, row-major. */
function drawShape(random: () => number): Uint8Array {
  const s = SHAPE_SIZE;
  const kind = KINDS[Math.floor(random() * KINDS.length)]!;
  const r = s * (0.16 + 0.14 * random());
  const margin = r * 1.2 + 1;
  const cx = margin + (s - 2 * margin) * random();
  const cy = margin + (s - 2 * margin) * random();
  const angle = random() * 2 * Math.PI;
  const level = 150 + Math.floor(106 * random());
  const inside = shapeTest(kind, cx, cy, r, angle);
  const out = new Uint8Array(s * s);
  const n = 4; // 4×4 supersampling per pixel
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++) if (inside(x + (sx + 0.5) / n, y + (sy + 0.5) / n)) hits++;
      out[y * s + x] = Math.round((level * hits) / (n * n));
    }
  }
  return out;
}

function shapeTest(
  kind: (typeof KINDS)[number],
  cx: number,
  cy: number,
  r: number,
  angle: number,
): (x: number, y: number) => boolean {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // Coordinates in the shape's rotated frame.
  const u = (x: number, y: number): number => (x - cx) * cos + (y - cy) * sin;
  const v = (x: number, y: number): number => -(x - cx) * sin + (y - cy) * cos;
  switch (kind) {
    case 'disc':
      return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
    case 'ring':
      return (x, y) => {
        const d2 = (x - cx) ** 2 + (y - cy) ** 2;
        return d2 <= r * r && d2 >= (0.55 * r) ** 2;
      };
    case 'square':
      return (x, y) => Math.abs(u(x, y)) <= 0.886 * r && Math.abs(v(x, y)) <= 0.886 * r;
    case 'triangle':
      // Equilateral with circumradius 1.2 r: apex at v = −1.2 r, base at v = 0.6 r.
      return (x, y) => {
        const a = u(x, y);
        const b = v(x, y);
        const R = 1.2 * r;
        return b <= 0.5 * R && Math.sqrt(3) * Math.abs(a) <= b + R;
      };
  }
}
