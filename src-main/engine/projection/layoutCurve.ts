/**
 * The curve by which a UMAP layout turns a 2-D distance d into a membership, 1 / (1 + a·d^(2b)): the smooth
 * stand-in for "1 up to min_dist, then exp(−(d − min_dist)/spread)" that the layout's gradients need (McInnes et al.
 * 2018, §4.1; umap-learn's `find_ab_params`, a least-squares fit on 300 points of [0, 3·spread]). Fitted here by
 * Levenberg–Marquardt from a = b = 1, as scipy's `curve_fit` does; min_dist 0.1, spread 1 give a ≈ 1.577, b ≈ 0.895.
 */

/** The two parameters of the layout's membership curve. */
export interface LayoutCurve {
  a: number;
  b: number;
}

const SAMPLES = 300;
const MAX_STEPS = 200;

/**
 * a and b of the membership curve for `minDist` (how tightly points may pack) and `spread` (the scale of the
 * layout's clusters).
 * @throws RangeError unless 0 ≤ minDist < 3·spread and spread > 0.
 */
export function fitLayoutCurve(minDist: number, spread = 1): LayoutCurve {
  if (!(spread > 0) || !(minDist >= 0) || !(minDist < 3 * spread)) {
    throw new RangeError(
      `fitLayoutCurve: needs spread > 0 and 0 ≤ minDist < 3·spread, got ${minDist}, ${spread}`,
    );
  }
  const xs = new Float64Array(SAMPLES);
  const ys = new Float64Array(SAMPLES);
  for (let s = 0; s < SAMPLES; s++) {
    xs[s] = (3 * spread * s) / (SAMPLES - 1);
    ys[s] = xs[s]! < minDist ? 1 : Math.exp(-(xs[s]! - minDist) / spread);
  }
  let a = 1;
  let b = 1;
  let damping = 1e-3;
  let error = squaredError(xs, ys, a, b);
  for (let step = 0; step < MAX_STEPS; step++) {
    // The normal equations JᵀJ·δ = −Jᵀr of the residuals r = f(x) − y, a 2×2 system.
    let jaa = 0,
      jab = 0,
      jbb = 0,
      ga = 0,
      gb = 0;
    for (let s = 0; s < SAMPLES; s++) {
      const x = xs[s]!;
      if (x === 0) continue; // f(0) = 1 whatever a and b: no gradient, and ln 0 would be −∞.
      const p = Math.pow(x, 2 * b);
      const f = 1 / (1 + a * p);
      const dfda = -p * f * f;
      const dfdb = -a * p * 2 * Math.log(x) * f * f;
      const r = f - ys[s]!;
      jaa += dfda * dfda;
      jab += dfda * dfdb;
      jbb += dfdb * dfdb;
      ga += dfda * r;
      gb += dfdb * r;
    }
    let improved = false;
    while (damping < 1e10) {
      const maa = jaa * (1 + damping);
      const mbb = jbb * (1 + damping);
      const det = maa * mbb - jab * jab;
      const da = (-ga * mbb + gb * jab) / det;
      const db = (-gb * maa + ga * jab) / det;
      const nextA = a + da;
      const nextB = b + db;
      const nextError = nextA > 0 && nextB > 0 ? squaredError(xs, ys, nextA, nextB) : Infinity;
      if (nextError < error) {
        const small = Math.abs(da) < 1e-12 * Math.abs(a) && Math.abs(db) < 1e-12 * Math.abs(b);
        a = nextA;
        b = nextB;
        const settled = error - nextError < 1e-15 * error || small;
        error = nextError;
        damping = Math.max(1e-12, damping / 10);
        improved = !settled;
        break;
      }
      damping *= 10;
    }
    if (!improved) break;
  }
  return { a, b };
}

function squaredError(xs: Float64Array, ys: Float64Array, a: number, b: number): number {
  let sum = 0;
  for (let s = 0; s < xs.length; s++) {
    const r = 1 / (1 + a * Math.pow(xs[s]!, 2 * b)) - ys[s]!;
    sum += r * r;
  }
  return sum;
}
