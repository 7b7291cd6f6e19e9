import type { StudioContext } from '../context.js';
import type { HandlersOf } from './types.js';

/** `job.*`: the running jobs of any kind. */
export function registerJobHandlers(ctx: StudioContext): HandlersOf<'job'> {
  return {
    'job.cancel': ({ jobId }) => Promise.resolve({ cancelled: ctx.jobs.cancel(jobId) }),
    'job.list': () => Promise.resolve(ctx.jobs.list()),
  };
}
