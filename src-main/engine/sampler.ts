/**
 * Using a trained model: sampling z, decoding to uint8 images, encoding, reconstruction, latent interpolation,
 * held-out −ELBO and contact-sheet tiling. Latent vectors come from the JS PRNG, so image i of a seed is the
 * same on every backend and does not depend on how many images are generated around it. Results are read back
 * asynchronously, the one way every backend (WebGPU included) supports.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GenerateSettings } from '../contract/settings/index.js';
import { meanNegElbo } from './loss.js';
import type { VaeModel } from './model.js';
import {
  batchLabels,
  imageBytes,
  labelsToTensor,
  logitsToBytes,
  sliceToTensor,
  type ClassLabels,
} from './pixels.js';
import { hashSeed, normals, SeedTag } from './rng.js';
import type { ImageBatch, LossTerms, PreviewImage } from './types.js';

/** The PRNG seed of image `index` of a generation seeded with `seed`. */
export function latentSeed(seed: number, index: number): number {
  return hashSeed(seed, index);
}

/**
 * The seed of class `classIndex`'s own stream in a conditional generation seeded with `seed`: image j of that class
 * has the latent a sampler draws for index j of this seed, `latentSeed(classLatentSeed(seed, k), j)`. So each class
 * has its own images 0, 1, 2, … (independent of the other classes' and of how many of them are asked for), and
 * (seed, class, index) names one image.
 */
export function classLatentSeed(seed: number, classIndex: number): number {
  return hashSeed(seed, SeedTag.classStream, classIndex);
}

/**
 * `count` latent vectors z ~ N(0, temperature²·I). Vector i depends only on (seed, startIndex + i, temperature),
 * so generating images 0..99 in one call or in batches gives the same images.
 */
export function sampleLatents(
  count: number,
  latentDim: number,
  seed: number,
  temperature: number,
  startIndex = 0,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const z = normals(latentDim, latentSeed(seed, startIndex + i));
    if (temperature !== 1) for (let d = 0; d < latentDim; d++) z[d]! *= temperature;
    out.push(z);
  }
  return out;
}

/** Which distribution new latents come from: the prior N(0, I), or a mixture fitted to the training latents. */
export type SamplerKind = GenerateSettings['sampler'];

/**
 * Draws latent vectors for generation. Vector i of a call depends only on (seed, startIndex + i, temperature)
 * and the sampler's own parameters, never on how many are drawn around it.
 */
export interface LatentSampler {
  readonly kind: SamplerKind;
  readonly latentDim: number;
  sample(count: number, seed: number, temperature: number, startIndex?: number): Float32Array[];
}

/** The prior sampler: z ~ N(0, temperature²·I), as {@link sampleLatents}. */
export function priorSampler(latentDim: number): LatentSampler {
  return {
    kind: 'prior',
    latentDim,
    sample: (count, seed, temperature, startIndex = 0) =>
      sampleLatents(count, latentDim, seed, temperature, startIndex),
  };
}

function checkLatents(model: VaeModel, z: Float32Array[]): void {
  const L = model.config.latentDim;
  z.forEach((v, i) => {
    if (v.length !== L) throw new Error(`latent ${i} has ${v.length} dimensions, the model needs ${L}`);
  });
}

/**
 * Decodes latent vectors to uint8 images, pixel = round(255·sigmoid(logits)), `batchSize` at a time. A
 * conditional model decodes each z under its class: `labels` holds one class index (or one soft K-vector) per z;
 * an unconditional model takes none. The images carry the class indices when they were given.
 */
export async function decodeLatents(
  model: VaeModel,
  z: Float32Array[],
  batchSize: number,
  labels?: ClassLabels,
): Promise<ImageBatch> {
  checkLatents(model, z);
  const K = model.labelSize;
  if (K > 0 && labels === undefined)
    throw new Error(`the model is conditional on ${K} classes: give each z a label`);
  if (K === 0 && labels !== undefined) throw new Error('the model is unconditional and takes no labels');
  if (labels !== undefined && labels.length !== z.length) {
    throw new Error(`${labels.length} labels for ${z.length} latents`);
  }
  const { imageSize: size, channels, latentDim: L } = model.config;
  const per = imageBytes(size, channels);
  const pixels = new Uint8Array(z.length * per);
  const step = Math.max(1, Math.floor(batchSize));
  for (let start = 0; start < z.length; start += step) {
    const chunk = z.slice(start, start + step);
    const flat = new Float32Array(chunk.length * L);
    chunk.forEach((v, i) => flat.set(v, i * L));
    const logits = tf.tidy(() =>
      model.decodeLogits(
        tf.tensor2d(flat, [chunk.length, L]),
        labels === undefined ? undefined : labelsToTensor(labels, start, chunk.length, K),
      ),
    );
    try {
      pixels.set(await logitsToBytes(logits), start * per);
    } finally {
      logits.dispose();
    }
  }
  const out: ImageBatch = { pixels, count: z.length, size, channels };
  const indices = labels?.[0] === undefined || typeof labels[0] === 'number';
  if (labels !== undefined && indices) out.labels = Uint16Array.from(labels as ArrayLike<number>);
  return out;
}

/**
 * q(z|x) of each image (a conditional model's q(z|x, y), with the images' labels): μ and σ = exp(0.5·log σ²), one
 * Float32Array of length L per image.
 */
