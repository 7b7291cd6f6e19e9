import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import App from '../../src-renderer/src/App.vue';
import { useAppStore } from '../../src-renderer/src/stores';
import { byButton, byLabel } from './dom';
import { createFakeApi, fail, installStores, mountOptions, ok, type FakeApi } from './fakeApi';
import { projectSummary } from './fixtures';

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
    expect(fake.inputsOf('project.create')).toEqual([{ path: '/home/ada/vae-projects/my-project' }]);
    const tabs = wrapper.findAll('[role="tab"]');
    expect(tabs.map((t) => [t.text(), t.attributes('aria-disabled') ?? 'enabled'])).toEqual([
      ['Dataset', 'enabled'],
      ['Train', 'true'],
      ['Generate', 'true'],
      ['Quality', 'true'],
      ['Interpolate', 'true'],
    ]);
    expect(wrapper.text()).toContain('Train: Import a dataset first (Dataset tab).');
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

  it('says so while the server connection is lost', async () => {
    const wrapper = await mountApp();
    useAppStore().setConnection('closed');
    await flushPromises();
    expect(wrapper.get('[role="status"]').text()).toBe(
      'Disconnected from the VAE Studio server. Reconnecting…',
    );
  });
});
