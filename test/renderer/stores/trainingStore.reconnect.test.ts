/**
 * A window that opens (a reload, a second window, a reconnect) while training runs shows the run as it is: its
 * settings rather than the form's defaults, the epochs so far, the latest previews and the progress, on the
 * Train tab.
 */
import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  openSession,
  refreshAfterReconnect,
  useAppStore,
  useTrainingStore,
} from '../../../src-renderer/src/stores';
import { defaultEpochs } from '../../../src-main/contract/index.js';
import { createFakeApi, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { backendInfo, epochMetrics, loss, modelSummary, projectSummary, trainRun } from '../fixtures';

let fake: FakeApi;

const PREVIEWS = {
  epoch: 21,
  samples: 'data:image/png;base64,S21',
  reconstructions: 'data:image/png;base64,R21',
};
const PROGRESS = {
  epoch: 22,
  epochs: 40,
  step: 4,
  stepsPerEpoch: 10,
  globalStep: 214,
  loss: loss(120),
  imagesPerSec: 640,
  etaSeconds: 300,
};

/**
 * The main side mid-run: epoch 22 of 40 trains and 21 are done, but no checkpoint of the run is whole yet (its
 * writes lag behind), so the project's model on disk is still the previous one (latent 16, β 2, 5 epochs).
 */
function trainingMidRun(run = trainRun({ backend: backendInfo({ reason: 'the run’s own backend' }) })) {
  fake.on('project.current', () => ok(projectSummary({ model: modelSummary(5) })));
  fake.on('job.list', () => ok([{ jobId: 'train-4', kind: 'train' as const }]));
  fake.on('training.status', () =>
    ok({
      running: { jobId: 'train-4', kind: 'train' as const },
      run,
      progress: PROGRESS,
      history: Array.from({ length: 21 }, (_, i) => epochMetrics(i + 1)),
      previews: PREVIEWS,
    }),
  );
  return run;
}

beforeEach(() => {
  fake = createFakeApi();
  installStores(fake);
});

describe('useTrainingStore: a window that opens while training runs', () => {
  it("fills the form with the run's settings, not the defaults, and shows its history, previews and progress", async () => {
    trainingMidRun();
    await openSession(fake.api);
    await settle();
    const training = useTrainingStore();
    expect(training.isRunning).toBe(true);
    expect(training.jobId).toBe('train-4');
    expect(training.form).toMatchObject({ latentDim: 12, beta: 0.5, epochs: 40, batchSize: 16, seed: 3 });
    expect(training.history.map((m) => m.epoch)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(training.previews).toEqual(PREVIEWS);
    expect(training.progress).toEqual(PROGRESS);
    expect(training.progressFraction).toBeCloseTo((21 * 10 + 4) / 400);
    expect(training.runningPoint).toEqual({ epoch: 22, loss: loss(120) });
    expect(training.plannedEpochs).toBe(40);
    // The panel names the backend the run uses, not a probe of the form's preference.
    expect(training.backend?.reason).toBe('the run’s own backend');
    await training.loadBackend();
    expect(training.backend?.reason).toBe('the run’s own backend');
    // Nothing to start or resume beside it; it can be cancelled.
    expect([training.canStart, training.canResume, training.canCancel]).toEqual([false, false, true]);
  });

  it('opens the Train tab when a training runs, and stays on Dataset when none does', async () => {
    trainingMidRun();
    await openSession(fake.api);
    expect(useAppStore().activeTab).toBe('train');

    const other = createFakeApi();
    other.on('project.current', () => ok(projectSummary({ model: modelSummary(3) })));
    installStores(other);
    await openSession(other.api);
    expect(useAppStore().activeTab).toBe('dataset');
  });

  it('after a reconnect, shows the run in place of the defaults the form had', async () => {
    fake.emit('project.changed', projectSummary());
    await settle();
    const training = useTrainingStore();
    expect(training.form).toMatchObject({
      latentDim: 32,
      beta: 0.1,
      epochs: defaultEpochs(projectSummary().dataset!.count),
    });
    trainingMidRun();
    await refreshAfterReconnect(fake.api);
    expect(training.isRunning).toBe(true);
    expect(training.form).toMatchObject({ latentDim: 12, beta: 0.5, epochs: 40 });
    expect(training.history).toHaveLength(21);
  });

  it("takes a resumed run's settings from its training.run event: the checkpoint's, with the new total", async () => {
    fake.emit('project.changed', projectSummary({ model: modelSummary(3) }));
    await settle();
    const training = useTrainingStore();
    // The user typed a different latent size; Resume continues the model with its own.
    training.form.latentDim = 64;
    fake.emit('job.started', { jobId: 'train-2', kind: 'train', title: 'Resume training from epoch 3 to 9' });
    const model = modelSummary(3);
    const run = trainRun({
      config: model.config,
      options: { ...model.trainOptions, epochs: 9 },
      startEpoch: 3,
    });
    fake.emit('training.run', { jobId: 'train-2', ...run });
    await nextTick();
    expect(training.run).toEqual(run);
    expect(training.form).toMatchObject({ latentDim: 16, beta: 2, epochs: 9, batchSize: 32 });
  });

  it("keeps the run's settings in the form after it ends, ready to start from", async () => {
    trainingMidRun();
    await openSession(fake.api);
    await settle();
    const training = useTrainingStore();
    fake.emit('job.done', {
      jobId: 'train-4',
      kind: 'train',
      cancelled: true,
      result: {
        backend: backendInfo(),
        config: trainRun().config,
        options: trainRun().options,
        startEpoch: 0,
        epochs: 22,
        final: epochMetrics(22),
        cancelled: true,
        checkpoint: '/p/checkpoints/epoch-0022',
        archivedPrevious: null,
        imagesPerSec: 600,
        guidance: [],
      },
    });
    expect(training.isRunning).toBe(false);
    expect(training.run).toBeNull();
    expect(training.form).toMatchObject({ latentDim: 12, beta: 0.5, epochs: 40 });
    expect(training.canStart).toBe(true);
  });
});
