import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import GenerateView from '../../../src-renderer/src/views/GenerateView.vue';
import { useAppStore } from '../../../src-renderer/src/stores';
import { byButton, byLabel, descriptionOf } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { conditionalModel, modelSummary, projectSummary } from '../fixtures';

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

describe('GenerateView with a conditional model', () => {
  const root = '/home/ada/vae-projects/pets';
  const out = `${root}/generated/run-1`;

  beforeEach(() => {
    fake.on('project.current', () => ok(projectSummary({ model: conditionalModel(2) })));
    fake.on('generation.start', () => ok({ jobId: 'g1', kind: 'generate', out }));
    fake.on('generation.runs', () =>
      ok([
        {
          out,
          name: 'run-1',
          count: 5,
          classes: [
            { name: 'bag', count: 3 },
            { name: 'shoe', count: 2 },
          ],
          seeds: [7],
          samplers: ['gmm' as const],
          temperatures: [1],
          epochs: [2],
          writtenAt: '2025-06-01T12:00:00.000Z',
        },
      ]),
    );
    fake.on('generation.gallery', ({ class: name }) => {
      const all = [
        ...[0, 1, 2].map((index) => ({ class: 'bag', index })),
        ...[0, 1].map((index) => ({ class: 'shoe', index })),
      ]
        .filter((r) => name === undefined || r.class === name)
        .map((r) => ({
          ...r,
          file: `${out}/${r.class}/${r.index}.png`,
          url: 'data:image/png;base64,G',
          seed: 7,
        }));
      return ok({
        total: all.length,
        images: all,
        classes: [
          { name: 'bag', count: 3 },
          { name: 'shoe', count: 2 },
        ],
      });
    });
  });

  async function mountConditional() {
    await useAppStore().init();
    const wrapper = mount(GenerateView, { ...mountOptions(fake, pinia), attachTo: document.body });
    await flushPromises();
    return wrapper;
  }

  it('lists each class with its training images, and shows the split before anything starts', async () => {
    const wrapper = await mountConditional();
    const classes = wrapper.get('ul[aria-label="Classes to generate"]');
    expect(classes.findAll('li').map((li) => li.text().replace(/\s+/g, ' '))).toEqual([
      'bag (60 training images)',
      'coat (30 training images)',
      'shoe (10 training images)',
    ]);
    expect(wrapper.text()).toContain('64 images: bag 39 · coat 19 · shoe 6');
    await byLabel(wrapper, 'Count').setValue('10');
    expect(wrapper.text()).toContain('10 images: bag 6 · coat 3 · shoe 1');
    await byButton(wrapper, 'None').trigger('click');
    expect(wrapper.text()).toContain('Choose at least one class');
    expect(byButton(wrapper, 'Generate').attributes('disabled')).toBeDefined();
    await byButton(wrapper, 'All').trigger('click');
    expect(byButton(wrapper, 'Generate').attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it('counts per class: a number field per chosen class, sent as perClass', async () => {
    const wrapper = await mountConditional();
    await wrapper.findAll('input[type="radio"]')[2]!.setValue(true);
    await wrapper.findAll('input[type="checkbox"]')[1]!.setValue(false);
    const bag = wrapper.get('input[aria-label="Images of bag"]');
    await bag.setValue('3');
    await wrapper.get('input[aria-label="Images of shoe"]').setValue('2');
    expect(wrapper.find('input[aria-label="Images of coat"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('5 images: bag 3 · shoe 2');
    await wrapper.get('form[aria-label="Generation settings"]').trigger('submit');
    await flushPromises();
    expect(fake.inputsOf('generation.start').at(-1)).toMatchObject({
      perClass: { bag: 3, shoe: 2 },
      classes: ['bag', 'shoe'],
    });
    wrapper.unmount();
  });

  it('groups the gallery by class under headings that fold, says it is an ImageFolder layout', async () => {
    const wrapper = await mountConditional();
    await byButton(wrapper, 'Show the images of run-1').trigger('click');
    await flushPromises();
    expect(wrapper.text()).toMatch(/PyTorch's ImageFolder and Keras's image_dataset_from_directory read it/);
    const headings = wrapper.findAll('h3 button');
    expect(headings.map((h) => h.text().replace(/\s+/g, ' ').trim())).toEqual(['▾ bag (3)', '▾ shoe (2)']);
    expect(wrapper.get('ul[aria-label="Generated images of bag"]').findAll('img')).toHaveLength(3);
    await headings[0]!.trigger('click');
    expect(headings[0]!.attributes('aria-expanded')).toBe('false');
    expect(wrapper.find('ul[aria-label="Generated images of bag"]').exists()).toBe(false);
    await byLabel(wrapper, 'Show class').setValue('shoe');
    expect(wrapper.findAll('h3 button').map((h) => h.text().replace(/\s+/g, ' ').trim())).toEqual([
      '▾ shoe (2)',
    ]);
    wrapper.unmount();
  });

  it('lists past runs with date, images, classes, seed and sampler, each downloadable as a zip', async () => {
    fake.on('app.info', () =>
      ok({
        version: '1',
        host: 'browser' as const,
        platform: 'linux',
        projectsDir: '/p',
        nativeDialogs: false,
        openPath: false,
      }),
    );
    const wrapper = await mountConditional();
    const table = wrapper.get('table[aria-label="Past generation runs"]');
    const cells = table.findAll('tbody td').map((td) => td.text());
    expect(cells.slice(1, 5)).toEqual(['5', 'bag 3, shoe 2', '7', 'mixture']);
    expect(table.get('a[aria-label="Download run-1 as a zip"]').attributes('href')).toBe(
      `/api/zip?folder=${encodeURIComponent(out)}`,
    );
    wrapper.unmount();
  });

  it('says the seed moved on after a run', async () => {
    const wrapper = await mountConditional();
    await byLabel(wrapper, 'Seed').setValue('7');
    await wrapper.get('form[aria-label="Generation settings"]').trigger('submit');
    await flushPromises();
    fake.emit('job.done', {
      jobId: 'g1',
      kind: 'generate',
      cancelled: false,
      result: {
        out,
        files: [],
        manifest: { jsonl: '', csv: '' },
        count: 64,
        alreadyThere: 0,
        rejected: 0,
        cancelled: false,
        seconds: 1,
        imagesPerSec: 64,
        classes: [],
      },
    });
    await flushPromises();
    expect(wrapper.text()).toContain('Seed moved to 8 so the next run draws new images.');
    expect((byLabel(wrapper, 'Seed').element as HTMLInputElement).value).toBe('8');
    wrapper.unmount();
  });

  it('shows no class choice for a model trained without classes', async () => {
    fake.on('project.current', () => ok(projectSummary({ model: modelSummary(2) })));
    const wrapper = await mountConditional();
    expect(wrapper.find('ul[aria-label="Classes to generate"]').exists()).toBe(false);
    expect(byLabel(wrapper, 'Count').exists()).toBe(true);
    wrapper.unmount();
  });
});
