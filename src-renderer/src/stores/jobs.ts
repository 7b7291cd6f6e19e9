import { ref } from 'vue';
import type { EventPayload, JobKind } from '../api/contract';

export type JobStarted = EventPayload<'job.started'>;
export type JobFailed = EventPayload<'job.failed'>;
export type JobDone<K extends JobKind> = Extract<EventPayload<'job.done'>, { kind: K }>;

/** What a store that owns a kind of job hears from the event router (see events.ts). */
export interface JobEventHandlers<K extends JobKind> {
  onJobStarted(event: JobStarted): void;
  onJobLog(message: string): void;
  onJobDone(event: JobDone<K>): void;
  onJobFailed(event: JobFailed): void;
}

/** Titles for notices about a job kind: "Import failed". */
export const JOB_TITLES: Record<JobKind, string> = {
  import: 'Import',
  train: 'Training',
  generate: 'Generation',
  interpolate: 'Interpolation export',
};

/** Failure code of a job that was cancelled and kept nothing (import). Not an error to report. */
export const CANCELLED = 'CANCELLED';

/**
 * The id and running state of a store's job. `job.started` may arrive before or after the request that started
 * the job answers, and a job that fails at once may even end first; the tracker keeps either order right.
 */
export function createJobTracker() {
  const jobId = ref<string | null>(null);
  const running = ref(false);
  const ended = new Set<string>();

  function begin(id: string): void {
    if (ended.has(id)) return;
    jobId.value = id;
    running.value = true;
  }

  function end(id: string): void {
    ended.add(id);
    // An older job of this kind ending while a newer one runs changes nothing.
    if (jobId.value === null || jobId.value === id || !running.value) {
      jobId.value = id;
      running.value = false;
    }
  }

  /** Aligns with the main side's list of running jobs (after a reconnect): `id` runs now, or none does. */
  function sync(id: string | null): void {
    if (id) begin(id);
    else if (running.value && jobId.value) end(jobId.value);
  }

  return { jobId, running, begin, end, sync };
}
