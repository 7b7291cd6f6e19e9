import { join } from 'node:path';
import {
  events as eventSchemas,
  type ApiFailure,
  type EventName,
  type EventPayload,
  type RequestInput,
  type RequestName,
  type RequestResult,
} from '../../src-main/contract/index.js';
import { createStudio, type Studio, type StudioOptions } from '../../src-main/studio/index.js';
import { InlineRunner } from '../../src-main/worker/index.js';
import { tempDir } from '../helpers/tinyData.js';

export interface Heard {
  name: EventName;
  payload: unknown;
}

/** A studio on the calling thread (InlineRunner, wasm) that records every event and notification. */
export async function testStudio(options: Partial<StudioOptions> = {}) {
  const base = await tempDir('vae-studio-');
  const heard: Heard[] = [];
  const notifications: { title: string; body: string }[] = [];
  const waiters: { test: (e: Heard) => boolean; resolve: (e: Heard) => void }[] = [];
  const studio: Studio = await createStudio({
    host: 'browser',
    version: '0.0.0-test',
    stateDir: join(base, 'state'),
    projectsDir: join(base, 'projects'),
    runner: new InlineRunner(),
    backend: 'wasm',
    shell: { notify: (title, body) => notifications.push({ title, body }) },
    ...options,
  });
  studio.subscribe((name, payload) => {
    const event = { name, payload };
    heard.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.test(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });

  /** Invokes a request that must succeed and returns its value. */
  async function call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestResult<N>> {
    const answer = await studio.invoke(name, input);
    if (!answer.ok) throw new Error(`${name} failed: ${answer.code}: ${answer.message}`);
    return answer.value as RequestResult<N>;
  }

  /** Invokes a request that must fail and returns the failure. */
  async function refuse(name: string, input: unknown): Promise<ApiFailure> {
    const answer = await studio.invoke(name, input);
    if (answer.ok) throw new Error(`${name} succeeded with ${JSON.stringify(answer.value).slice(0, 200)}`);
    return answer;
  }

  /** The first event (already heard or still to come) that passes `test`. */
  function next(test: (e: Heard) => boolean): Promise<Heard> {
    const seen = heard.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ test, resolve }));
  }

  /** The `job.done` or `job.failed` of a job. */
  function jobEnd(jobId: string): Promise<Heard> {
    return next(
      (e) =>
        (e.name === 'job.done' || e.name === 'job.failed') &&
        (e.payload as { jobId: string }).jobId === jobId,
    );
  }

  /** Every payload of one event name for one job, checked against the contract's schema. */
  function payloads<N extends EventName>(name: N, jobId?: string): EventPayload<N>[] {
    return heard
      .filter((e) => e.name === name)
      .map((e) => eventSchemas[name].parse(e.payload) as EventPayload<N>)
      .filter((p) => jobId === undefined || (p as { jobId?: string }).jobId === jobId);
  }

  return { studio, base, heard, notifications, call, refuse, next, jobEnd, payloads };
}

export type TestStudio = Awaited<ReturnType<typeof testStudio>>;

/** Decodes a `data:image/png;base64,` URL to its bytes. */
export function dataUrlBytes(url: string): Buffer {
  const match = /^data:image\/png;base64,(.*)$/.exec(url);
  if (!match) throw new Error(`not a PNG data URL: ${url.slice(0, 40)}`);
  return Buffer.from(match[1]!, 'base64');
}
