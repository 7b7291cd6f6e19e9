import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import TrainView from '../../../src-renderer/src/views/TrainView.vue';
import { byButton, byLabel, descriptionOf } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { backendInfo, epochMetrics, modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

async function mountView() {
  const wrapper = mount(TrainView, mountOptions(fake, pinia));
  await flushPromises();
  return wrapper;
}

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('training.start', () => ok({ jobId: 'tr-1', kind: 'train' }));
  ({ pinia } = installStores(fake));
  fake.emit('project.changed', projectSummary());
  await nextTick();
});

describe('TrainView', () => {
  it("says when the model is not the checkpoint the project's pointer names, and why", async () => {
    const note =
      'checkpoints/latest.json is missing; using the newest intact checkpoint, /p/checkpoints/epoch-0003';
    fake.emit('project.changed', projectSummary({ model: modelSummary(3, { note }) }));
    const wrapper = await mountView();
    expect(wrapper.get('[role="note"]').text()).toBe(`${note}.`);
  });

  it('labels every setting', async () => {
    const wrapper = await mountView();
    const labels = [
      'Latent dimension',
      'β (KL weight)',
      'Epochs',
      'Batch size',
      'Learning rate',
      'Image size',
      'KL warm-up (epochs)',
      'Seed',
      'Width',
      'Likelihood',
      'Validation fraction',
      'Gaussian σ',
      'Free bits (nats)',
      'Gradient clip',
      'Backend',
    ];
    expect(labels.map((l) => byLabel(wrapper, l).exists())).toEqual(labels.map(() => true));
    expect(wrapper.get('details summary').text()).toBe('Advanced');
    // The fixture's dataset is 28×28×1; the default latent size is 32 at every size.
    expect((byLabel(wrapper, 'Latent dimension').element as HTMLInputElement).value).toBe('32');
  });

  it('disables Start on an invalid field and shows its message next to the field', async () => {
    const wrapper = await mountView();
    const start = byButton(wrapper, 'Start training');
    expect(start.attributes('disabled')).toBeUndefined();

    const latent = byLabel(wrapper, 'Latent dimension');
    await latent.setValue('0');
    expect(start.attributes('disabled')).toBeDefined();
    expect(latent.attributes('aria-invalid')).toBe('true');
    // Described by its message, then its one-line help.
    expect(descriptionOf(wrapper, latent)).toBe('must be at least 1 Size of the latent code z.');
    // The message sits in the field's own row.
    expect(latent.element.closest('.field')?.textContent).toContain('must be at least 1');

    await latent.setValue('16');
    expect(start.attributes('disabled')).toBeUndefined();
    expect(latent.attributes('aria-invalid')).toBe('false');
    expect(wrapper.text()).not.toContain('must be at least 1');
  });

  it('starts training with the form values and enables Cancel while it runs', async () => {
    const wrapper = await mountView();
    await byLabel(wrapper, 'Epochs').setValue('3');
    await byButton(wrapper, 'Start training').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('training.start')[0]).toMatchObject({ epochs: 3, latentDim: 32 });
    expect(byButton(wrapper, 'Cancel').attributes('disabled')).toBeUndefined();
    expect(byButton(wrapper, 'Start training').attributes('disabled')).toBeDefined();
  });

  it('shows progress, speed, the chart and the latest previews with their epoch in the alt text', async () => {
    const wrapper = await mountView();
    await byButton(wrapper, 'Start training').trigger('click');
    await flushPromises();
    fake.emit('training.epoch', {
      jobId: 'tr-1',
      metrics: epochMetrics(1),
      previews: { samples: 'data:image/png;base64,S', reconstructions: 'data:image/png;base64,R' },
    });
    fake.emit('training.progress', {
      jobId: 'tr-1',
      epoch: 2,
      epochs: 4,
      step: 5,
      stepsPerEpoch: 10,
      globalStep: 15,
      loss: epochMetrics(2).train,
      imagesPerSec: 1234,
      etaSeconds: 125,
    });
    await nextTick();
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('38');
    expect(wrapper.text()).toContain('Epoch 2 of 4 · step 5 of 10');
    expect(wrapper.text()).toContain('1,234 images/s');
    expect(wrapper.text()).toContain('2 min 05 s');
    expect(wrapper.findAll('polyline')).toHaveLength(6);
    expect(wrapper.get('img[alt="Samples after epoch 1"]').attributes('src')).toBe('data:image/png;base64,S');
    expect(wrapper.get('img[alt="Reconstructions after epoch 1"]').attributes('src')).toBe(
      'data:image/png;base64,R',
    );
  });

  it('says where training runs in one plain line, and why in a Details disclosure', async () => {
    const wrapper = await mountView();
    expect(fake.inputsOf('backend.info')).toEqual([{ preference: 'auto' }]);
    const group = wrapper.get('[role="group"][aria-label="Training backend"]');
    expect(group.get('.line').text()).toBe('Runs on the CPU, WebAssembly, 8 threads');
    // Package names and the reason are details, folded away.
    const details = group.get('details');
    expect(details.attributes('open')).toBeUndefined();
    expect(details.get('summary').text()).toBe('Details');
    expect(details.text()).toContain('WebAssembly backend runs on the CPU');
    expect(details.text()).toContain('@tensorflow/tfjs-backend-wasm');
    expect(group.get('.line').text()).not.toContain('@tensorflow');
  });

  it('says when native code runs the training steps, and what the backend still does', async () => {
    fake.on('backend.info', () => ok(backendInfo({ native: 'ONNX Runtime 1.30.0, 2 threads' })));
    const wrapper = await mountView();
    const group = wrapper.get('[role="group"][aria-label="Training backend"]');
    expect(group.get('.line').text()).toBe('Runs on the CPU, ONNX Runtime 1.30.0, 2 threads');
    expect(group.get('details').text()).toContain(
      'Training steps run in native code on ONNX Runtime 1.30.0, 2 threads; WebAssembly does validation, previews and sampling.',
    );
  });

  it("names the GPU adapter and says when training runs in the app's compute window", async () => {
    fake.on('backend.info', () =>
      ok(
        backendInfo({
          backend: 'webgpu',
          device: 'gpu',
          package: '@tensorflow/tfjs-backend-webgpu',
          adapter: 'nvidia ada lovelace (NVIDIA GeForce RTX 4090)',
          host: 'renderer',
          reason: 'webgpu: a hardware adapter',
        }),
      ),
    );
    const wrapper = await mountView();
    const group = wrapper.get('[role="group"][aria-label="Training backend"]');
    expect(group.get('.line').text()).toBe(
      'Runs on the GPU (nvidia ada lovelace (NVIDIA GeForce RTX 4090)), WebGPU',
    );
    expect(group.get('details').text()).toContain("Training runs in the app's compute window.");
    expect(group.get('details').text()).toContain('webgpu: a hardware adapter');
  });

  it('tells a new user what to do when nothing has been trained', async () => {
    const wrapper = await mountView();
    expect(wrapper.text()).toContain('No training yet.');
    expect(byButton(wrapper, 'Resume').attributes('disabled')).toBeDefined();
  });
});
