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

  it('one click per image: the first pick is A, the next B, further picks replace them in turn', () => {
    const interpolation = useInterpolationStore();
    expect(interpolation.nextSlot).toBe('a');
    expect(interpolation.pick(4, 'bag/4.png', 'bag')).toBe('a');
    expect(interpolation.pick(9, 'shoe/9.png', 'shoe')).toBe('b');
    expect([interpolation.a?.ref, interpolation.b?.ref]).toEqual([{ datasetIndex: 4 }, { datasetIndex: 9 }]);
    expect(interpolation.marks).toEqual({ 4: 'A', 9: 'B' });
    expect(interpolation.endClasses).toEqual({ a: 'bag', b: 'shoe' });
    expect(interpolation.pick(12, 'coat/12.png', 'coat')).toBe('a');
    expect(interpolation.pick(13, 'coat/13.png', 'coat')).toBe('b');
    expect(interpolation.marks).toEqual({ 12: 'A', 13: 'B' });
  });

  it('a cleared end is the next one a pick fills; a swap swaps the marks', () => {
    const interpolation = useInterpolationStore();
    interpolation.pick(1, 'a/1.png');
    interpolation.pick(2, 'b/2.png');
    interpolation.clear('a');
    expect(interpolation.a).toBeNull();
    expect(interpolation.nextSlot).toBe('a');
    interpolation.pick(3, 'a/3.png');
    expect(interpolation.marks).toEqual({ 3: 'A', 2: 'B' });
    interpolation.swap();
    expect(interpolation.marks).toEqual({ 2: 'A', 3: 'B' });
    // After the swap the image picked last is B, so the next pick replaces A. The same image at both ends
    // carries both letters.
    expect(interpolation.nextSlot).toBe('a');
    interpolation.pick(3, 'a/3.png');
    expect(interpolation.marks).toEqual({ 3: 'AB' });
  });

  it('gives a file its class for a conditional model', () => {
    const interpolation = useInterpolationStore();
    interpolation.useFile('a', '/srv/boot.png');
    interpolation.setFileClass('a', 'shoe');
    expect(interpolation.a?.ref).toEqual({ file: '/srv/boot.png', class: 'shoe' });
    expect(interpolation.endClasses.a).toBe('shoe');
    interpolation.setFileClass('a', undefined);
    expect(interpolation.a?.ref).toEqual({ file: '/srv/boot.png' });
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
    expect(interpolation.status).toBe('Exported 8 frames, and a contact sheet with A and B at its ends.');
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
