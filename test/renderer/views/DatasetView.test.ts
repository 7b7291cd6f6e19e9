import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import DropZone from '../../../src-renderer/src/components/DropZone.vue';
import { useAppStore } from '../../../src-renderer/src/stores';
import DatasetView from '../../../src-renderer/src/views/DatasetView.vue';
import { byButton, byLabel } from '../dom';
import { chooseFiles, dataTransfer, dirEntry, fileEntry, pickedFile } from '../entries';
import { createFakeApi, deferred, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { datasetSummary, modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

beforeEach(async () => {
  fake = createFakeApi({ datasetCount: 120 });
  fake.on('dataset.import', () => ok({ jobId: 'imp-1', kind: 'import' }));
  fake.on('dataset.upload', (input) =>
    ok({ folder: `/p/uploads/${input.name ?? 'upload'}`, written: input.files.length }),
  );
  ({ pinia } = installStores(fake));
  fake.emit('project.changed', projectSummary({ dataset: null }));
  await nextTick();
});

afterEach(() => {
  delete window.vaeHost;
});

/** Loads app info as the app does at start, with `nativeDialogs` as given. */
async function setInfo({ nativeDialogs }: { nativeDialogs: boolean }): Promise<void> {
  fake.on('app.info', () =>
    ok({
      version: '1',
      host: nativeDialogs ? ('electron' as const) : ('browser' as const),
      platform: 'linux',
      projectsDir: '/p',
      nativeDialogs,
      openPath: nativeDialogs,
    }),
  );
  await useAppStore().init();
}

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
      { folder: '/data/pets', size: 32, channels: 1, fit: 'contain', replaceModel: false },
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
    // The upload folder takes the dropped folder's own name.
    expect(uploads.map((u) => u.name)).toEqual(['pets']);
    expect(fake.inputsOf('dataset.import')[0]?.folder).toBe('/p/uploads/pets');
  });

  it('in a browser, uploads a folder chosen with "Upload a folder…" under its relative paths, then imports it', async () => {
    const gate = deferred<void>();
    fake.on('dataset.upload', async (input) => {
      await gate.promise;
      return ok({ folder: `/p/uploads/${input.name ?? 'upload'}`, written: input.files.length });
    });
    const wrapper = await mountView();
    expect(wrapper.get('.empty').text()).toContain('choose it with Upload a folder…,');
    const input = wrapper.get<HTMLInputElement>('input[type="file"][aria-label="Folder to upload"]');
    chooseFiles(input.element, [
      pickedFile('pets/cats/1.png', 5),
      pickedFile('pets/cats/2.jpg'),
      pickedFile('pets/dogs/3.png'),
      pickedFile('pets/notes.txt'),
    ]);
    await flushPromises();
    // The drop's progress bar, and no second upload while this one runs.
    const bar = wrapper.get('[role="progressbar"]');
    expect(bar.attributes('aria-label')).toBe('Upload progress');
    expect(bar.attributes('aria-valuetext')).toBe('Uploading 0 of 3 files');
    expect(byButton(wrapper, 'Upload a folder…').attributes('disabled')).toBeDefined();

    gate.resolve();
    await flushPromises();
    const uploads = fake.inputsOf('dataset.upload');
    expect(uploads.map((u) => u.files.map((f) => f.path))).toEqual([
      ['cats/1.png', 'cats/2.jpg', 'dogs/3.png'],
    ]);
    expect(atob(uploads[0]!.files[0]!.base64)).toHaveLength(5);
    expect(fake.inputsOf('dataset.import')).toEqual([
      { folder: '/p/uploads/pets', size: 64, channels: 3, fit: 'cover', replaceModel: false },
    ]);
    expect(wrapper.text()).toContain('1 file that is not an image was left out.');
  });

  it('says so, and uploads nothing, when the chosen folder holds no images', async () => {
    const wrapper = await mountView();
    chooseFiles(wrapper.get<HTMLInputElement>('input[type="file"]').element, [pickedFile('pets/notes.txt')]);
    await flushPromises();
    expect(fake.inputsOf('dataset.upload')).toEqual([]);
    expect(fake.inputsOf('dataset.import')).toEqual([]);
    expect(useAppStore().notices.map((n) => [n.title, n.code])).toEqual([['Nothing to import', 'NO_IMAGES']]);
  });

  it.each([
    ['native dialogs exist', () => setInfo({ nativeDialogs: true })],
    ['the Electron host bridge exists', () => (window.vaeHost = { pathForFile: (file) => file.name })],
  ])('offers no folder upload where %s: the desktop app imports a folder in place', async (_, arrange) => {
    await arrange();
    const wrapper = await mountView();
    expect(wrapper.find('input[type="file"]').exists()).toBe(false);
    expect(wrapper.findAll('button').map((b) => b.text())).not.toContain('Upload a folder…');
    expect(wrapper.text()).not.toContain('Upload a folder');
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
    // The folder by its own name; the duplicates counted in words, then listed with the file each copies.
    expect(wrapper.get('.dataset-summary p').text()).toBe(
      '120 images, 28 × 28 grayscale (cover), from the folder pets. 2 duplicates left out.',
    );
    const [duplicates, skipped] = wrapper.findAll('details');
    expect(duplicates!.get('summary').text()).toBe('Duplicates (2)');
    expect(
      duplicates!
        .findAll('tbody tr')
        .map((r) => r.findAll('td').map((d) => d.findAll('.file-path').map((p) => p.text()))),
    ).toEqual([[['cats/tom.png'], ['cats/copy of tom.png', 'dogs/tom again.png']]]);
    expect(skipped!.get('summary').text()).toBe('Skipped files (1)');
    expect(skipped!.get('tbody').text()).toContain('notes.txtnot an image');
    // Paths break after a '/', never inside a name that fits on its line.
    expect(duplicates!.find('.file-path wbr').exists()).toBe(true);
    expect(wrapper.get('[role="grid"]').attributes('aria-label')).toBe('Dataset images');
  });

  it('names an uploaded folder by the name the user gave it, and says one duplicate in the singular', async () => {
    fake.emit(
      'project.changed',
      projectSummary({
        root: '/p',
        dataset: datasetSummary({
          sourceRoot: '/p/uploads/holiday snaps',
          duplicates: [{ path: 'b.png', duplicateOf: 'a.png' }],
        }),
      }),
    );
    const wrapper = await mountView();
    expect(wrapper.get('.dataset-summary p').text()).toBe(
      '120 images, 28 × 28 grayscale (cover), from the uploaded folder holiday snaps. 1 duplicate left out.',
    );
    expect(wrapper.get('.dataset-summary .source').text()).toBe(
      'Its copy in the project: /p/uploads/holiday snaps',
    );
  });
});

describe('DatasetView: importing over a trained model', () => {
  it('asks in the page, names what happens to the model, and imports only after a yes', async () => {
    fake.on('dataset.import', (input) =>
      input.replaceModel
        ? ok({ jobId: 'imp-2', kind: 'import' })
        : { ok: false, code: 'REPLACES_MODEL', message: 'has a model' },
    );
    fake.emit('project.changed', projectSummary({ dataset: datasetSummary(), model: modelSummary(40) }));
    const wrapper = await mountView();
    await byLabel(wrapper, 'Image folder on the server').setValue('/data/clothes');
    await wrapper.get('form[aria-label="Import options"]').trigger('submit');
    await flushPromises();
    const dialog = wrapper.get('[role="alertdialog"]');
    expect(dialog.text()).toContain('trained for 40 epochs');
    expect(dialog.text()).toContain("kept in the project's archive folder");
    expect(fake.inputsOf('dataset.import')).toHaveLength(1);
    await byButton(wrapper, 'Import and archive the model').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('dataset.import').at(-1)).toMatchObject({
      folder: '/data/clothes',
      replaceModel: true,
    });
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false);
  });
});
