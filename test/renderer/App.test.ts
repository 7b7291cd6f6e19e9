import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import App from '../../src-renderer/src/App.vue';
import { openSession, useAppStore } from '../../src-renderer/src/stores';
import { byButton, byLabel } from './dom';
import { createFakeApi, fail, installStores, mountOptions, ok, type FakeApi } from './fakeApi';
import { epochMetrics, loss, modelSummary, projectSummary, trainRun } from './fixtures';

let fake: FakeApi;
let pinia: Pinia;

async function mountApp() {
  const wrapper = mount(App, { ...mountOptions(fake, pinia), attachTo: document.body });
  await useAppStore().init();
  await flushPromises();
  return wrapper;
}

beforeEach(() => {
  document.body.innerHTML = '';
  fake = createFakeApi();
  ({ pinia } = installStores(fake));
});

describe('App', () => {
  it('welcomes a new user with create and open, suggesting a folder in the projects folder', async () => {
    const wrapper = await mountApp();
    expect(wrapper.get('h2').text()).toBe('Welcome to VAE Studio');
    expect((byLabel(wrapper, 'New project folder').element as HTMLInputElement).value).toBe(
      '/home/ada/vae-projects/my-project',
    );
    expect(byButton(wrapper, 'Open project').attributes('disabled')).toBeDefined();
    expect(wrapper.text()).toContain('None yet');
    // Browser mode: no native picker buttons.
    expect(wrapper.findAll('button').some((b) => b.text() === 'Choose…')).toBe(false);
    expect(wrapper.find('[role="tablist"]').exists()).toBe(false);
  });

  it('offers the native folder picker when the host has one', async () => {
    fake.on('app.info', () =>
      ok({
        version: '1',
        host: 'electron' as const,
        platform: 'darwin',
        projectsDir: '/Users/ada/VAE',
        nativeDialogs: true,
        openPath: true,
      }),
    );
    fake.on('shell.pickFolder', () => ok('/Users/ada/picked'));
    const wrapper = await mountApp();
    await byButton(wrapper, 'Choose an existing project folder').trigger('click');
    await flushPromises();
    expect((byLabel(wrapper, 'Existing project folder').element as HTMLInputElement).value).toBe(
      '/Users/ada/picked',
    );
  });

  it('creates a project and shows the steps, with Train disabled until a dataset exists', async () => {
    fake.on('project.create', (input) => ok(projectSummary({ root: input.path, dataset: null })));
    const wrapper = await mountApp();
    await wrapper.get('form[aria-labelledby="create-heading"]').trigger('submit');
    await flushPromises();
    expect(fake.inputsOf('project.create')).toEqual([
      { path: '/home/ada/vae-projects/my-project', openExisting: false },
    ]);
    const tabs = wrapper.findAll('[role="tab"]');
    expect(tabs.map((t) => [t.text(), t.attributes('aria-disabled') ?? 'enabled'])).toEqual([
      ['Dataset', 'enabled'],
      ['Train', 'true'],
      ['Generate', 'true'],
      ['Quality', 'true'],
      ['Interpolate', 'true'],
      ['Outliers', 'true'],
      ['Explorer', 'true'],
      ['Map', 'true'],
    ]);
    expect(wrapper.get('#tab-hint-train').text()).toBe('Import a dataset first (Dataset tab).');
    expect(wrapper.get('[role="tabpanel"]').attributes('aria-labelledby')).toBe('tab-dataset');
    expect(wrapper.text()).toContain('No images yet');
  });

  it('shows a failure as a dismissible notice with its cause', async () => {
    fake.on('project.open', () => fail('NO_PROJECT', '/x has no project.json'));
    const wrapper = await mountApp();
    await byLabel(wrapper, 'Existing project folder').setValue('/x');
    await wrapper.get('form[aria-labelledby="open-heading"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('/x has no project.json');
    await byButton(wrapper, 'Dismiss: Could not open the project').trigger('click');
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });

  it('reopened mid-training: the Train tab, and a badge with the epoch in the header of every tab', async () => {
    fake.on('project.current', () => ok(projectSummary({ model: modelSummary(5) })));
    fake.on('job.list', () => ok([{ jobId: 'train-3', kind: 'train' as const }]));
    fake.on('training.status', () =>
      ok({
        running: { jobId: 'train-3', kind: 'train' as const },
        run: trainRun(),
        progress: {
          epoch: 22,
          epochs: 40,
          step: 1,
          stepsPerEpoch: 6,
          globalStep: 127,
          loss: loss(90),
          imagesPerSec: 500,
          etaSeconds: 60,
        },
        history: Array.from({ length: 21 }, (_, i) => epochMetrics(i + 1)),
        previews: null,
      }),
    );
    const wrapper = mount(App, { ...mountOptions(fake, pinia), attachTo: document.body });
    await openSession(fake.api);
    await flushPromises();
    const header = () => wrapper.get('header');
    expect(wrapper.get('[role="tab"][aria-selected="true"]').text()).toBe('Train');
    expect(header().get('[role="group"][aria-label="Running jobs"]').text()).toBe('Training 22/40');

    await wrapper
      .findAll('[role="tab"]')
      .find((t) => t.text() === 'Dataset')!
      .trigger('click');
    expect(wrapper.get('[role="tab"][aria-selected="true"]').text()).toBe('Dataset');
    expect(header().text()).toContain('Training 22/40');
    fake.emit('training.progress', {
      jobId: 'train-3',
      epoch: 23,
      epochs: 40,
      step: 1,
      stepsPerEpoch: 6,
      globalStep: 133,
      loss: loss(88),
      imagesPerSec: 500,
      etaSeconds: 55,
    });
    fake.emit('job.started', { jobId: 'generate-1', kind: 'generate', title: 'Generate 500 images' });
    fake.emit('generation.progress', {
      jobId: 'generate-1',
      done: 120,
      total: 500,
      imagesPerSec: 50,
      etaSeconds: 8,
    });
    await flushPromises();
    const badges = header().findAll('[aria-label="Running jobs"] button');
    expect(badges.map((b) => b.text())).toEqual(['Training 23/40', 'Generating 120/500']);
    // A badge opens its job's tab.
    await badges[0]!.trigger('click');
    expect(wrapper.get('[role="tab"][aria-selected="true"]').text()).toBe('Train');
  });

  it('does not ask for a model to be trained while the first epoch of a training is still being saved', async () => {
    fake.on('project.current', () => ok(projectSummary()));
    fake.on('job.list', () => ok([{ jobId: 'train-1', kind: 'train' as const }]));
    fake.on('training.status', () =>
      ok({
        running: { jobId: 'train-1', kind: 'train' as const },
        run: trainRun(),
        progress: null,
        history: [],
        previews: null,
      }),
    );
    const wrapper = mount(App, { ...mountOptions(fake, pinia), attachTo: document.body });
    await openSession(fake.api);
    await flushPromises();
    expect(wrapper.text()).not.toContain('Train a model first');
    expect(wrapper.get('#tab-hint-generate').text()).toBe(
      'The model appears when the running training has saved its first epoch.',
    );
    expect(wrapper.get('header').text()).toContain('Training…');
  });

  it('says so while the server connection is lost', async () => {
    const wrapper = await mountApp();
    useAppStore().setConnection('closed');
    await flushPromises();
    expect(wrapper.get('[role="status"]').text()).toBe(
      'Disconnected from the VAE Studio server. Reconnecting…',
    );
  });
});
