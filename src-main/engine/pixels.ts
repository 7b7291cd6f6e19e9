/**
 * Conversions between the uint8 cache layout and the float tensors the network sees. The byte → float step
 * happens on the tensor side (one multiply by 1/255) rather than in a per-pixel JS loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageBatch } from './types.js';

/** Bytes of one image: size · size · channels. */
export function imageBytes(size: number, channels: number): number {
  return size * size * channels;
}

/** uint8 NHWC bytes of `count` images → float32 [count, size, size, channels] tensor in [0, 1]. */
export function bytesToTensor(
  pixels: Uint8Array,
  count: number,
  size: number,
  channels: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    // Float32Array's constructor converts natively; tfjs would make the same copy for a uint8 input anyway.
    const raw = tf.tensor4d(new Float32Array(pixels.subarray(0, count * imageBytes(size, channels))), [
      count,
      size,
      size,
      channels,
    ]);
    return tf.mul(raw, 1 / 255);
  });
}

/**
 * Class labels of images or latents: a class index per item (its one-hot vector), or a K-vector per item (soft
 * labels, e.g. a walk from one class to another).
 */
export type ClassLabels = ArrayLike<number> | readonly Float32Array[];

/**
 * Items `start … start + n − 1` of `labels` as a [n, K] float tensor: one-hot rows for class indices, the vectors
 * as they are for soft labels. Built in JavaScript, so every backend gets the same numbers.
 * @throws Error for a class index outside 0…K−1 or a vector of another length.
 */
export function labelsToTensor(labels: ClassLabels, start: number, n: number, K: number): tf.Tensor2D {
  const rows = new Float32Array(n * K);
  for (let i = 0; i < n; i++) {
    const label = labels[start + i];
    if (typeof label === 'number') {
      if (!Number.isInteger(label) || label < 0 || label >= K) {
        throw new Error(`class label ${label} of item ${start + i} is outside 0…${K - 1}`);
      }
      rows[i * K + label] = 1;
    } else {
      if (label?.length !== K) {
        throw new Error(
          `class vector of item ${start + i} has ${label?.length} values, the model needs ${K}`,
        );
      }
      rows.set(label, i * K);
    }
  }
  return tf.tensor2d(rows, [n, K]);
}

/**
 * The one-hot labels of `batch`'s images `start …` (at most `count`) for a model whose label is `K` wide, or
 * undefined for an unconditional model (K = 0).
 * @throws Error when a conditional model is given images without labels.
 */
export function batchLabels(
  batch: ImageBatch,
  start: number,
  count: number,
  K: number,
): tf.Tensor2D | undefined {
  if (K === 0) return undefined;
  if (!batch.labels)
    throw new Error(`the model is conditional on ${K} classes, and the images carry no labels`);
  return labelsToTensor(batch.labels, start, Math.min(count, batch.count - start), K);
}

/** The images of `batch` from index `start` (at most `count` of them) as a float tensor in [0, 1]. */
export function sliceToTensor(batch: ImageBatch, start: number, count: number): tf.Tensor4D {
  const per = imageBytes(batch.size, batch.channels);
  const n = Math.min(count, batch.count - start);
  return bytesToTensor(batch.pixels.subarray(start * per, (start + n) * per), n, batch.size, batch.channels);
}

/**
 * Copies the images at `indices` (into `source`, image-major) to the front of `target`, one contiguous
 * `Uint8Array.set` per image. Returns the number of bytes written.
 */
export function gatherImages(
  source: Uint8Array,
  bytesPerImage: number,
  indices: ArrayLike<number>,
  target: Uint8Array,
): number {
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i]!;
    target.set(source.subarray(k * bytesPerImage, (k + 1) * bytesPerImage), i * bytesPerImage);
  }
  return indices.length * bytesPerImage;
}

/** The images at `indices` as a new {@link ImageBatch}, with their labels when the images have them. */
export function pickImages(images: ImageBatch, indices: ArrayLike<number>): ImageBatch {
  const per = imageBytes(images.size, images.channels);
  const pixels = new Uint8Array(indices.length * per);
  gatherImages(images.pixels, per, indices, pixels);
  const picked: ImageBatch = { pixels, count: indices.length, size: images.size, channels: images.channels };
  if (images.labels) picked.labels = Uint16Array.from(indices, (i) => images.labels![i]!);
  return picked;
}

/**
 * Decoder logits → uint8 pixels, round(255 · sigmoid(logits)), in the tensor's NHWC order. Reads
 * asynchronously, which every backend supports (WebGPU has no synchronous download).
 */
export async function logitsToBytes(logits: tf.Tensor): Promise<Uint8Array> {
  const scaled = tf.tidy(() => tf.round(tf.mul(tf.sigmoid(logits), 255)));
  try {
    // Values are whole numbers 0..255 already, so the float → uint8 conversion is exact.
    return Uint8Array.from(await scaled.data());
  } finally {
    scaled.dispose();
  }
}
