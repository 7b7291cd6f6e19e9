/**
 * Seeded randomness in plain JavaScript. Shuffles, splits, initial weights and latent samples come from here
 * rather than from a backend, so the same seed gives the same numbers on cpu, wasm or a GPU backend.
 */

/** Stream tags mixed into {@link hashSeed} so different uses of one run seed never share a stream. */
export const SeedTag = {
  init: 0x1a17,
  split: 0x5b11,
  shuffle: 0x5f1e,
  noise: 0x0e05,
  validation: 0x7a11,
  preview: 0x9e71,
  bench: 0xbe4c,
  // The importance samples of the IW bound (engine/likelihood.ts).
  importance: 0x1a5e,
  // The subsets of KID (engine/quality/kid.ts).
  kid: 0x4b1d,
  // The k-means++ start of the latent mixture's fit (engine/gmm.ts).
  mixture: 0x6a11,
  // Which mixture component image i of a generation is drawn from (engine/gmm.ts).
  component: 0xc0e1,
  // The stream of one class of a conditional generation (engine/sampler.ts, classLatentSeed).
  classStream: 0xc1a5,
  // The initial layout and negative samples of a latent map's UMAP (engine/projection/umap.ts).
  map: 0x3a90,
} as const;

/** murmur3's 32-bit finaliser: a cheap bijective avalanche of one uint32. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Mixes any number of integers into one uint32 seed, order-sensitive (hashSeed(1, 2) ≠ hashSeed(2, 1)).
 * Non-integers and values beyond 32 bits are reduced with `>>> 0` after splitting off the high word.
 */
export function hashSeed(...ints: number[]): number {
  let h = 0x9e3779b9;
  for (const v of ints) {
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    h = fmix32((h ^ lo) + 0x6a09e667);
    if (hi !== 0) h = fmix32((h ^ hi) + 0xbb67ae85);
  }
  return fmix32(h);
}

/** mulberry32: a small, fast 32-bit PRNG with a full 2^32 period; plenty for shuffles and init. */
export class Rng {
  private state: number;
  private spare: number | null = null;

  /** @param seed any integer; reduced to uint32. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next uniform uint32. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n) without modulo bias worth caring about (n ≤ 2^32). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal by Box–Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    // 1 − u keeps the log argument in (0, 1] so it never returns −∞.
    const u1 = 1 - this.next();
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

/** `count` standard normals from `seed` (Box–Muller), as float32. */
export function normals(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal();
  return out;
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates), determined by `seed`. */
export function shuffle(n: number, seed: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}
