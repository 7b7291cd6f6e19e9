import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { SCRATCH_ENV } from '../helpers/scratchRoot.js';

/** A fresh temporary folder; call the returned cleanup in afterEach/afterAll. */
export async function makeTempDir(
  prefix = 'vae-dataset-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(process.env[SCRATCH_ENV] ?? tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type Rgb = [number, number, number];

/** A flat-colour RGB image as raw pixels. */
export function solid(width: number, height: number, rgb: Rgb): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) px.set(rgb, i * 3);
  return px;
}

/**
 * Raw RGB pixels of a width × height image whose columns are painted by `colourAt(x)` (vertical stripes),
 * the simplest content that shows how cover/contain/fill and rotations move pixels.
 */
export function columns(width: number, height: number, colourAt: (x: number) => Rgb): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) px.set(colourAt(x), (y * width + x) * 3);
  return px;
}

export function rawSharp(px: Buffer, width: number, height: number, channels: 1 | 3 | 4 = 3): Sharp {
  return sharp(px, { raw: { width, height, channels } });
}

/** A solid-colour PNG. */
export function solidPng(width: number, height: number, rgb: Rgb): Promise<Buffer> {
  return rawSharp(solid(width, height, rgb), width, height)
    .png()
    .toBuffer();
}

/** Pixel (x, y) of an HWC image. */
export function pixelAt(pixels: Uint8Array, size: number, channels: number, x: number, y: number): number[] {
  const o = (y * size + x) * channels;
  return [...pixels.subarray(o, o + channels)];
}

/** Asserts-friendly: every component within `tol` of the expected colour. */
export function near(actual: number[], expected: number[], tol = 8): boolean {
  return (
    actual.length === expected.length && actual.every((v, i) => Math.abs(v - (expected[i] ?? NaN)) <= tol)
  );
}
