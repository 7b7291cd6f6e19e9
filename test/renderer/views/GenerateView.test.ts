import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import GenerateView from '../../../src-renderer/src/views/GenerateView.vue';
import { useAppStore } from '../../../src-renderer/src/stores';
import { byButton, byLabel, descriptionOf } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

function electronInfo(openPath: boolean) {
  return ok({
    version: '1',
    host: 'electron' as const,
    platform: 'linux',
    projectsDir: '/p',
    nativeDialogs: true,
    openPath,
  });
}

async function mountView(openPath: boolean) {
  fake.on('app.info', () => electronInfo(openPath));
  await useAppStore().init();
  const wrapper = mount(GenerateView, mountOptions(fake, pinia));
  await wrapper.get('form[aria-label="Generation settings"]').trigger('submit');
  await flushPromises();
  return wrapper;
}

beforeEach(() => {
  fake = createFakeApi();
  fake.on('generation.start', () => ok({ jobId: 'g1', kind: 'generate', out: '/p/generated/run-1' }));
  fake.on('shell.openPath', () => ok({ opened: true }));
  fake.on('project.current', () => ok(projectSummary({ model: modelSummary(2) })));
  ({ pinia } = installStores(fake));
});

describe('GenerateView', () => {
  it('labels its settings and shows a progress bar with Cancel while generating', async () => {
    const wrapper = await mountView(true);
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
    for (const label of [
      'Count',
      'Temperature',
      'Sampler',
      'Seed',
      'Format',
      'Leave out near-copies of training images',
      'Output folder',
    ]) {
      expect(byLabel(wrapper, label).exists()).toBe(true);
    }
    fake.emit('generation.progress', { jobId: 'g1', done: 16, total: 64, imagesPerSec: 32, etaSeconds: 1.5 });
    await flushPromises();
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('25');
    expect(byButton(wrapper, 'Cancel').exists()).toBe(true);
    expect(byButton(wrapper, 'Choose output folder').exists()).toBe(true);
  });

  it('offers "leave out near-copies" as a checkbox with its help, and sends it when ticked', async () => {
    fake.on('app.info', () => electronInfo(true));
    await useAppStore().init();
    const wrapper = mount(GenerateView, mountOptions(fake, pinia));
    await flushPromises();
    const box = byLabel(wrapper, 'Leave out near-copies of training images');
    expect(box.attributes('type')).toBe('checkbox');
    expect(descriptionOf(wrapper, box)).toMatch(
      /^An image the quality report would call a near-copy of a training image is not written/,
    );
    await box.setValue(true);
    await wrapper.get('form[aria-label="Generation settings"]').trigger('submit');
    await flushPromises();
    expect(fake.inputsOf('generation.start').at(-1)?.rejectCopies).toBe(true);
  });

  it('offers the sampler as a choice of the fitted mixture and the prior, and sends the one chosen', async () => {
    fake.on('app.info', () => electronInfo(true));
    await useAppStore().init();
    const wrapper = mount(GenerateView, mountOptions(fake, pinia));
    await flushPromises();
    const select = byLabel(wrapper, 'Sampler');
    expect(select.element.tagName).toBe('SELECT');
    expect(select.findAll('option').map((o) => o.text())).toEqual([
      'Fitted to the training latents (mixture)',
      'Prior N(0, I)',
    ]);
    expect(descriptionOf(wrapper, select)).toMatch(
      /^Where the latents come from: a Gaussian mixture fitted to the training images' latents/,
    );
    await select.setValue('prior');
    await wrapper.get('form[aria-label="Generation settings"]').trigger('submit');
    await flushPromises();
    expect(fake.inputsOf('generation.start').at(-1)?.sampler).toBe('prior');
  });

  it('opens the output folder where the host can', async () => {
    const wrapper = await mountView(true);
    await byButton(wrapper, 'Open folder').trigger('click');
    expect(fake.inputsOf('shell.openPath')).toEqual([{ path: '/p/generated/run-1' }]);
  });

  it('shows the output path as text to copy where the host cannot open folders', async () => {
    const wrapper = await mountView(false);
    expect(wrapper.findAll('button').some((b) => b.text() === 'Open folder')).toBe(false);
    const path = wrapper.get('input[aria-label="Output folder path"]');
    expect((path.element as HTMLInputElement).value).toBe('/p/generated/run-1');
    expect(path.attributes('readonly')).toBeDefined();
  });
});
