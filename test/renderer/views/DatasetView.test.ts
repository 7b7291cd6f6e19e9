import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import DropZone from '../../../src-renderer/src/components/DropZone.vue';
import DatasetView from '../../../src-renderer/src/views/DatasetView.vue';
import { byButton, byLabel } from '../dom';
import { dataTransfer, dirEntry, fileEntry } from '../entries';
import { createFakeApi, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { datasetSummary, projectSummary } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

beforeEach(async () => {
  fake = createFakeApi({ datasetCount: 120 });
  fake.on('dataset.import', () => ok({ jobId: 'imp-1', kind: 'import' }));
  fake.on('dataset.upload', (input) =>
    ok({ folder: `/p/uploads/${input.batch}`, written: input.files.length }),
  );
  ({ pinia } = installStores(fake));
  fake.emit('project.changed', projectSummary({ dataset: null }));
  await nextTick();
});

afterEach(() => {
  delete window.vaeHost;
});

async function mountView() {
  const wrapper = mount(DatasetView, mountOptions(fake, pinia));
  await flushPromises();
  return wrapper;
}

describe('DatasetView', () => {
  it('tells a new user how to import, and imports a typed folder with the chosen options', async () => {
    const wrapper = await mountView();
    expect(wrapper.text()).toContain('No images yet');
    await byLabel(wrapper, 'Image folder on the server').setValue('/data/pets');
    await byLabel(wrapper, 'Image size').setValue('32');
    await byLabel(wrapper, 'Colour').setValue('1');
    await byLabel(wrapper, 'Fit').setValue('contain');
    expect(byButton(wrapper, 'Import').attributes('type')).toBe('submit');
    await wrapper.get('form[aria-label="Import options"]').trigger('submit');
    await flushPromises();
    expect(fake.inputsOf('dataset.import')).toEqual([
      { folder: '/data/pets', size: 32, channels: 1, fit: 'contain' },
    ]);

    fake.emit('dataset.importProgress', {
      jobId: 'imp-1',
      phase: 'decoding',
      scanned: 10,
      total: 10,
      processed: 4,
      imported: 4,
      skipped: 0,
      duplicates: 0,
      imagesPerSec: 100,
    });
    await nextTick();
    const bar = wrapper.get('[role="progressbar"]');
    expect(bar.attributes('aria-label')).toBe('Import progress');
    expect(bar.attributes('aria-valuenow')).toBe('40');
    expect(byButton(wrapper, 'Cancel import').exists()).toBe(true);
  });

  it('in a browser, uploads the files of a dropped folder and imports the upload folder', async () => {
    const wrapper = await mountView();
    const drop = dataTransfer([
      dirEntry('/pets', [fileEntry('/pets/cats/1.png'), fileEntry('/pets/dogs/2.png')]),
    ]);
    wrapper.getComponent(DropZone).vm.$emit('drop', drop);
    await flushPromises();
    const uploads = fake.inputsOf('dataset.upload');
    expect(uploads.map((u) => u.files.map((f) => f.path))).toEqual([['cats/1.png', 'dogs/2.png']]);
    expect(fake.inputsOf('dataset.import')[0]?.folder).toBe(`/p/uploads/${uploads[0]!.batch}`);
  });

  it('in Electron, imports a dropped folder where it lies', async () => {
    window.vaeHost = { pathForFile: (file) => `/Users/ada/${file.name}` };
    const wrapper = await mountView();
    expect(byLabel(wrapper, 'Image folder').exists()).toBe(true);
    wrapper.getComponent(DropZone).vm.$emit('drop', dataTransfer([dirEntry('/pets', [])]));
    await flushPromises();
    expect(fake.inputsOf('dataset.upload')).toEqual([]);
    expect(fake.inputsOf('dataset.import')[0]?.folder).toBe('/Users/ada/pets');
  });

  it('after import, shows counts per class folder, skipped files with reasons, and the images', async () => {
    fake.emit('project.changed', projectSummary({ dataset: datasetSummary() }));
    const wrapper = await mountView();
    const rows = wrapper
      .findAll('table')[0]!
      .findAll('tbody tr')
      .map((r) => r.findAll('td').map((d) => d.text()));
    expect(wrapper.findAll('table')[0]!.get('caption').text()).toBe('Images per class folder');
    expect(rows).toEqual([
      ['cats', '70'],
      ['dogs', '50'],
    ]);
    expect(wrapper.get('details summary').text()).toBe('Skipped files (1)');
    expect(wrapper.findAll('table')[1]!.get('tbody').text()).toContain('notes.txtnot an image');
    expect(wrapper.get('[role="grid"]').attributes('aria-label')).toBe('Dataset images');
  });
});
