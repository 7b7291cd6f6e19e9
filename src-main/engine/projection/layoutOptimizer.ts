/**
 * UMAP's layout step (McInnes et al. 2018, §3.2 and appendix; umap-learn's `make_epochs_per_sample` and
 * `optimize_layout_euclidean`): stochastic gradient descent on the cross-entropy between the fuzzy graph and the
 * 2-D layout's memberships 1 / (1 + a·d^(2b)), in typed arrays.
 *
 * Each epoch samples an edge in proportion to its weight (the heaviest every epoch, one of weight w every
 * w_max/w epochs; edges lighter than w_max/epochs would never be sampled and are dropped), pulls its two ends
 * together, and pushes its head away from {@link NEGATIVE_SAMPLE_RATE} points drawn at random. Every gradient
 * component is clipped to ±{@link GRADIENT_CLIP}, and the learning rate falls linearly from 1 to 0 over the
 * epochs. The random draws come from the {@link Rng} passed in, so one seed gives one layout.
 */
import type { Rng } from '../rng.js';
import type { FuzzyGraph } from './fuzzyGraph.js';
import type { LayoutCurve } from './layoutCurve.js';

/** Points pushed away per sampled edge (umap-learn's negative_sample_rate). */
export const NEGATIVE_SAMPLE_RATE = 5;
/** The bound on each gradient component (umap-learn's clip). */
export const GRADIENT_CLIP = 4;
/** The weight of the repulsion against the attraction (umap-learn's repulsion_strength, γ). */
const REPULSION = 1;
/** Added to a squared distance in the repulsion's denominator, so coincident points do not blow up. */
const REPULSION_EPSILON = 0.001;
/** Table entries per unit of distance, and the distance it covers; farther pairs take Math.exp/Math.log. */
const POWER_STEPS = 64;
const POWER_REACH = 64;

/** The SGD of a 2-D layout of a fuzzy graph, one epoch per {@link LayoutOptimizer.epoch} call. */
export class LayoutOptimizer {
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly epochsPerSample: Float64Array;
  private readonly nextSample: Float64Array;
  private readonly nextNegative: Float64Array;
  /** d^(2b) at d = 0, 1/64, 2/64, … {@link POWER_REACH}: see {@link LayoutOptimizer.power}. */
  private readonly powers: Float64Array;
  /** The xorshift32 state the negative samples are drawn from, seeded by the Rng. */
  private state: number;
  private done = 0;

  /**
   * @param layout count × 2, row-major: the starting layout, moved in place by each epoch.
   * @param epochs how many epochs the learning rate falls over; also sets which edges are too light to sample.
   */
  constructor(
    graph: FuzzyGraph,
    private readonly layout: Float64Array,
    readonly epochs: number,
    private readonly curve: LayoutCurve,
    rng: Rng,
  ) {
    if (layout.length !== graph.count * 2) {
      throw new RangeError(`LayoutOptimizer: a layout of ${layout.length} numbers for ${graph.count} points`);
    }
    let heaviest = 0;
    for (const w of graph.weight) heaviest = Math.max(heaviest, w);
    const kept: number[] = [];
    for (let e = 0; e < graph.weight.length; e++) if (graph.weight[e]! >= heaviest / epochs) kept.push(e);
    this.head = Int32Array.from(kept, (e) => graph.head[e]!);
    this.tail = Int32Array.from(kept, (e) => graph.tail[e]!);
    this.epochsPerSample = Float64Array.from(kept, (e) => heaviest / graph.weight[e]!);
    this.nextSample = this.epochsPerSample.slice();
    this.nextNegative = this.epochsPerSample.map((p) => p / NEGATIVE_SAMPLE_RATE);
    this.powers = new Float64Array(POWER_STEPS * POWER_REACH + 2);
    for (let s = 0; s < this.powers.length; s++) this.powers[s] = Math.pow(s / POWER_STEPS, 2 * curve.b);
    this.state = rng.nextUint32() | 1;
  }

  /**
   * (d²)^b, the power every gradient takes and the epochs' main cost: Math.pow costs ~60 ns in V8 and
   * exp(b·log d²) ~40 ns, while a table of d^(2b) read at d = √d² with linear interpolation costs a few, off by
   * less than 2·10⁻⁴ of 1 + a·d^(2b) (the most at d ≈ 0.1; 10⁻⁵ and less beyond d = 1).
   */
  private power(d2: number): number {
    const at = Math.sqrt(d2) * POWER_STEPS;
    if (at >= POWER_STEPS * POWER_REACH) return Math.exp(this.curve.b * Math.log(d2));
    const s = at | 0;
    const lower = this.powers[s]!;
    return lower + (at - s) * (this.powers[s + 1]! - lower);
  }

  /** Edges the epochs sample (both directions of each pair count). */
  get edges(): number {
    return this.head.length;
  }

  /** Runs the next epoch; does nothing once all `epochs` have run. */
  epoch(): void {
    const n = this.done;
    if (n >= this.epochs) return;
    this.done++;
    const { head, tail, epochsPerSample, nextSample, nextNegative, layout } = this;
    const { a, b } = this.curve;
    const count = layout.length / 2;
    const rate = 1 - n / this.epochs;
    const perNegative = 1 / NEGATIVE_SAMPLE_RATE;
    // A draw x ∈ [1, 2³²) times this is a point in [0, count).
    const toPoint = count / 4294967296;
    let x = this.state;
    for (let e = 0; e < head.length; e++) {
      if (nextSample[e]! > n) continue;
      const i = head[e]! * 2;
      const j = tail[e]! * 2;
      let dx = layout[i]! - layout[j]!;
      let dy = layout[i + 1]! - layout[j + 1]!;
      let d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        // Attraction: ∂/∂yᵢ of −log(1 / (1 + a·d^(2b))), as −2ab·d^(2(b−1)) / (1 + a·d^(2b)) · (yᵢ − yⱼ).
        const p = this.power(d2);
        const pull = (-2 * a * b * p) / (d2 * (a * p + 1));
        const gx = clip(pull * dx) * rate;
        const gy = clip(pull * dy) * rate;
        layout[i] = layout[i]! + gx;
        layout[i + 1] = layout[i + 1]! + gy;
        layout[j] = layout[j]! - gx;
        layout[j + 1] = layout[j + 1]! - gy;
      }
      nextSample[e] = nextSample[e]! + epochsPerSample[e]!;

      const perSample = epochsPerSample[e]! * perNegative;
      const negatives = Math.floor((n - nextNegative[e]!) / perSample);
      for (let s = 0; s < negatives; s++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const m = ((x >>> 0) * toPoint) << 1;
        if (m === i) continue;
        dx = layout[i]! - layout[m]!;
        dy = layout[i + 1]! - layout[m + 1]!;
        d2 = dx * dx + dy * dy;
        if (d2 === 0) continue;
        // Repulsion: ∂/∂yᵢ of −log(1 − 1 / (1 + a·d^(2b))), as 2γb / ((ε + d²)(1 + a·d^(2b))) · (yᵢ − yₘ).
        const push = (2 * REPULSION * b) / ((REPULSION_EPSILON + d2) * (a * this.power(d2) + 1));
        layout[i] = layout[i]! + clip(push * dx) * rate;
        layout[i + 1] = layout[i + 1]! + clip(push * dy) * rate;
      }
      if (negatives > 0) nextNegative[e] = nextNegative[e]! + negatives * perSample;
    }
    this.state = x;
  }
}

function clip(v: number): number {
  return v > GRADIENT_CLIP ? GRADIENT_CLIP : v < -GRADIENT_CLIP ? -GRADIENT_CLIP : v;
}
