import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import { useInterpolationStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('interpolation.preview', (input) =>
    ok({ frames: Array.from({ length: input.steps ?? 8 }, (_, i) => `data:image/png;base64,${i}`) }),
  );
  fake.on('interpolation.export', () =>
    ok({ jobId: 'int-1', kind: 'interpolate', out: '/p/interpolations/1' }),
  );
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: modelSummary(5) }));
  await nextTick();
});

describe('useInterpolationStore', () => {
  it('asks for both images before it can preview or export', () => {
    const interpolation = useInterpolationStore();
    expect(interpolation.fieldErrors).toMatchObject({ a: 'Choose image A', b: 'Choose image B' });
    expect(interpolation.canPreview).toBe(false);
    interpolation.useDatasetImage('a', 4, 'cats/4.png');
    interpolation.useFile('b', ' /home/ada/dog.jpg ');
    expect(interpolation.b).toEqual({ ref: { file: '/home/ada/dog.jpg' }, label: 'dog.jpg' });
    expect(interpolation.fieldErrors).toEqual({});
    expect(interpolation.canPreview).toBe(true);
  });

  it('previews a strip of frames and forgets it when the inputs change', async () => {
    const interpolation = useInterpolationStore();
    interpolation.useDatasetImage('a', 1, 'a');
    interpolation.useDatasetImage('b', 2, 'b');
    interpolation.steps = 5;
    interpolation.mode = 'lerp';
    await interpolation.preview();
    expect(fake.inputsOf('interpolation.preview')).toEqual([
      { a: { datasetIndex: 1 }, b: { datasetIndex: 2 }, steps: 5, mode: 'lerp' },
    ]);
    expect(interpolation.frames).toHaveLength(5);
    interpolation.swap();
    await nextTick();
    expect(interpolation.frames).toEqual([]);
    expect(interpolation.a?.ref).toEqual({ datasetIndex: 2 });
  });

  it('rejects a step count outside 2–200', () => {
    const interpolation = useInterpolationStore();
    interpolation.steps = 1;
    expect(interpolation.fieldErrors.steps).toBe('must be at least 2');
    interpolation.steps = '';
    expect(interpolation.fieldErrors.steps).toBe('Enter a number');
  });

  it('exports frames, contact sheet and animation, and reports the folder', async () => {
    const interpolation = useInterpolationStore();
    interpolation.useDatasetImage('a', 1, 'a');
    interpolation.useDatasetImage('b', 2, 'b');
    interpolation.animation = 'gif';
    expect(await interpolation.exportFrames()).toBe(true);
    expect(fake.inputsOf('interpolation.export')).toEqual([
      { a: { datasetIndex: 1 }, b: { datasetIndex: 2 }, steps: 8, mode: 'slerp', animation: 'gif' },
    ]);
    expect(interpolation.isRunning).toBe(true);
    fake.emit('interpolation.progress', { jobId: 'int-1', done: 2, total: 8 });
    expect(interpolation.progressFraction).toBe(0.25);
    fake.emit('job.done', {
      jobId: 'int-1',
      kind: 'interpolate',
      cancelled: false,
      result: {
        out: '/p/interpolations/1',
        frames: Array.from({ length: 8 }, (_, i) => `/p/interpolations/1/frame-${i}.png`),
        contactSheet: '/p/interpolations/1/contact-sheet.png',
        animation: '/p/interpolations/1/animation.gif',
        steps: 8,
        mode: 'slerp',
      },
    });
    expect(interpolation.isRunning).toBe(false);
    expect(interpolation.outFolder).toBe('/p/interpolations/1');
    expect(interpolation.status).toBe('Exported 8 frames.');
  });

  it('cancels the export by its job id', async () => {
    fake.on('job.cancel', () => ok({ cancelled: true }));
    const interpolation = useInterpolationStore();
    interpolation.useDatasetImage('a', 1, 'a');
    interpolation.useDatasetImage('b', 2, 'b');
    await interpolation.exportFrames();
    await interpolation.cancel();
    expect(fake.inputsOf('job.cancel')).toEqual([{ jobId: 'int-1' }]);
  });
});
