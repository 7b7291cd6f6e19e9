/**
 * Pivoted Cholesky of a symmetric positive semidefinite matrix (Higham, "Accuracy and Stability of Numerical
 * Algorithms", §10.3): A ≈ Fᵀ F with F r×d, r the numerical rank. Each step takes the largest remaining diagonal
 * entry as the pivot and stops once every remaining one is below `tolerance`; the part left out is PSD with trace
 * below (d − r)·tolerance. About d³/2 multiply–adds at full rank, a sixth of an eigendecomposition with vectors.
 */

/** The factor of {@link pivotedCholesky}: `factor` is rank×dim, row-major, with A ≈ factorᵀ·factor. */
export interface PivotedCholesky {
  rank: number;
  dim: number;
  factor: Float64Array;
}

/**
 * Factors the PSD d×d row-major `matrix` (not changed). `tolerance` defaults to d·ε·max diag, the rounding level;
 * a negative diagonal beyond it (not PSD) is treated like a small one.
 */
export function pivotedCholesky(matrix: Float64Array, d: number, tolerance?: number): PivotedCholesky {
  const w = Float64Array.from(matrix.subarray(0, d * d));
  let maxDiag = 0;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, w[i * d + i]!);
  const tol = tolerance ?? d * 2 ** -52 * maxDiag;
  const done = new Uint8Array(d);
  const rows: Float64Array[] = [];
  for (let step = 0; step < d; step++) {
    let p = -1;
    let best = tol;
    for (let j = 0; j < d; j++) {
      if (done[j] === 0 && w[j * d + j]! > best) {
        best = w[j * d + j]!;
        p = j;
      }
    }
    if (p < 0) break;
    const scale = 1 / Math.sqrt(best);
    // Column p of L, in the original order: zero at the pivots taken so far (their rows of w are zero).
    const l = new Float64Array(d);
    const rowP = p * d;
    for (let j = 0; j < d; j++) if (done[j] === 0) l[j] = w[rowP + j]! * scale;
    done[p] = 1;
    // The Schur complement: w −= l lᵀ on the rows still in play (row p becomes zero to rounding; zero it exactly).
    for (let i = 0; i < d; i++) {
      const li = l[i]!;
      if (li === 0 || i === p) continue;
      const row = i * d;
      for (let j = 0; j < d; j++) w[row + j]! -= li * l[j]!;
    }
    for (let j = 0; j < d; j++) {
      w[rowP + j] = 0;
      w[j * d + p] = 0;
    }
    rows.push(l);
  }
  const factor = new Float64Array(rows.length * d);
  rows.forEach((row, k) => factor.set(row, k * d));
  return { rank: rows.length, dim: d, factor };
}
