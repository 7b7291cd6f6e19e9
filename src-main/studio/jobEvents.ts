import type { JobEvent } from '../jobs/index.js';
import type { StudioContext } from './context.js';
import { fileToDataUrl } from './dataUrl.js';
import type { StudioJob } from './jobRegistry.js';

/**
 * Sends a worker's job event as contract events, tagged with the job's id. Epoch previews travel as data URLs
 * and each finished epoch (a new checkpoint) also sends `project.changed`.
 */
export async function translateJobEvent(
  ctx: Pick<StudioContext, 'emit' | 'project' | 'projectChanged'>,
  job: StudioJob,
  event: JobEvent,
): Promise<void> {
  const { jobId, kind } = job.handle;
  switch (event.type) {
    case 'log':
      ctx.emit('job.log', { jobId, kind, message: event.message });
      return;
    case 'import-progress': {
      const { type: _type, ...progress } = event;
      ctx.emit('dataset.importProgress', { ...progress, jobId });
      return;
    }
    case 'train-progress': {
      const { type: _type, ...progress } = event;
      ctx.project.recordTrainProgress(job.project, progress);
      ctx.emit('training.progress', { ...progress, jobId });
      return;
    }
    case 'train-epoch': {
      const [samples, reconstructions] = await Promise.all([
        fileToDataUrl(event.previews.samples),
        fileToDataUrl(event.previews.reconstructions),
      ]);
      ctx.emit('training.epoch', {
        jobId,
        metrics: event.metrics,
        previews: { samples, reconstructions },
        checkpoint: event.checkpoint,
      });
      await ctx.projectChanged(job.project);
      return;
    }
    case 'generate-progress': {
      const { type: _type, ...progress } = event;
      ctx.emit('generation.progress', { ...progress, jobId });
      return;
    }
    case 'interpolate-progress':
      ctx.emit('interpolation.progress', { jobId, done: event.done, total: event.total });
      return;
  }
}
