import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultEpochs } from '../../../src-main/contract/index.js';
import { useAppStore, useTrainingStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { datasetSummary, epochMetrics, loss, modelSummary, projectSummary, trainResult } from '../fixtures';

let fake: FakeApi;

function progressEvent(epoch: number, step: number) {
  return {
    jobId: 'tr-1',
    epoch,
    epochs: 4,
    step,
    stepsPerEpoch: 10,
    globalStep: (epoch - 1) * 10 + step,
    loss: loss(150),
    imagesPerSec: 812.5,
    etaSeconds: 95,
  };
}

function epochEvent(epoch: number, withVal = true) {
  return {
    jobId: 'tr-1',
    metrics: epochMetrics(epoch, withVal),
    previews: {
      samples: `data:image/png;base64,S${epoch}`,
      reconstructions: `data:image/png;base64,R${epoch}`,
    },
  };
}

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('training.start', () => ok({ jobId: 'tr-1', kind: 'train' }));
  installStores(fake);
  fake.emit('project.changed', projectSummary());
  await nextTick();
});

describe('useTrainingStore: form', () => {
  it('follows an import into the open project: classes turn conditional on, the epochs follow the image count', async () => {
    const training = useTrainingStore();
    const flat = datasetSummary({ count: 5000, labels: [''], perLabel: { '': 5000 } });
    fake.emit('project.changed', projectSummary({ dataset: flat, model: null }));
    await nextTick();
    training.form.batchSize = 32;
    const labelled = datasetSummary({
      count: 500,
      labels: ['cats', 'dogs'],
      perLabel: { cats: 250, dogs: 250 },
    });
    fake.emit('project.changed', projectSummary({ dataset: labelled, model: null }));
    await nextTick();
    expect(training.form.conditional).toBe(true);
    expect(training.form.epochs).toBe(defaultEpochs(500));
    // What the user typed that does not depend on the images stays.
    expect(training.form.batchSize).toBe(32);
  });

  it("starts from each setting's default for the dataset's images (28×28×1; two classes: conditional)", () => {
    const training = useTrainingStore();
    expect(training.form).toEqual({
      imageSize: 28,
      latentDim: 32,
      beta: 0.1,
      width: 32,
      likelihood: 'bernoulli',
      gaussianSigma: 0.1,
      conditional: true,
      epochs: defaultEpochs(projectSummary().dataset!.count),
      batchSize: 64,
      learningRate: 0.003,
      lrWarmupSteps: 200,
      seed: 0,
      valFraction: 0.1,
      klWarmupEpochs: 0,
      freeBits: 0,
      gradClipNorm: 0,
      backend: 'auto',
    });
    expect(training.fieldErrors).toEqual({});
    expect(training.canStart).toBe(true);
  });

  it('gives each invalid field its own message and disables Start', () => {
    const training = useTrainingStore();
    Object.assign(training.form, {
      latentDim: 0,
      beta: '',
      epochs: 1.5,
      learningRate: 0,
      valFraction: 0.95,
      batchSize: 5000,
    });
    expect(training.fieldErrors).toEqual({
      latentDim: 'must be at least 1',
      beta: 'Enter a number',
      epochs: 'must be a whole number',
      learningRate: 'must be greater than 0',
      valFraction: 'must be at most 0.9',
      batchSize: 'must be at most 4096',
    });
    expect(training.isValid).toBe(false);
    expect(training.canStart).toBe(false);
  });

  it("takes the current model's settings and its history when a project with a model opens", async () => {
    const history = [1, 2, 3].map((e) => epochMetrics(e));
    fake.on('training.status', () =>
      ok({ running: null, run: null, progress: null, history, previews: null }),
    );
    fake.emit('project.changed', projectSummary({ root: '/other', model: modelSummary(3) }));
    await settle();
    const training = useTrainingStore();
    expect(training.form).toMatchObject({
      latentDim: 16,
      beta: 2,
      batchSize: 32,
      learningRate: 0.002,
      seed: 7,
      epochs: 3,
    });
    expect(training.history.map((m) => m.epoch)).toEqual([1, 2, 3]);
  });
});

