import type { EventName, EventPayload } from '../contract/index.js';

/**
 * The contract events a job emits while it runs. A job speaks the contract's own vocabulary: the studio adds the
 * job's id and sends the event on unchanged; the CLI's progress bar, its `--json` lines and the tests read the
 * same events. The job's promise carries the final result or the failure (`job.done` / `job.failed`).
 */
export type JobEventName = Extract<
  EventName,
  | 'job.log'
  | 'dataset.importProgress'
  | 'training.run'
  | 'training.progress'
  | 'training.epoch'
  | 'training.checkpoint'
  | 'generation.progress'
  | 'interpolation.progress'
  | 'quality.progress'
  | 'outliers.progress'
  | 'map.progress'
>;

/** What a job says of an event: the contract's payload without the job id. */
export type JobEventPayload<N extends JobEventName> = Omit<EventPayload<N>, 'jobId'>;

/** One event of a job: its contract name and payload. */
export type JobEvent = { [N in JobEventName]: { name: N; payload: JobEventPayload<N> } }[JobEventName];

/** The listener a job is given; a job never depends on who listens. */
export type EmitJobEvent = (event: JobEvent) => void;

/** Builds a job event with its payload type checked against the contract. */
export function jobEvent<N extends JobEventName>(name: N, payload: JobEventPayload<N>): JobEvent {
  return { name, payload } as JobEvent;
}

/** A log line: what the job is doing, in words for a person. */
export function logEvent(message: string): JobEvent {
  return jobEvent('job.log', { message });
}

/** Options every job takes. */
export interface JobContext {
  signal?: AbortSignal;
  emit?: EmitJobEvent;
  /**
   * A long-lived job (the latent explorer) says here how it answers questions while it runs; the worker sends it
   * the questions its caller asks (RunningJob.ask). Absent where nobody can ask.
   */
  onQuestion?: (answer: (question: unknown) => Promise<unknown>) => void;
}

/** A no-op listener, so jobs can always call `emit`. */
export const ignoreEvents: EmitJobEvent = () => undefined;
