import type { ImageBatch } from '../engine/index.js';
import type { Checkpoint, ProjectLayout } from '../project/index.js';
import { UserError } from '../util/errors.js';
import type { JobContext } from './events.js';
import { MANIFEST_JSONL } from './generationManifest.js';
import { loadCopyDetector, type CopyCheck, type CopyDetector } from './quality/copyDetector.js';
import { REJECTED_JSONL } from './rejectedCopies.js';

/**
 * How many images a run that leaves out near-copies may draw beyond `count` before it stops: 10 per image asked
 * for. A model that copies more often than that is better retrained than sifted.
 */
export const EXTRA_DRAWS_PER_IMAGE = 10;

/** What the folder already says about an index of the run's seed. */
export interface KnownIndices {
  /** The manifest lists its image. */
  listed(index: number): boolean;
  /** rejected.jsonl lists it as a near-copy left out. */
  rejected(index: number): boolean;
}

/**
 * Which indices of a seed a run decodes, in order. Without filtering: those of `start … start + count − 1` that
 * the manifest does not list. With it (`rejectCopies`), the images of the run are the first `count` indices from
 * `start` on that are not near-copies: the plan walks on past each one left out, passes over the indices
 * rejected.jsonl lists without a second check and over the ones the manifest lists (they count as written), and
 * stops at `count` images or after `count × (1 + EXTRA_DRAWS_PER_IMAGE)` indices. So the set of files depends
 * only on the seed, the temperature, the model and its training data, and a stopped run continued gives the same
 * files as one that was never stopped.
 *
 * A rejected index the manifest lists (a run without the option wrote it) counts as listed: the manifest wins.
 */
export class DrawPlan {
  /** Images of the run's window the manifest lists: written by an earlier run, or by this one. */
  accepted = 0;
  /** Of `accepted`, those an earlier run had written. */
  alreadyThere = 0;
  /** Near-copies the plan passed over: those rejected.jsonl listed, and those this run judged. */
  rejected = 0;
  /** One past the last index the window may draw. */
  readonly end: number;
  private cursor: number;

  constructor(
    private readonly run: { start: number; count: number; filtering: boolean },
    private readonly known: KnownIndices,
  ) {
    this.cursor = run.start;
    this.end = run.start + (run.filtering ? run.count * (1 + EXTRA_DRAWS_PER_IMAGE) : run.count);
  }

  /** The most indices the window may draw. */
  get limit(): number {
    return this.end - this.run.start;
  }

  /** Indices walked so far, from `start` on. */
  get drawn(): number {
    return this.cursor - this.run.start;
  }

  /** True once the run has its `count` images. */
  get complete(): boolean {
    return this.accepted >= this.run.count;
  }

  /**
   * The next indices to decode, at most `max` and never more than the images still wanted; empty when the run is
   * complete or its window is spent. Each must be settled with {@link accept} or {@link reject} before the next
   * call.
   */
  next(max: number): number[] {
    const batch: number[] = [];
    while (this.cursor < this.end && batch.length < max && this.accepted + batch.length < this.run.count) {
      const index = this.cursor++;
      if (this.known.listed(index)) {
        this.accepted++;
        this.alreadyThere++;
      } else if (this.run.filtering && this.known.rejected(index)) {
        this.rejected++;
      } else {
        batch.push(index);
      }
    }
    return batch;
  }

  /** An index of the last batch was written and listed. */
  accept(): void {
    this.accepted++;
  }

  /** An index of the last batch was a near-copy, left out and listed in rejected.jsonl. */
  reject(): void {
    this.rejected++;
  }

  /**
   * What the folder already holds of the run, taking every index not yet judged to pass: exact for a run that
   * continues the same command, for the line said before it starts.
   */
  preview(): { listed: number; rejected: number; todo: number } {
    let listed = 0;
    let rejected = 0;
    let todo = 0;
    for (let index = this.cursor; index < this.end && listed + todo < this.run.count; index++) {
      if (this.known.listed(index)) listed++;
      else if (this.run.filtering && this.known.rejected(index)) rejected++;
      else todo++;
    }
    return { listed, rejected, todo };
  }
}

/**
 * The copy detector, built at the first batch that needs it: a run that finds everything written already does not
 * pay for the training set's features.
 */
export class LazyCopyDetector {
  private detector: CopyDetector | undefined;

  constructor(
    private readonly layout: ProjectLayout,
    private readonly checkpoint: Checkpoint,
    private readonly ctx: JobContext,
  ) {}

  get threshold(): number {
    return this.detector?.threshold ?? Number.NaN;
  }

  async check(images: ImageBatch, signal?: AbortSignal): Promise<CopyCheck[]> {
    this.detector ??= await loadCopyDetector(this.layout, this.checkpoint.meta, this.ctx);
    return this.detector.check(images, signal);
  }

  dispose(): void {
    this.detector?.dispose();
  }
}

/** "3 near-copies of training images", the way the CLI and the logs count them. */
export function nearCopies(n: number): string {
  return `${n} near-cop${n === 1 ? 'y' : 'ies'} of training images`;
}

/** The line said before a run that continues a folder: what is there, and what is left to do. */
export function resumeLine(
  out: string,
  count: number,
  known: { listed: number; rejected: number; todo: number },
): string {
  const copies = known.rejected ? ` and ${REJECTED_JSONL} lists ${nearCopies(known.rejected)} left out` : '';
  return (
    `${out}: ${known.listed} of the ${count} images are already in ${MANIFEST_JSONL}${copies}; ` +
    (known.todo ? `writing the other ${known.todo}` : 'nothing left to write')
  );
}

/**
 * The stop of a run whose window was spent before it had its images: how many it wrote and why, and that the
 * files written are kept and listed.
 */
export function tooManyCopies(
  plan: DrawPlan,
  count: number,
  written: number,
  out: string,
  className?: string,
): UserError {
  const earlier = plan.alreadyThere ? ` (${plan.alreadyThere} of them from an earlier run)` : '';
  const of = className === undefined ? '' : ` of class ${className}`;
  return new UserError(
    'TOO_MANY_COPIES',
    `${out} holds ${plan.accepted} of the ${count} images${of} asked for${earlier}: ${plan.rejected} of the ` +
      `${plan.drawn} images drawn were near-copies of training images, and a run draws at most ` +
      `${EXTRA_DRAWS_PER_IMAGE + 1}× the count (${plan.limit}). This run wrote ${written}; they are listed in ` +
      `${MANIFEST_JSONL}, the near-copies in ${REJECTED_JSONL}. The model reproduces its training images too ` +
      'often: train on more images or for fewer epochs, or generate with a higher temperature.',
  );
}