describe('useTrainingStore: a run', () => {
  it('sends the validated form to training.start', async () => {
    const training = useTrainingStore();
    training.form.latentDim = 8;
    training.form.beta = 4;
    expect(await training.start()).toBe(true);
    expect(fake.inputsOf('training.start')).toEqual([
      {
        imageSize: 28,
        latentDim: 8,
        beta: 4,
        width: 32,
        likelihood: 'bernoulli',
        gaussianSigma: 0.1,
        conditional: true,
        epochs: defaultEpochs(projectSummary().dataset!.count),
        batchSize: 64,
        learningRate: 0.003,
        lrWarmupSteps: 200,
        seed: 0,
        valFraction: 0.1,
        klWarmupEpochs: 0,
        freeBits: 0,
        gradClipNorm: 0,
        backend: 'auto',
      },
    ]);
    expect(training.isRunning).toBe(true);
    expect(training.canStart).toBe(false);
    expect(training.canCancel).toBe(true);
  });

  it('shows live progress, images/s, ETA and a running point for the epoch in progress', async () => {
    const training = useTrainingStore();
    await training.start();
    fake.emit('training.progress', progressEvent(2, 5));
    expect(training.progressFraction).toBe(0.375);
    expect(training.imagesPerSec).toBe(812.5);
    expect(training.etaSeconds).toBe(95);
    expect(training.runningPoint).toEqual({ epoch: 2, loss: loss(150) });
    expect(training.plannedEpochs).toBe(4);
  });

  it('adds each finished epoch to the history with validation, and keeps the latest previews', async () => {
    const training = useTrainingStore();
    await training.start();
    fake.emit('training.epoch', epochEvent(1));
    fake.emit('training.epoch', epochEvent(2));
    expect(training.history).toHaveLength(2);
    expect(training.history[1]?.val?.negElbo).toBeCloseTo(110);
    expect(training.previews).toEqual({
      epoch: 2,
      samples: 'data:image/png;base64,S2',
      reconstructions: 'data:image/png;base64,R2',
    });
    // Progress of epoch 2 arriving after its metrics draws no running point.
    fake.emit('training.progress', progressEvent(2, 10));
    expect(training.runningPoint).toBeNull();
    fake.emit('training.progress', progressEvent(3, 1));
    expect(training.runningPoint?.epoch).toBe(3);
  });

  it('says what the losses say about the next step when a run ends', async () => {
    const training = useTrainingStore();
    await training.start();
    const guidance = ['The model was still improving when training ended: keep training.'];
    fake.emit('job.done', {
      jobId: 'tr-1',
      kind: 'train',
      cancelled: false,
      result: trainResult({ guidance }),
    });
    expect(training.status).toBe(
      'Training finished at epoch 3. The model was still improving when training ended: keep training. ' +
        'Score it in the Quality tab to see how good its images are.',
    );
  });

  it('ends on job.done with the backend that ran and why', async () => {
    const training = useTrainingStore();
    await training.start();
    fake.emit('training.progress', progressEvent(3, 10));
    fake.emit('job.done', { jobId: 'tr-1', kind: 'train', cancelled: false, result: trainResult() });
    expect(training.isRunning).toBe(false);
    expect(training.progress).toBeNull();
    expect(training.backend).toMatchObject({ device: 'gpu', reason: 'CUDA found.' });
    expect(training.status).toBe(
      'Training finished at epoch 3. Score it in the Quality tab to see how good its images are.',
    );
  });

  it('says which epoch is kept when cancelled', async () => {
    fake.on('training.cancel', () => ok({ cancelled: true }));
    const training = useTrainingStore();
    await training.start();
    await training.cancel();
    expect(fake.inputsOf('training.cancel')).toHaveLength(1);
    fake.emit('job.done', {
      jobId: 'tr-1',
      kind: 'train',
      cancelled: true,
      result: trainResult({ cancelled: true, final: epochMetrics(2) }),
    });
    expect(training.status).toBe(
      'Training cancelled; the checkpoint of epoch 2 is kept. Score it in the Quality tab to see how good its images are.',
    );
  });

  it('turns a failed run into a notice with its message', async () => {
    const training = useTrainingStore();
    await training.start();
    fake.emit('job.failed', {
      jobId: 'tr-1',
      kind: 'train',
      code: 'DIVERGED',
      message: 'loss became NaN at epoch 2, step 3',
    });
    expect(training.isRunning).toBe(false);
    expect(training.error).toBe('loss became NaN at epoch 2, step 3');
    expect(useAppStore().notices.at(-1)).toMatchObject({
      title: 'Training failed',
      message: 'loss became NaN at epoch 2, step 3',
    });
  });

  it('resumes up to the Epochs value when it is larger than the model has trained', async () => {
    fake.on('training.resume', () => ok({ jobId: 'tr-2', kind: 'train' }));
    fake.emit('project.changed', projectSummary({ model: modelSummary(3) }));
    await nextTick();
    const training = useTrainingStore();
    training.form.epochs = 10;
    expect(training.canResume).toBe(true);
    expect(await training.resume()).toBe(true);
    expect(fake.inputsOf('training.resume')).toEqual([{ epochs: 10, backend: 'auto' }]);
    expect(training.status).toBe('Resuming from epoch 3.');
  });

  it("picks up a run another window started from the main side's status", async () => {
    fake.on('training.status', () =>
      ok({
        running: { jobId: 'tr-9', kind: 'train' as const },
        run: null,
        progress: progressEvent(2, 1),
        history: [epochMetrics(1)],
        previews: {
          epoch: 1,
          samples: 'data:image/png;base64,S',
          reconstructions: 'data:image/png;base64,R',
        },
      }),
    );
    const training = useTrainingStore();
    fake.emit('job.started', { jobId: 'tr-9', kind: 'train', title: 'Training' });
    await settle();
    expect(training.isRunning).toBe(true);
    expect(training.history).toHaveLength(1);
    expect(training.previews?.epoch).toBe(1);
  });

  it('asks which backend training would use for the chosen preference', async () => {
    const training = useTrainingStore();
    training.form.backend = 'wasm';
    await training.loadBackend();
    expect(fake.inputsOf('backend.info')).toEqual([{ preference: 'wasm' }]);
    expect(training.backend?.reason).toMatch(/WebAssembly/);
    expect(training.backendLoading).toBe(false);
  });
});
