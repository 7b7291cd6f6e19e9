import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import { useAppStore, useGenerationStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;

/** The `job.done` of generation gen-1. */
function done(result: { out?: string; count: number; alreadyThere?: number; rejected?: number }) {
  return {
    jobId: 'gen-1',
    kind: 'generate' as const,
    cancelled: false,
    result: {
      out: result.out ?? '/tmp/out',
      files: [],
      manifest: { jsonl: '/tmp/out/manifest.jsonl', csv: '/tmp/out/manifest.csv' },
      count: result.count,
      alreadyThere: result.alreadyThere ?? 0,
      rejected: result.rejected ?? 0,
      cancelled: false,
      seconds: 2,
      imagesPerSec: 50,
    },
  };
}

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('generation.start', (input) =>
    ok({ jobId: 'gen-1', kind: 'generate', out: input.out ?? '/p/generated/run-1' }),
  );
  fake.on('generation.gallery', (input) =>
    ok({
      total: 100,
      images: Array.from({ length: Math.min(input.limit ?? 60, 100 - (input.offset ?? 0)) }, (_, i) => ({
        file: `${input.out}/${(input.offset ?? 0) + i}.png`,
        url: 'data:image/png;base64,AA',
        index: (input.offset ?? 0) + i,
        seed: 1000 + i,
      })),
    }),
  );
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: modelSummary(5) }));
  await nextTick();
});

