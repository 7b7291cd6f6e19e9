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

/** The images at `indices` as a new {@link ImageBatch}. */
export function pickImages(images: ImageBatch, indices: ArrayLike<number>): ImageBatch {
  const per = imageBytes(images.size, images.channels);
  const pixels = new Uint8Array(indices.length * per);
  gatherImages(images.pixels, per, indices, pixels);
  return { pixels, count: indices.length, size: images.size, channels: images.channels };
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
