import type { EventPayload } from '../contract/index.js';
import type { JobEvent } from '../jobs/index.js';
import type { StudioContext } from './context.js';
import type { StudioJob } from './jobRegistry.js';

/**
 * The one step between a job and the UI: a job already speaks the contract's events, so its event goes out as
 * it is with the job's id added. Training events are also kept for the current project, so `training.status`
 * can give a window that reloads mid-run the view it lost.
 */
export function forwardJobEvent(
  ctx: Pick<StudioContext, 'emit' | 'project'>,
  job: StudioJob,
  event: JobEvent,
): void {
  ctx.project.recordTraining(job.project, event);
  const payload = { ...event.payload, jobId: job.handle.jobId } as EventPayload<typeof event.name>;
  ctx.emit(event.name, payload);
}
