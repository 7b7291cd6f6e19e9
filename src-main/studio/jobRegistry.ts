import type { EmitEvent, ErrorCode, EventPayload, JobHandle, JobKind } from '../contract/index.js';
import type { JobEvent } from '../jobs/index.js';
import { CancelledError, UserError } from '../util/errors.js';
import { fsFailure } from '../util/fsErrors.js';
import type { JobRunner, RunningJob } from '../worker/runner.js';
import type { WorkerJobKind, WorkerJobs } from '../worker/protocol.js';
import { log } from '../util/log.js';
import { unexpectedMessage } from '../util/unexpected.js';

/** What `job.done` carries for a job of kind K. */
export type JobDoneResult<K extends JobKind> = Extract<EventPayload<'job.done'>, { kind: K }>['result'];

/** How a job ended, for hooks such as desktop notifications. */
export type JobOutcome<K extends JobKind> =
  | { ok: true; cancelled: boolean; result: JobDoneResult<K> }
  | { ok: false; code: ErrorCode; message: string };

/** A running studio job as its body and the event translation see it. */
export interface StudioJob {
  readonly handle: JobHandle;
  /** Root of the project the job works on. */
  readonly project: string;
}

/** What a job's body may do: run worker jobs one after another, each cancelled with the studio job. */
export interface JobScope extends StudioJob {
  run<W extends WorkerJobKind>(kind: W, input: WorkerJobs[W]['input']): Promise<WorkerJobs[W]['result']>;
}

export interface StartJob<K extends JobKind> {
  kind: K;
  project: string;
  /** One line for the job list, e.g. "Import ~/cats". */
  title: string;
  body: (scope: JobScope) => Promise<{ cancelled: boolean; result: JobDoneResult<K> }>;
  onSettled?: (outcome: JobOutcome<K>) => void;
}

interface JobRecord extends StudioJob {
  cancelRequested: boolean;
  current: RunningJob<unknown> | null;
  settled: Promise<void>;
}

/** Sends a worker's event on to the UI (see jobEvents.ts); called in the order the events come. */
export type ForwardJobEvent = (job: StudioJob, event: JobEvent) => void;

/**
 * Jobs that may not run beside one another: the same kind; import with training (both use the dataset); and a
 * quality report with either, since it reads the dataset and the model they replace; a map with an import (it
 * reads the dataset).
 */
const EXCLUDES: Record<JobKind, readonly JobKind[]> = {
  import: ['import', 'train', 'quality', 'outliers', 'map'],
  train: ['train', 'import', 'quality', 'outliers'],
  generate: ['generate'],
  interpolate: ['interpolate'],
  quality: ['quality', 'import', 'train'],
  // It reads the dataset and the model, as a quality report does.
  outliers: ['outliers', 'import', 'train'],
  map: ['map', 'import'],
};

const NOUNS: Record<JobKind, string> = {
  import: 'an import',
  train: 'training',
  generate: 'a generation',
  interpolate: 'an interpolation export',
  quality: 'a quality report',
  outliers: 'an outlier ranking',
  map: 'a latent map',
};

