import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src-main/jobs/index.js';
import { CancelledError, UserError } from '../../src-main/util/errors.js';
import { fromErrorData, toErrorData } from '../../src-main/util/errorData.js';
import { InlineRunner } from '../../src-main/worker/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

describe('InlineRunner', () => {
  it('hands back the job before its first event, then the events, then the result', async () => {
    const images = join(await tempDir(), 'images');
    await writeSquares(images, 6);
    const log: string[] = [];
    const job = new InlineRunner().start(
      'import',
      { folder: images, project: join(await tempDir(), 'p'), size: 16, channels: 1, fit: 'cover' },
      (e: JobEvent) => log.push(e.name),
    );
    log.push('handle');
    const result = await job.result;
    log.push('result');
    expect(result.imported).toBe(6);
    expect(log[0]).toBe('handle');
    expect(log.at(-1)).toBe('result');
    expect(log.filter((t) => t === 'dataset.importProgress').length).toBeGreaterThanOrEqual(4);
  });

  it('cancels with CancelledError, and shutdown waits for every job to settle', async () => {
    const images = join(await tempDir(), 'images');
    await writeSquares(images, 6);
    const runner = new InlineRunner();
    const job = runner.start(
      'import',
      { folder: images, project: join(await tempDir(), 'p'), size: 16, channels: 1, fit: 'cover' },
      () => undefined,
    );
    let settled = false;
    job.result.catch(() => undefined).finally(() => (settled = true));
    await runner.shutdown();
    expect(settled).toBe(true);
    await expect(job.result).rejects.toBeInstanceOf(CancelledError);
  });

  it('answers an interpolation preview of a project without a model with NO_MODEL', async () => {
    const images = join(await tempDir(), 'images');
    await writeSquares(images, 4);
    const runner = new InlineRunner();
    const project = join(await tempDir(), 'p');
    await runner.start('import', { folder: images, project, size: 16, channels: 1, fit: 'cover' }, () => 0)
      .result;
    const preview = runner.start(
      'interpolate-preview',
      { project, a: { datasetIndex: 0 }, b: { datasetIndex: 3 }, steps: 3, mode: 'lerp', backend: 'cpu' },
      () => 0,
    );
    await expect(preview.result).rejects.toMatchObject({ code: 'NO_MODEL' });
  });
});

describe('errors across the worker boundary', () => {
  it('keeps a UserError’s code and message, CANCELLED, and a bug’s name and stack', () => {
    const user = fromErrorData(toErrorData(new UserError('NO_IMAGES', 'no images found in /x')));
    expect(user).toBeInstanceOf(UserError);
    expect(user).toMatchObject({ code: 'NO_IMAGES', message: 'no images found in /x' });

    const cancelled = fromErrorData(toErrorData(new CancelledError('stopped')));
    expect(cancelled).toBeInstanceOf(CancelledError);
    expect(cancelled.message).toBe('stopped');

    const bug = new TypeError('x is undefined');
    const data = toErrorData(bug);
    expect(data).toEqual({ name: 'TypeError', message: 'x is undefined', stack: bug.stack });
    const rebuilt = fromErrorData(data);
    expect(rebuilt).not.toBeInstanceOf(UserError);
    expect([rebuilt.name, rebuilt.message, rebuilt.stack]).toEqual([
      'TypeError',
      'x is undefined',
      bug.stack,
    ]);

    expect(toErrorData('plain string')).toEqual({ name: 'Error', message: 'plain string' });
  });
});