describe('useGenerationStore', () => {
  it('says, before the first images, that a run started during training samples the last saved model', async () => {
    const generation = useGenerationStore();
    await generation.start();
    expect(generation.startingText).toBe('Starting…');
    fake.emit('job.failed', { jobId: 'gen-1', kind: 'generate', code: 'CANCELLED', message: 'cancelled' });
    fake.on('training.status', () =>
      ok({
        running: { jobId: 'train-2', kind: 'train' as const },
        run: null,
        progress: null,
        history: [],
        previews: null,
      }),
    );
    fake.emit('job.started', { jobId: 'train-2', kind: 'train', title: 'Training' });
    await settle();
    await generation.start();
    expect(generation.startingText).toBe(
      'Starting… Training is running, so this samples the model saved after epoch 5; both share the ' +
        'processor, so the first images may take a while.',
    );
    // Never a job id or a code.
    expect(generation.startingText).not.toMatch(/train-2|gen-1/);
  });

  it('starts from the contract defaults and leaves an empty output folder to the main side', async () => {
    const generation = useGenerationStore();
    expect(generation.form).toEqual({
      count: 64,
      temperature: 1,
      sampler: 'gmm',
      seed: 0,
      format: 'png',
      rejectCopies: false,
      out: '',
    });
    expect(await generation.start()).toBe(true);
    expect(fake.inputsOf('generation.start')).toEqual([
      {
        count: 64,
        temperature: 1,
        sampler: 'gmm',
        seed: 0,
        format: 'png',
        start: 0,
        batchSize: 64,
        rejectCopies: false,
      },
    ]);
    expect(generation.outFolder).toBe('/p/generated/run-1');
    expect(generation.isRunning).toBe(true);
  });

  it('names each invalid field and refuses to start', async () => {
    const generation = useGenerationStore();
    generation.form.count = 0;
    generation.form.temperature = 0;
    expect(generation.fieldErrors).toEqual({
      count: 'must be at least 1',
      temperature: 'must be greater than 0',
    });
    expect(generation.canStart).toBe(false);
    expect(await generation.start()).toBe(false);
    expect(fake.inputsOf('generation.start')).toHaveLength(0);
  });

  it('follows progress, then loads the gallery of the output folder page by page', async () => {
    const generation = useGenerationStore();
    generation.form.out = ' /tmp/out ';
    generation.form.count = 100;
    await generation.start();
    expect(fake.inputsOf('generation.start')[0]?.out).toBe('/tmp/out');
    fake.emit('generation.progress', {
      jobId: 'gen-1',
      done: 25,
      total: 100,
      imagesPerSec: 50,
      etaSeconds: 1.5,
    });
    expect(generation.progressFraction).toBe(0.25);

    fake.emit('job.done', done({ out: '/tmp/out', count: 100 }));
    await settle();
    expect(generation.isRunning).toBe(false);
    expect(generation.status).toBe('Generated 100 images in 2.0 s.');
    expect(fake.inputsOf('generation.gallery')).toEqual([{ out: '/tmp/out', offset: 0, limit: 60 }]);
    expect(generation.gallery.groups).toHaveLength(1);
    expect(generation.gallery.groups[0]).toMatchObject({ name: null, count: 100 });
    expect(generation.gallery.images).toHaveLength(60);
    await generation.gallery.more(null);
    expect(fake.inputsOf('generation.gallery').at(-1)).toEqual({ out: '/tmp/out', offset: 60, limit: 60 });
    expect(generation.gallery.images).toHaveLength(100);
    expect(generation.gallery.total).toBe(100);
  });

  it('moves the seed on after a run, says so, and the next run draws with the new seed', async () => {
    const generation = useGenerationStore();
    generation.form.seed = 7;
    await generation.start();
    expect(generation.seedNote).toBe('');
    fake.emit('job.done', done({ count: 64 }));
    expect(generation.form.seed).toBe(8);
    expect(generation.seedNote).toBe('Seed moved to 8 so the next run draws new images.');
    await generation.start();
    expect(fake.inputsOf('generation.start').map((i) => i.seed)).toEqual([7, 8]);
    expect(generation.seedNote).toBe('');
  });

  it('leaves a seed the user typed during the run as it is', async () => {
    const generation = useGenerationStore();
    generation.form.seed = 7;
    await generation.start();
    generation.form.seed = 42;
    fake.emit('job.done', done({ count: 64 }));
    expect(generation.form.seed).toBe(42);
    expect(generation.seedNote).toBe('');
  });

  it('shows a past run in the gallery', async () => {
    const generation = useGenerationStore();
    await generation.showRun('/p/generated/run-0');
    expect(generation.outFolder).toBe('/p/generated/run-0');
    expect(generation.gallery.folder).toBe('/p/generated/run-0');
    expect(generation.gallery.images[0]?.file).toBe('/p/generated/run-0/0.png');
  });

  it('says how many images an earlier, interrupted run had already written', async () => {
    const generation = useGenerationStore();
    await generation.start();
    fake.emit('job.done', {
      jobId: 'gen-1',
      kind: 'generate',
      cancelled: false,
      result: {
        out: '/tmp/out',
        files: [],
        manifest: { jsonl: '/tmp/out/manifest.jsonl', csv: '/tmp/out/manifest.csv' },
        count: 60,
        alreadyThere: 40,
        rejected: 0,
        cancelled: false,
        seconds: 1.5,
        imagesPerSec: 40,
      },
    });
    expect(generation.status).toBe(
      'Generated 60 images in 1.5 s (40 were already there from an earlier run).',
    );
  });

  it('with "leave out near-copies" sends rejectCopies and says how many it left out, none included', async () => {
    const generation = useGenerationStore();
    generation.form.rejectCopies = true;
    await generation.start();
    expect(fake.inputsOf('generation.start')[0]?.rejectCopies).toBe(true);
    const done = (rejected: number) =>
      fake.emit('job.done', {
        jobId: 'gen-1',
        kind: 'generate',
        cancelled: false,
        result: {
          out: '/tmp/out',
          files: [],
          manifest: { jsonl: '/tmp/out/manifest.jsonl', csv: '/tmp/out/manifest.csv' },
          count: 64,
          alreadyThere: 0,
          rejected,
          cancelled: false,
          seconds: 2,
          imagesPerSec: 32,
        },
      });
    done(3);
    expect(generation.status).toBe(
      'Generated 64 images in 2.0 s. Left out 3 near-copies of training images.',
    );
    await generation.start();
    done(0);
    expect(generation.status).toBe(
      'Generated 64 images in 2.0 s. Left out 0 near-copies of training images.',
    );
  });

  it('cancels, and a failed run becomes a notice', async () => {
    fake.on('generation.cancel', () => ok({ cancelled: true }));
    const generation = useGenerationStore();
    await generation.start();
    await generation.cancel();
    expect(fake.inputsOf('generation.cancel')).toHaveLength(1);
    fake.emit('job.failed', {
      jobId: 'gen-1',
      kind: 'generate',
      code: 'INTERNAL',
      message: 'disk full writing 12.png',
    });
    expect(generation.isRunning).toBe(false);
    expect(useAppStore().notices.at(-1)).toMatchObject({
      title: 'Generation failed',
      message: 'disk full writing 12.png',
    });
  });

  it('puts a picked folder into the Output folder field', async () => {
    fake.on('shell.pickFolder', () => ok('/home/ada/out'));
    const generation = useGenerationStore();
    await generation.pickOutputFolder();
    expect(generation.form.out).toBe('/home/ada/out');
  });
});