/**
 * The studio's running jobs by id. Starting answers at once with a handle and `job.started`; the job's worker
 * events become contract events; exactly one `job.done` or `job.failed` ends it.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, JobRecord>();
  private counter = 0;

  constructor(
    private readonly runner: JobRunner,
    private readonly emit: EmitEvent,
    private readonly forward: ForwardJobEvent,
  ) {}

  /**
   * Starts a job unless one it excludes is running.
   *
   * @throws UserError BUSY naming the running job.
   */
  start<K extends JobKind>(spec: StartJob<K>): JobHandle {
    this.refuseIfBusy(spec.kind);
    const handle: JobHandle = { jobId: `${spec.kind}-${++this.counter}`, kind: spec.kind };
    const record: JobRecord = {
      handle,
      project: spec.project,
      cancelRequested: false,
      current: null,
      settled: Promise.resolve(),
    };
    this.jobs.set(handle.jobId, record);
    this.emit('job.started', { ...handle, title: spec.title });
    record.settled = this.drive(record, spec);
    return handle;
  }

  /**
   * Throws when a job of `kind` could not start now, so a handler can check before it asks the user anything.
   *
   * @throws UserError BUSY naming the running job.
   */
  refuseIfBusy(kind: JobKind): void {
    const blocking = [...this.jobs.values()].find((job) => EXCLUDES[kind].includes(job.handle.kind));
    if (blocking) {
      // In words: the job's id is for code, not for the person who reads this.
      const running = blocking.handle.kind;
      const again = running === kind ? ' already' : '';
      throw new UserError(
        'BUSY',
        `${capitalise(NOUNS[running])} is${again} running; wait for it to finish or cancel it before ` +
          `starting ${NOUNS[kind]}`,
      );
    }
  }

  /** Asks a job to stop; false when no job has that id. */
  cancel(jobId: string): boolean {
    const record = this.jobs.get(jobId);
    if (!record) return false;
    record.cancelRequested = true;
    record.current?.cancel();
    return true;
  }

  /** Cancels the running job of `kind`; false when none runs. */
  cancelKind(kind: JobKind): boolean {
    const handle = this.runningOf(kind);
    return handle ? this.cancel(handle.jobId) : false;
  }

  /** The running job of `kind`, or null. */
  runningOf(kind: JobKind): JobHandle | null {
    for (const record of this.jobs.values()) if (record.handle.kind === kind) return { ...record.handle };
    return null;
  }

  list(): JobHandle[] {
    return [...this.jobs.values()].map((record) => ({ ...record.handle }));
  }

  /** Cancels every job and resolves once each has emitted its last event. */
  async cancelAll(): Promise<void> {
    const records = [...this.jobs.values()];
    for (const record of records) this.cancel(record.handle.jobId);
    await Promise.all(records.map((record) => record.settled));
  }

  private async drive<K extends JobKind>(record: JobRecord, spec: StartJob<K>): Promise<void> {
    const { handle } = record;
    const scope: JobScope = {
      handle,
      project: record.project,
      run: async (kind, input) => {
        if (record.cancelRequested) throw new CancelledError();
        const running = this.runner.start(kind, input, (event) => {
          try {
            this.forward(record, event);
          } catch (err) {
            logForwardError(err);
          }
        });
        record.current = running;
        try {
          return await running.result;
        } finally {
          record.current = null;
        }
      },
    };
    let outcome: JobOutcome<K>;
    try {
      const { cancelled, result } = await spec.body(scope);
      outcome = { ok: true, cancelled, result };
    } catch (err) {
      outcome = { ok: false, ...failureOf(err, handle) };
    }
    // Leave the registry before the last event, so a listener may start the next job straight away.
    this.jobs.delete(handle.jobId);
    if (outcome.ok) {
      this.emit('job.done', {
        ...handle,
        cancelled: outcome.cancelled,
        result: outcome.result,
      } as EventPayload<'job.done'>);
    } else {
      this.emit('job.failed', { ...handle, code: outcome.code, message: outcome.message });
    }
    try {
      spec.onSettled?.(outcome);
    } catch (err) {
      log.error('jobs', `after ${handle.jobId}`, err);
    }
  }
}

function failureOf(thrown: unknown, handle: JobHandle): { code: ErrorCode; message: string } {
  const err = fsFailure(thrown);
  if (err instanceof CancelledError)
    return { code: 'CANCELLED', message: `${capitalise(NOUNS[handle.kind])} was cancelled` };
  if (err instanceof UserError) return { code: err.code, message: err.message };
  log.error('jobs', `${handle.jobId} failed`, err);
  return { code: 'INTERNAL', message: unexpectedMessage(err, capitalise(NOUNS[handle.kind])) };
}

function logForwardError(err: unknown): void {
  log.error('jobs', 'a job event could not be sent', err);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
