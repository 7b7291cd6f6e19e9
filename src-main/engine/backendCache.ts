/**
 * One answer per backend preference for the life of the process, because tfjs has one global backend: the first
 * request resolves it, later ones get the same answer (a rejection too: a backend that failed will not start
 * later) and switch tfjs back to it if something else was activated since. Browser-safe (tfjs-core only): the
 * Node resolver (node/backend.ts) and the compute page's share it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors.js';

export class BackendCache<K, R extends { backend: string }> {
  private readonly answers = new Map<K, Promise<R>>();
  /** Resolutions and re-activations run one at a time, in call order: each switches the global backend. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Whether `key` was asked for before (its answer may still be pending). */
  has(key: K): boolean {
    return this.answers.has(key);
  }

  /**
   * The answer for `key`, running `resolve` the first time, with its backend active when this resolves.
   * @throws UserError 'BACKEND_UNAVAILABLE' when the cached backend cannot be activated again.
   */
  async get(key: K, resolve: () => Promise<R>): Promise<R> {
    let pending = this.answers.get(key);
    if (pending === undefined) {
      pending = this.serialised(resolve);
      this.answers.set(key, pending);
    }
    const answer = await pending;
    if (tf.getBackend() !== answer.backend) {
      await this.serialised(async () => {
        if (!(await tf.setBackend(answer.backend))) {
          throw new UserError('BACKEND_UNAVAILABLE', `could not re-activate the ${answer.backend} backend`);
        }
      });
    }
    return answer;
  }

  /** Runs `work` after everything queued before it; a failure does not stop what comes after. */
  private serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
