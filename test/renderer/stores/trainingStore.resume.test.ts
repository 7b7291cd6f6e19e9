/**
 * Resume is offered only when there is something to resume (the form's Epochs above what the model has
 * trained), and can raise Epochs for the user; Start training on a project with a model asks first, since the
 * run moves that model into the project's archive.
 */
import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTrainingStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;

/** A project whose model has trained 40 of its 40 epochs; the form has its settings. */
beforeEach(async () => {
  fake = createFakeApi();
  fake.on('training.start', () => ok({ jobId: 'tr-1', kind: 'train' }));
  fake.on('training.resume', () => ok({ jobId: 'tr-2', kind: 'train' }));
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: modelSummary(40) }));
  await nextTick();
});

describe('useTrainingStore: Resume', () => {
  it('is disabled while Epochs is not above the trained epochs, and never asks the main side', async () => {
    const training = useTrainingStore();
    expect(training.form.epochs).toBe(40);
    expect(training.canResume).toBe(false);
    expect(training.resumePlan).toMatchObject({ trained: 40, target: null, suggested: 60 });
    training.form.epochs = 12;
    expect(training.canResume).toBe(false);
    expect(await training.resume()).toBe(false);
    expect(fake.inputsOf('training.resume')).toEqual([]);
  });

  it('raises Epochs to the suggested total, which enables it and resumes to that total', async () => {
    const training = useTrainingStore();
    training.raiseEpochs();
    expect(training.form.epochs).toBe(60);
    expect(training.canResume).toBe(true);
    expect(training.resumePlan?.target).toBe(60);
    expect(await training.resume()).toBe(true);
    expect(fake.inputsOf('training.resume')).toEqual([{ epochs: 60, backend: 'auto' }]);
  });

  it("resumes on the form's backend", async () => {
    const training = useTrainingStore();
    training.form.epochs = 41;
    training.form.backend = 'wasm';
    await training.resume();
    expect(fake.inputsOf('training.resume')).toEqual([{ epochs: 41, backend: 'wasm' }]);
  });

  it('is disabled while Epochs is empty or invalid', () => {
    const training = useTrainingStore();
    training.form.epochs = '';
    expect(training.canResume).toBe(false);
    training.form.epochs = 60.5;
    expect(training.canResume).toBe(false);
  });

  it("names the form's changes that Resume leaves out (it keeps the model's own settings)", () => {
    const training = useTrainingStore();
    expect(training.resumePlan?.ignored).toEqual([]);
    training.form.latentDim = 64;
    training.form.learningRate = 0.01;
    training.form.epochs = 50;
    expect(training.resumePlan?.ignored).toEqual(['Latent dimension', 'Learning rate']);
    expect(training.canResume).toBe(true);
  });

  it('offers one more epoch after a single trained epoch', async () => {
    fake.emit('project.changed', projectSummary({ root: '/one', model: modelSummary(1) }));
    await nextTick();
    expect(useTrainingStore().resumePlan).toMatchObject({ trained: 1, target: null, suggested: 2 });
  });
});

describe('useTrainingStore: Start training on a project with a model', () => {
  it('asks before starting, and starts only after a yes', async () => {
    const training = useTrainingStore();
    expect(await training.start()).toBe(false);
    expect(training.confirmingStart).toBe(true);
    expect(fake.inputsOf('training.start')).toEqual([]);
    expect(await training.confirmStart()).toBe(true);
    expect(training.confirmingStart).toBe(false);
    expect(fake.inputsOf('training.start')).toHaveLength(1);
    expect(training.isRunning).toBe(true);
  });

  it('starts nothing when the user declines', async () => {
    const training = useTrainingStore();
    await training.start();
    training.cancelStart();
    expect(training.confirmingStart).toBe(false);
    expect(fake.inputsOf('training.start')).toEqual([]);
    expect(training.isRunning).toBe(false);
  });

  it('starts at once on a project without a model', async () => {
    fake.emit('project.changed', projectSummary({ root: '/fresh' }));
    await nextTick();
    const training = useTrainingStore();
    expect(await training.start()).toBe(true);
    expect(training.confirmingStart).toBe(false);
    expect(fake.inputsOf('training.start')).toHaveLength(1);
  });
});
