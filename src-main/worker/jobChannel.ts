/**
 * The parent's half of the worker protocol, shared by every runner (worker_threads, Electron utilityProcess):
 * send `run`, maybe `cancel`, turn events and the one `done`/`failed` into a settled promise, and end the worker
 * once it has answered or has overrun its cancel grace.
 */
import type { JobEvent } from '../jobs/index.js';
import { CancelledError, UserError } from '../util/errors.js';
import { fromErrorData } from '../util/errorData.js';
import { log } from '../util/log.js';
import type { FromWorker, ToWorker, WorkerJobKind, WorkerJobs } from './protocol.js';
import type { RunningJob, TrainingPortSource } from './runner.js';

/** One worker (thread or process) as the channel sees it. */
export interface JobEndpoint {
  post(message: ToWorker): void;
  /**
   * Registers the listeners, once. `onEnd` is called when the worker stops (exit, crash) with an error that
   * says how; after an answer it is ignored.
   */
  listen(onMessage: (message: unknown) => void, onEnd: (error: Error) => void): void;
  /** Ends the worker; nothing it still holds (tfjs, sharp's pool) is worth waiting for. */
  stop(): void;
}

function isFromWorker(message: unknown): message is FromWorker {
  if (typeof message !== 'object' || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return type === 'event' || type === 'done' || type === 'failed' || type === 'answer';
}

function describeGrace(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/**
 * Runs one job over `endpoint`; a `trainingPort` goes along in the `run` message (the endpoint's `post` transfers
 * it as its kind of parent can). After a cancel the job may take `cancelTimeoutMs` to reach a safe stop; then the
 * worker is ended and the job rejects with a CancelledError (checkpoints and written files are atomic).
 */
export function runOverEndpoint<K extends WorkerJobKind>(
  kind: K,
  input: WorkerJobs[K]['input'],
  onEvent: (event: JobEvent) => void,
  endpoint: JobEndpoint,
  cancelTimeoutMs: number,
  trainingPort?: unknown,
): RunningJob<WorkerJobs[K]['result']> {
  let settled = false;
  let cancelRequested = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  /** Questions asked and not yet answered, by id. */
  const asked = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextQuestion = 0;
  let settle!: (outcome: { value: unknown } | { error: Error }) => void;
  const result = new Promise<WorkerJobs[K]['result']>((resolve, reject) => {
    settle = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.value as WorkerJobs[K]['result']);
      const closed = new UserError('HOST_CLOSED', 'the model this asked was closed; try again');
      for (const question of asked.values()) question.reject(closed);
      asked.clear();
      endpoint.stop();
    };
  });

  endpoint.listen(
    (message) => {
      if (settled) return;
      if (!isFromWorker(message)) {
        log.warn('worker', `the ${kind} job's worker sent a message outside the protocol`, message);
      } else if (message.type === 'event') {
        try {
          onEvent(message.event);
        } catch (error) {
          log.error('worker', `a listener of the ${kind} job's events threw`, error);
        }
      } else if (message.type === 'answer') {
        const question = asked.get(message.id);
        asked.delete(message.id);
        if (message.error) question?.reject(fromErrorData(message.error));
        else question?.resolve(message.value);
      } else if (message.type === 'done') {
        settle({ value: message.result });
      } else {
        settle({ error: fromErrorData(message.error) });
      }
    },
    (error) => settle({ error }),
  );
  endpoint.post(
    trainingPort === undefined || trainingPort === null
      ? { type: 'run', kind, input }
      : { type: 'run', kind, input, trainingPort },
  );

  return {
    result,
    ask(question) {
      if (settled)
        return Promise.reject(new UserError('HOST_CLOSED', 'the model this asked was closed; try again'));
      const id = ++nextQuestion;
      return new Promise((resolve, reject) => {
        asked.set(id, { resolve, reject });
        endpoint.post({ type: 'ask', id, question });
      });
    },
    cancel() {
      if (settled || cancelRequested) return;
      cancelRequested = true;
      endpoint.post({ type: 'cancel' });
      if (!Number.isFinite(cancelTimeoutMs)) return;
      killTimer = setTimeout(() => {
        const grace = describeGrace(cancelTimeoutMs);
        settle({ error: new CancelledError(`the ${kind} job did not stop within ${grace} and was ended`) });
      }, cancelTimeoutMs);
    },
  };
}

/** The jobs a runner has running, so `shutdown` can cancel them all and wait for each to settle. */
export class RunningJobs {
  private readonly jobs = new Set<RunningJob<unknown>>();

  track<R>(job: RunningJob<R>): RunningJob<R> {
    this.jobs.add(job);
    const forget = (): void => void this.jobs.delete(job);
    job.result.then(forget, forget);
    return job;
  }

  async shutdown(): Promise<void> {
    const jobs = [...this.jobs];
    for (const job of jobs) job.cancel();
    await Promise.allSettled(jobs.map((job) => job.result));
  }
}

/**
 * Starts a job once its training port (if any) is known: `start(port)` for `train` and `backend-info` after
 * `portFor` answers, at once with null for every other job or without `portFor`. A cancel while the port is
 * still coming stops the job before it starts (closing the port, if one then arrives).
 */
export function startWithTrainingPort<K extends WorkerJobKind, P extends { close(): void }>(
  kind: K,
  input: WorkerJobs[K]['input'],
  portFor: TrainingPortSource<P> | undefined,
  start: (port: P | null) => RunningJob<WorkerJobs[K]['result']>,
): RunningJob<WorkerJobs[K]['result']> {
  if (portFor === undefined || (kind !== 'train' && kind !== 'backend-info')) return start(null);
  let cancelled = false;
  let job: RunningJob<WorkerJobs[K]['result']> | null = null;
  const result = portFor(kind, input).then((port) => {
    if (cancelled) {
      port?.close();
      throw new CancelledError(`the ${kind} job was cancelled before it started`);
    }
    job = start(port);
    return job.result;
  });
  return {
    result,
    cancel() {
      cancelled = true;
      job?.cancel();
    },
  };
}
