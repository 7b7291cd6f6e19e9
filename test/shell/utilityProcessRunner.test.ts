import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUtilityProcessRunner, type JobProcess } from '../../src-main/electron/utilityProcessRunner.js';
import type { JobEvent } from '../../src-main/jobs/index.js';
import { CancelledError, UserError } from '../../src-main/util/errors.js';
import type { FromWorker, ToWorker } from '../../src-main/worker/protocol.js';

/** A job process whose messages and exit the test plays; it records what it was sent and whether it was killed. */
class FakeJobProcess extends EventEmitter implements JobProcess {
  readonly received: ToWorker[] = [];
  readonly transferred: unknown[][] = [];
  kills = 0;
  postMessage(message: ToWorker, transfer?: unknown[]): void {
    this.received.push(message);
    if (transfer) this.transferred.push(transfer);
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
  answer(message: FromWorker): void {
    this.emit('message', message);
  }
}

function runnerWithFakes(cancelTimeoutMs?: number) {
  const children: FakeJobProcess[] = [];
  const forked: string[] = [];
  const runner = createUtilityProcessRunner({
    fork: (kind) => {
      forked.push(kind);
      const child = new FakeJobProcess();
      children.push(child);
      return child;
    },
    ...(cancelTimeoutMs === undefined ? {} : { cancelTimeoutMs }),
  });
  return { runner, children, forked };
}

const importInput = { folder: '/pics', project: '/proj', size: 64, channels: 3 } as never;
const progress: JobEvent = {
  name: 'generation.progress',
  payload: { done: 2, total: 8, imagesPerSec: 4, etaSeconds: 1.5 },
};

afterEach(() => vi.useRealTimers());

describe('the utility-process runner', () => {
  it('starts one process per job, sends it run, passes events on and resolves with done', async () => {
    const { runner, children, forked } = runnerWithFakes();
    const events: JobEvent[] = [];
    const job = runner.start('import', importInput, (event) => events.push(event));
    runner.start('backend-info', { preference: 'auto' }, () => undefined);
    expect(forked).toEqual(['import', 'backend-info']);
    const child = children[0]!;
    expect(child.received).toEqual([{ type: 'run', kind: 'import', input: importInput }]);

    child.answer({ type: 'event', event: progress });
    child.answer({ type: 'done', result: { imported: 12 } });
    await expect(job.result).resolves.toEqual({ imported: 12 });
    expect(events).toEqual([progress]);
    expect(child.kills).toBe(1);

    // Whatever the process says after its answer is ignored.
    child.answer({ type: 'event', event: progress });
    child.emit('exit', 0);
    expect(events).toHaveLength(1);
  });

  it('rebuilds a UserError with its code, CANCELLED as a CancelledError, and a bug as an Error with its stack', async () => {
    const { runner, children } = runnerWithFakes();
    const userFailure = runner.start('import', importInput, () => undefined);
    const cancelled = runner.start('import', importInput, () => undefined);
    const bug = runner.start('import', importInput, () => undefined);
    children[0]!.answer({
      type: 'failed',
      error: { name: 'UserError', code: 'NO_IMAGES', message: 'no images in /pics' },
    });
    children[1]!.answer({
      type: 'failed',
      error: { name: 'CancelledError', code: 'CANCELLED', message: 'cancelled' },
    });
    children[2]!.answer({
      type: 'failed',
      error: { name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x…' },
    });

    const userError = await userFailure.result.catch((e: unknown) => e);
    expect(userError).toBeInstanceOf(UserError);
    expect(userError).toMatchObject({ code: 'NO_IMAGES', message: 'no images in /pics' });
    await expect(cancelled.result).rejects.toBeInstanceOf(CancelledError);
    const bugError = await bug.result.catch((e: unknown) => e);
    expect(bugError).not.toBeInstanceOf(UserError);
    expect(bugError).toMatchObject({ name: 'TypeError', message: 'x is undefined', stack: 'TypeError: x…' });
  });

  it('rejects naming the exit code when the process ends without an answer', async () => {
    const { runner, children } = runnerWithFakes();
    const job = runner.start('train', {} as never, () => undefined);
    children[0]!.emit('exit', 134);
    await expect(job.result).rejects.toThrow(
      "the train job's process exited with code 134 before it answered",
    );
  });

  it('sends cancel once, and ends a process that does not stop in time with a CancelledError', async () => {
    vi.useFakeTimers();
    const { runner, children } = runnerWithFakes(5_000);
    const job = runner.start('train', {} as never, () => undefined);
    const child = children[0]!;
    job.cancel();
    job.cancel();
    expect(child.received.map((m) => m.type)).toEqual(['run', 'cancel']);
    vi.advanceTimersByTime(4_999);
    expect(child.kills).toBe(0);
    vi.advanceTimersByTime(1);
    const error = await job.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error).toMatchObject({ message: 'the train job did not stop within 5 s and was ended' });
    expect(child.kills).toBe(1);
  });

  it('keeps the partial result of a job that stops in time after a cancel', async () => {
    vi.useFakeTimers();
    const { runner, children } = runnerWithFakes(5_000);
    const job = runner.start('generate', {} as never, () => undefined);
    job.cancel();
    children[0]!.answer({ type: 'done', result: { count: 3, cancelled: true } });
    await expect(job.result).resolves.toEqual({ count: 3, cancelled: true });
    vi.advanceTimersByTime(10_000);
    expect(children[0]!.kills).toBe(1);
  });

  it('shuts down by cancelling every running job and waiting for all of them', async () => {
    const { runner, children } = runnerWithFakes();
    const first = runner.start('train', {} as never, () => undefined);
    const second = runner.start('generate', {} as never, () => undefined);
    const finished = runner.start('import', importInput, () => undefined);
    children[2]!.answer({ type: 'done', result: 'early' });
    await finished.result;

    let shutDown = false;
    const shutdown = runner.shutdown().then(() => (shutDown = true));
    expect(children.map((c) => c.received.at(-1)?.type)).toEqual(['cancel', 'cancel', 'run']);
    children[0]!.answer({ type: 'done', result: { cancelled: true } });
    await Promise.resolve();
    expect(shutDown).toBe(false);
    children[1]!.answer({
      type: 'failed',
      error: { name: 'CancelledError', code: 'CANCELLED', message: 'cancelled' },
    });
    await shutdown;
    await expect(first.result).resolves.toEqual({ cancelled: true });
    await expect(second.result).rejects.toBeInstanceOf(CancelledError);
  });

  it('answers a job whose process cannot start with a rejected result, not a throw', async () => {
    const runner = createUtilityProcessRunner({
      fork: () => {
        throw new Error('Missing UtilityProcess entry script.');
      },
    });
    const job = runner.start('import', importInput, () => undefined);
    expect(() => job.cancel()).not.toThrow();
    await expect(job.result).rejects.toThrow(
      "the import job's process could not start: Error: Missing UtilityProcess",
    );
  });

  it('sends a training port beside the run message for train and backend-info only, and closes it if unused', async () => {
    const children: FakeJobProcess[] = [];
    const asked: string[] = [];
    const ports: { closed: boolean; close(): void }[] = [];
    const newPort = () => {
      const port = { closed: false, close: () => void (port.closed = true) };
      ports.push(port);
      return port;
    };
    let failFork = false;
    const runner = createUtilityProcessRunner({
      fork: () => {
        if (failFork) throw new Error('no entry script');
        const child = new FakeJobProcess();
        children.push(child);
        return child;
      },
      trainingPort: (kind) => {
        asked.push(kind);
        return Promise.resolve(newPort());
      },
    });
    const trainInput = { project: '/proj', backend: 'webgpu' } as never;
    const train = runner.start('train', trainInput, () => undefined);
    runner.start('import', importInput, () => undefined);
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual(['train']);
    // The import started at once, without a port; the train once its port was there.
    const [importChild, trainChild] = children;
    expect(importChild!.received[0]).toMatchObject({ kind: 'import' });
    expect(importChild!.transferred).toEqual([]);
    expect(trainChild!.received).toEqual([{ type: 'run', kind: 'train', input: trainInput }]);
    expect(trainChild!.transferred).toEqual([[ports[0]]]);
    trainChild!.answer({ type: 'done', result: { epochs: 1 } });
    await expect(train.result).resolves.toEqual({ epochs: 1 });

    failFork = true;
    const info = runner.start('backend-info', { preference: 'auto' }, () => undefined);
    await expect(info.result).rejects.toThrow("the backend-info job's process could not start");
    expect(ports[1]!.closed).toBe(true);
  });
});
