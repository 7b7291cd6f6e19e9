import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import type { QualityReport } from '../../../src-renderer/src/api/contract';
import { useAppStore, useQualityStore } from '../../../src-renderer/src/stores';
import { createFakeApi, fail, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary, qualityHistoryEntry, qualityReport } from '../fixtures';

let fake: FakeApi;
let stored: QualityReport[];

beforeEach(async () => {
  fake = createFakeApi();
  stored = [];
  fake.on('quality.start', () => ok({ jobId: 'quality-1', kind: 'quality' }));
  fake.on('quality.reports', () => ok(stored.map(qualityHistoryEntry)));
  fake.on('quality.report', (input) => {
    const r = stored.find((s) => s.report === input.report);
    if (!r) return fail('NOT_FOUND', `report not found: ${input.report}`);
    return ok({
      report: r,
      folder: r.report.replace(/\/report\.json$/, ''),
      samples: 'data:image/png;base64,SA',
      copies: r.copies.files.map(() => ({
        image: 'data:image/png;base64,CA',
        training: 'data:image/png;base64,TA',
        pixelTraining: null,
      })),
      closest: [],
    });
  });
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: modelSummary(5) }));
  await nextTick();
});

function finish(r: QualityReport): void {
  stored.push(r);
  fake.emit('job.done', { jobId: 'quality-1', kind: 'quality', cancelled: false, result: r });
}

describe('useQualityStore', () => {
  it('starts a report with the contract defaults for the model’s images and follows its phases', async () => {
    // The fixture's model is 28×28×1: the likelihood's default is 64 images there.
    const quality = useQualityStore();
    expect(quality.form).toEqual({
      count: 2000,
      likelihoodImages: 64,
      likelihoodSamples: 1000,
      sampler: 'gmm',
      seed: 0,
      allModels: false,
    });
    quality.form.count = 40;
    expect(await quality.start()).toBe(true);
    expect(fake.inputsOf('quality.start')).toEqual([
      {
        count: 40,
        likelihoodImages: 64,
        likelihoodSamples: 1000,
        sampler: 'gmm',
        seed: 0,
        allModels: false,
      },
    ]);
    expect(quality.isRunning).toBe(true);
    expect(quality.canStart).toBe(false);

    // Before any progress event the job's log line is the phase.
    fake.emit('job.log', { jobId: 'quality-1', message: 'sampling 40 images from the model' });
    expect(quality.phase).toBe('sampling 40 images from the model');
    expect(quality.progressFraction).toBeNull();
    fake.emit('quality.progress', {
      jobId: 'quality-1',
      phase: 'features of the training images',
      done: 30,
      total: 120,
    });
    expect(quality.phase).toBe('features of the training images');
    expect(quality.progressFraction).toBe(0.25);
  });

  it('names an invalid count and refuses to start, and needs a trained model', async () => {
    const quality = useQualityStore();
    quality.form.count = 1;
    expect(quality.fieldErrors).toEqual({ count: 'must be at least 2' });
    expect(await quality.start()).toBe(false);
    quality.form.count = '';
    expect(quality.fieldErrors).toEqual({ count: 'Enter a number' });
    quality.form.count = 40;
    expect(quality.canStart).toBe(true);
    fake.emit('project.changed', projectSummary({ model: null }));
    expect(quality.canStart).toBe(false);
    expect(fake.inputsOf('quality.start')).toHaveLength(0);
  });

  it('shows the finished report, then its images and the trend of every stored report', async () => {
    const quality = useQualityStore();
    const older = qualityReport({ stamp: 'a', epoch: 2 }, { createdAt: '2025-01-01T00:00:00.000Z', fid: 30 });
    stored.push(older);
    await quality.start();
    const r = qualityReport({ stamp: 'b', epoch: 5, copies: 2 });
    finish(r);
    // The figures show at once; the images come with the report's own answer.
    expect(quality.report).toEqual(r);
    expect(quality.status).toBe('Scored 40 images in 4.2 s.');
    expect(quality.isRunning).toBe(false);
    await settle();
    expect(fake.inputsOf('quality.report')).toEqual([{ report: r.report }]);
    expect(quality.images).toEqual({
      folder: '/home/ada/vae-projects/pets/quality/b',
      samples: 'data:image/png;base64,SA',
      copies: [
        { image: 'data:image/png;base64,CA', training: 'data:image/png;base64,TA', pixelTraining: null },
        { image: 'data:image/png;base64,CA', training: 'data:image/png;base64,TA', pixelTraining: null },
      ],
      closest: [],
    });
    expect(quality.history.map((h) => [h.model.epoch, h.fid])).toEqual([
      [2, 30],
      [5, r.fid],
    ]);

    // An older report picked from the trend replaces the one shown.
    expect(await quality.openReport(older.report)).toBe(true);
    expect(quality.report?.model.epoch).toBe(2);
    expect(quality.images?.copies).toEqual([]);
  });

  it('opens the newest stored report when the view first shows, once per project', async () => {
    stored.push(qualityReport({ stamp: 'a', epoch: 2 }), qualityReport({ stamp: 'b', epoch: 4 }));
    const quality = useQualityStore();
    await quality.ensureLoaded();
    expect(quality.historyLoaded).toBe(true);
    expect(quality.report?.model.epoch).toBe(4);
    await quality.ensureLoaded();
    expect(fake.inputsOf('quality.reports')).toHaveLength(1);
    expect(fake.inputsOf('quality.report')).toHaveLength(1);

    // Another project starts empty and with the defaults; the first one's count comes back with it.
    quality.form.count = 300;
    fake.emit('project.changed', projectSummary({ root: '/other', model: modelSummary(1) }));
    expect(quality.report).toBeNull();
    expect(quality.history).toEqual([]);
    expect(quality.historyLoaded).toBe(false);
    expect(quality.form.count).toBe(2000);
    fake.emit('project.changed', projectSummary({ model: modelSummary(5) }));
    expect(quality.form.count).toBe(300);
  });

  it('cancels without a notice, and a failed report becomes one', async () => {
    fake.on('quality.cancel', () => ok({ cancelled: true }));
    const quality = useQualityStore();
    await quality.start();
    await quality.cancel();
    expect(fake.inputsOf('quality.cancel')).toHaveLength(1);
    fake.emit('job.failed', {
      jobId: 'quality-1',
      kind: 'quality',
      code: 'CANCELLED',
      message: 'quality-1 was cancelled',
    });
    expect(quality.isRunning).toBe(false);
    expect(quality.status).toBe('Cancelled; no report was written.');
    expect(quality.error).toBeNull();
    expect(useAppStore().notices).toEqual([]);

    fake.on('quality.start', () => ok({ jobId: 'quality-2', kind: 'quality' }));
    await quality.start();
    fake.emit('job.failed', {
      jobId: 'quality-2',
      kind: 'quality',
      code: 'DATASET_CHANGED',
      message: 'the dataset was re-imported at 32×32; the model was trained at 16×16',
    });
    expect(quality.status).toBe(
      'Quality report failed: the dataset was re-imported at 32×32; the model was trained at 16×16',
    );
    expect(useAppStore().notices.at(-1)).toMatchObject({ title: 'Quality report failed' });
  });
});
