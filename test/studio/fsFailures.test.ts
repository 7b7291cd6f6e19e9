import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAULT_ENV_VAR } from '../../src-main/util/faultPoint.js';
import { defaultWorkerFile, ThreadRunner } from '../../src-main/worker/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';
import { testStudio } from './harness.js';

const built = existsSync(defaultWorkerFile());

let images: string;
beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 8);
});

describe('studio: file-system failures reach the user in words', () => {
  it.skipIf(!built)(
    "a full disk inside a worker thread's import ends in job.failed DISK_FULL naming the file, not INTERNAL",
    async () => {
      const t = await testStudio({ runner: new ThreadRunner() });
      const { root } = await t.call('project.create', { path: 'p' });
      // The worker reads the plan when it starts: its first atomic write then fails as a full disk does.
      process.env[FAULT_ENV_VAR] = 'atomic-write:1:ENOSPC';
      let failed;
      try {
        const handle = await t.call('dataset.import', { folder: images, size: 16, channels: 1 });
        const end = await t.jobEnd(handle.jobId);
        expect(end.name).toBe('job.failed');
        [failed] = t.payloads('job.failed', handle.jobId);
      } finally {
        delete process.env[FAULT_ENV_VAR];
      }
      expect(failed?.code).toBe('DISK_FULL');
      expect(failed?.message).toMatch(
        new RegExp(
          `^no space left on the disk holding ${join(root, 'dataset')} while writing ${join(root, 'dataset')}/`,
        ),
      );
      expect(failed?.message).toContain('free some space and run it again');
      expect(failed?.message).not.toMatch(/ENOSPC|VAE_STUDIO_DEBUG|\n/);
      await t.studio.shutdown();
    },
  );

  it('a request on a path blocked by a file answers with the classified code, not INTERNAL', async () => {
    const t = await testStudio();
    const file = join(t.base, 'a-file');
    await writeFile(file, 'x');
    const failure = await t.refuse('project.create', { path: join(file, 'p') });
    expect(failure.code).not.toBe('INTERNAL');
    expect(failure.message).toContain(file);
    await t.studio.shutdown();
  });
});
