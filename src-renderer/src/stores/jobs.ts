import { ref, type Ref } from 'vue';
import type { ErrorCode, EventPayload, JobKind } from '../api/contract';

export type JobStarted = EventPayload<'job.started'>;
export type JobFailed = EventPayload<'job.failed'>;
export type JobDone<K extends JobKind> = Extract<EventPayload<'job.done'>, { kind: K }>;

/** Titles for notices about a job kind: "Import failed". */
export const JOB_TITLES: Record<JobKind, string> = {
  import: 'Import',
  train: 'Training',
  generate: 'Generation',
  interpolate: 'Interpolation export',
  quality: 'Quality report',
  outliers: 'Outlier ranking',
  map: 'Latent map',
};

/** Failure code of a job that was cancelled and kept nothing (import). Not an error to report. */
export const CANCELLED: ErrorCode = 'CANCELLED';

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

/** What a store says at the ends of its job; the rest of the lifecycle is the same for every kind. */
export interface JobLifecycleHooks<K extends JobKind> {
  /** The status line of a job that finished (or was cancelled and kept its work). */
  done(event: JobDone<K>): string;
  /** The status line of a failure; default "<Title> failed: <message>". */
  failed?(event: JobFailed): string;
  /** After `job.started` was taken (e.g. training re-reads a run another window began). */
  started?(event: JobStarted, ours: boolean): void;
}

/**
 * The lifecycle of one kind of job, as every store that owns one sees it: the tracker (with whether its status
 * line tells a failure), the latest progress
 * (the event's payload without its job id), a one-line status, and the handlers the event router calls.
 * A failure also lands in the store's `error` (unless it is a cancel that kept nothing).
 */
export function createJobLifecycle<K extends JobKind, P extends { jobId: string }>(
  kind: K,
  error: Ref<string | null>,
  hooks: JobLifecycleHooks<K>,
) {
  const job = createJobTracker();
  /** The status line tells a failure: the view shows it as an error (it is the one place that says it). */
  const statusFailed = ref(false);
  const progress = ref<Omit<P, 'jobId'> | null>(null) as Ref<Omit<P, 'jobId'> | null>;
  const status = ref('');

  function onJobStarted(event: JobStarted): void {
    const ours = job.jobId.value === event.jobId;
    job.begin(event.jobId);
    progress.value = null;
    statusFailed.value = false;
    status.value = event.title;
    hooks.started?.(event, ours);
  }
  function onJobLog(message: string): void {
    status.value = message;
  }
  function onProgress(event: P): void {
    if (!job.running.value) job.begin(event.jobId);
    const { jobId: _jobId, ...rest } = event;
    progress.value = rest;
  }
  function onJobDone(event: JobDone<K>): void {
    job.end(event.jobId);
    progress.value = null;
    statusFailed.value = false;
    status.value = hooks.done(event);
  }
  function onJobFailed(event: JobFailed): void {
    job.end(event.jobId);
    progress.value = null;
    if (event.code !== CANCELLED) error.value = event.message;
    statusFailed.value = event.code !== CANCELLED;
    status.value = hooks.failed?.(event) ?? `${JOB_TITLES[kind]} failed: ${event.message}`;
  }

  return {
    progress,
    status,
    job: { ...job, failed: statusFailed },
    handlers: { onJobStarted, onJobLog, onProgress, onJobDone, onJobFailed },
  };
}
