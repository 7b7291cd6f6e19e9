/**
 * The one dense kernel of the quality metrics: C = A·Bᵀ in float64, for row-major A (p×n) and B (q×n), so every
 * product is a dot product of two contiguous rows. Covariances (XᵀX from the transposed data), Gram matrices,
 * kernel matrices and squared distances all come from it.
 *
 * Plain JavaScript runs this at roughly 1 multiply–add per nanosecond when it stays in cache, so it is blocked:
 * the shared dimension in chunks of {@link K_CHUNK} (a row chunk is 2 KiB, four of them sit in L1), rows of A and
 * B in tiles of {@link TILE} (a tile's chunks stay in L2), and a 2×2 register block (4 loads for 4 multiply–adds).
 */

const K_CHUNK = 256;
const TILE = 64;

/**
 * C = A·Bᵀ: `a` is p×n, `b` q×n, both row-major; returns (or fills `out`, which it zeroes first) p×q, row-major.
 * With `symmetric` (A and B the same matrix, p = q), only the upper triangle is computed and then mirrored.
 */
export function multiplyABt(
  a: Float64Array,
  p: number,
  b: Float64Array,
  q: number,
  n: number,
  options: { symmetric?: boolean; out?: Float64Array } = {},
): Float64Array {
  if (a.length < p * n || b.length < q * n) throw new RangeError(`multiplyABt: ${p}×${n} · (${q}×${n})ᵀ`);
  const symmetric = options.symmetric === true;
  if (symmetric && (a !== b || p !== q)) throw new RangeError('multiplyABt: symmetric needs A = B');
  const c = options.out ?? new Float64Array(p * q);
  c.fill(0, 0, p * q);
  for (let k0 = 0; k0 < n; k0 += K_CHUNK) {
    const k1 = Math.min(n, k0 + K_CHUNK);
    for (let i0 = 0; i0 < p; i0 += TILE) {
      const i1 = Math.min(p, i0 + TILE);
      for (let j0 = symmetric ? i0 : 0; j0 < q; j0 += TILE) {
        const j1 = Math.min(q, j0 + TILE);
        tile(a, b, c, q, n, i0, i1, j0, j1, k0, k1, symmetric);
      }
    }
  }
  if (symmetric) {
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) c[i * q + j] = c[j * q + i]!;
  }
  return c;
}

/** Adds A[i0..i1)·B[j0..j1)ᵀ over k ∈ [k0, k1) into C; in symmetric mode only the entries with j ≥ i. */
function tile(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  q: number,
  n: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  k0: number,
  k1: number,
  symmetric: boolean,
): void {
  let i = i0;
  for (; i + 1 < i1; i += 2) {
    const ra = i * n;
    const rb = ra + n;
    let j = symmetric ? Math.max(j0, i) : j0;
    for (; j + 1 < j1; j += 2) {
      const sa = j * n;
      const sb = sa + n;
      let c00 = 0;
      let c01 = 0;
      let c10 = 0;
      let c11 = 0;
      for (let k = k0; k < k1; k++) {
        const a0 = a[ra + k]!;
        const a1 = a[rb + k]!;
        const b0 = b[sa + k]!;
        const b1 = b[sb + k]!;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c10 += a1 * b0;
        c11 += a1 * b1;
      }
      c[i * q + j]! += c00;
      c[i * q + j + 1]! += c01;
      c[(i + 1) * q + j]! += c10;
      c[(i + 1) * q + j + 1]! += c11;
    }
    for (; j < j1; j++) {
      c[i * q + j]! += dot(a, ra, b, j * n, k0, k1);
      c[(i + 1) * q + j]! += dot(a, rb, b, j * n, k0, k1);
    }
    // In symmetric mode a pair starting at j = i also wrote C[i+1][i] (below the diagonal); the mirror overwrites it.
  }
  for (; i < i1; i++) {
    for (let j = symmetric ? Math.max(j0, i) : j0; j < j1; j++)
      c[i * q + j]! += dot(a, i * n, b, j * n, k0, k1);
  }
}

/** One accumulator in k order, like the 2×2 block: an entry's value never depends on where its tile fell. */
function dot(a: Float64Array, ra: number, b: Float64Array, rb: number, k0: number, k1: number): number {
  let s = 0;
  for (let k = k0; k < k1; k++) s += a[ra + k]! * b[rb + k]!;
  return s;
}

/** The transpose of the n×d row-major `x`: d×n, row-major (so column j of `x` becomes a contiguous row). */
export function transpose(x: Float64Array, n: number, d: number): Float64Array {
  const t = new Float64Array(n * d);
  const B = 32;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j0 = 0; j0 < d; j0 += B) {
      const j1 = Math.min(d, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) t[j * n + i] = x[i * d + j]!;
    }
  }
  return t;
}