export async function encodeImages(
  model: VaeModel,
  images: ImageBatch,
  batchSize: number,
): Promise<{ mu: Float32Array[]; sigma: Float32Array[] }> {
  checkImages(model, images);
  const L = model.config.latentDim;
  const mu: Float32Array[] = [];
  const sigma: Float32Array[] = [];
  const step = Math.max(1, Math.floor(batchSize));
  for (let start = 0; start < images.count; start += step) {
    const q = tf.tidy(() => {
      const y = batchLabels(images, start, step, model.labelSize);
      const e = model.encode(sliceToTensor(images, start, step), y);
      return { m: e.mu, s: tf.exp(tf.mul(e.logVar, 0.5)) };
    });
    try {
      const [mv, sv] = await Promise.all([q.m.data(), q.s.data()]);
      const n = q.m.shape[0];
      for (let i = 0; i < n; i++) {
        mu.push(Float32Array.from(mv.subarray(i * L, (i + 1) * L)));
        sigma.push(Float32Array.from(sv.subarray(i * L, (i + 1) * L)));
      }
    } finally {
      tf.dispose([q.m, q.s]);
    }
  }
  return { mu, sigma };
}

function checkImages(model: VaeModel, images: ImageBatch): void {
  const { imageSize, channels } = model.config;
  if (images.size !== imageSize || images.channels !== channels) {
    throw new Error(
      `images are ${images.size}×${images.size}×${images.channels}, the model needs ${imageSize}×${imageSize}×${channels}`,
    );
  }
}

/**
 * Reconstructions: each image encoded to μ and decoded (no sampling), as uint8 images; a conditional model's
 * under the images' own labels, which the result keeps.
 */
export async function reconstructImages(
  model: VaeModel,
  images: ImageBatch,
  batchSize: number,
): Promise<ImageBatch> {
  checkImages(model, images);
  const per = imageBytes(images.size, images.channels);
  const pixels = new Uint8Array(images.count * per);
  const step = Math.max(1, Math.floor(batchSize));
  for (let start = 0; start < images.count; start += step) {
    const logits = tf.tidy(() => {
      const y = batchLabels(images, start, step, model.labelSize);
      return model.decodeLogits(model.encode(sliceToTensor(images, start, step), y).mu, y);
    });
    try {
      pixels.set(await logitsToBytes(logits), start * per);
    } finally {
      logits.dispose();
    }
  }
  const out: ImageBatch = { pixels, count: images.count, size: images.size, channels: images.channels };
  if (images.labels) out.labels = images.labels.slice();
  return out;
}

/**
 * `steps` (≥ 2) latent vectors from `a` to `b`, both ends included exactly. 'slerp' follows the great circle
 * (keeps the norm when |a| = |b|, which suits Gaussian latents); it falls back to 'lerp' when a and b are
 * nearly parallel or one is zero, where the slerp formula divides by ~0.
 */
export function interpolateLatents(
  a: Float32Array,
  b: Float32Array,
  steps: number,
  mode: 'lerp' | 'slerp',
): Float32Array[] {
  if (a.length !== b.length) throw new Error(`latents differ in length: ${a.length} vs ${b.length}`);
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`steps must be an integer ≥ 2, got ${steps}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const cos = na > 0 && nb > 0 ? Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))) : 1;
  const omega = Math.acos(cos);
  const useSlerp = mode === 'slerp' && Math.sin(omega) > 1e-6;
  const frames: Float32Array[] = [Float32Array.from(a)];
  for (let k = 1; k < steps - 1; k++) {
    const t = k / (steps - 1);
    const wa = useSlerp ? Math.sin((1 - t) * omega) / Math.sin(omega) : 1 - t;
    const wb = useSlerp ? Math.sin(t * omega) / Math.sin(omega) : t;
    const z = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) z[i] = wa * a[i]! + wb * b[i]!;
    frames.push(z);
  }
  frames.push(Float32Array.from(b));
  return frames;
}

/** Held-out −ELBO (β = 1, one seeded sample per image), nats per image and bits/dim. */
export async function evaluateNegElbo(
  model: VaeModel,
  images: ImageBatch,
  batchSize: number,
  seed: number,
): Promise<LossTerms> {
  checkImages(model, images);
  return meanNegElbo(model, images, Math.max(1, Math.floor(batchSize)), seed);
}

/**
 * Lays images out in a grid, row-major, `columns` per row, with `gap` pixels of `background` between cells
 * (not around the edge). Cells past the last image stay background. Used for previews and contact sheets.
 */
export function tileImages(batch: ImageBatch, columns: number, gap = 2, background = 255): PreviewImage {
  const { size, channels, count } = batch;
  const cols = Math.max(1, Math.min(Math.floor(columns), Math.max(1, count)));
  const rows = Math.max(1, Math.ceil(count / cols));
  const width = cols * size + (cols - 1) * gap;
  const height = rows * size + (rows - 1) * gap;
  const pixels = new Uint8Array(width * height * channels).fill(background);
  const rowBytes = size * channels;
  const per = size * rowBytes;
  for (let i = 0; i < count; i++) {
    const x0 = (i % cols) * (size + gap);
    const y0 = Math.floor(i / cols) * (size + gap);
    for (let y = 0; y < size; y++) {
      // One contiguous copy per image row.
      const src = i * per + y * rowBytes;
      pixels.set(batch.pixels.subarray(src, src + rowBytes), ((y0 + y) * width + x0) * channels);
    }
  }
  return { pixels, width, height, channels };
}
