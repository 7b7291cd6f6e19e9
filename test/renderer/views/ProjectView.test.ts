import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RecentProject } from '../../../src-renderer/src/api/contract';
import { useAppStore } from '../../../src-renderer/src/stores';
import ProjectView from '../../../src-renderer/src/views/ProjectView.vue';
import { byButton, byLabel } from '../dom';
import { createFakeApi, fail, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { projectSummary } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

function recent(name: string, over: Partial<RecentProject> = {}): RecentProject {
  return {
    path: `/home/ada/vae-projects/${name}`,
    name,
    openedAt: '2025-01-02T10:00:00Z',
    exists: true,
    images: 120,
    epochs: 12,
    thumbnail: 'data:image/png;base64,AA',
    ...over,
  };
}

async function mountView() {
  const wrapper = mount(ProjectView, { ...mountOptions(fake, pinia), attachTo: document.body });
  await useAppStore().init();
  await flushPromises();
  return wrapper;
}

const folderOf = (wrapper: Awaited<ReturnType<typeof mountView>>) =>
  (byLabel(wrapper, 'New project folder').element as HTMLInputElement).value;

beforeEach(() => {
  document.body.innerHTML = '';
  fake = createFakeApi();
  ({ pinia } = installStores(fake));
});

describe('ProjectView: a new project', () => {
  it('fills the folder from the name as it is typed, until the user edits the folder', async () => {
    const wrapper = await mountView();
    await byLabel(wrapper, 'Name (optional)').setValue('My Cats!');
    expect(folderOf(wrapper)).toBe('/home/ada/vae-projects/my-cats');
    await byLabel(wrapper, 'Name (optional)').setValue('Café crème');
    expect(folderOf(wrapper)).toBe('/home/ada/vae-projects/cafe-creme');
    // The whole path is spelled out under the field, where it can wrap.
    expect(wrapper.get('[data-testid="new-project-path"]').text()).toBe(
      'The project will be made in /home/ada/vae-projects/cafe-creme',
    );

    await byLabel(wrapper, 'New project folder').setValue('/data/elsewhere');
    await byLabel(wrapper, 'Name (optional)').setValue('Dogs');
    expect(folderOf(wrapper)).toBe('/data/elsewhere');
    // A relative folder is inside the projects folder, and the line says where.
    await byLabel(wrapper, 'New project folder').setValue('dogs');
    expect(wrapper.get('[data-testid="new-project-path"]').text()).toBe(
      'The project will be made in /home/ada/vae-projects/dogs',
    );
  });

  it('asks before opening a project found in the folder, and opens it only when asked', async () => {
    fake.on('project.create', (input) =>
      fail(
        'PROJECT_EXISTS',
        `${input.path} already holds the project “Cats”; open it, or choose another folder for a new one`,
      ),
    );
    fake.on('project.open', (input) => ok(projectSummary({ root: input.path })));
    const wrapper = await mountView();
    await byLabel(wrapper, 'Name (optional)').setValue('cats');
    await wrapper.get('form[aria-labelledby="create-heading"]').trigger('submit');
    await flushPromises();
    const question = wrapper.get('[role="alertdialog"]');
    expect(question.text()).toContain('There is a project in this folder already');
    expect(question.text()).toContain('/home/ada/vae-projects/cats already holds the project “Cats”');
    // Nothing was opened, and no error notice says it twice.
    expect(fake.inputsOf('project.open')).toEqual([]);
    expect(useAppStore().notices).toEqual([]);

    await byButton(wrapper, 'Choose another folder').trigger('click');
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false);

    await wrapper.get('form[aria-labelledby="create-heading"]').trigger('submit');
    await flushPromises();
    await byButton(wrapper, 'Open it').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('project.open')).toEqual([{ path: '/home/ada/vae-projects/cats' }]);
  });
});

describe('ProjectView: recent projects', () => {
  it('shows each with a thumbnail, what it holds and its whole path', async () => {
    fake.on('project.recent', () =>
      ok([
        recent('cats'),
        recent('fresh', { images: null, epochs: null, thumbnail: null }),
        recent('one', { images: 1, epochs: 1 }),
        recent('gone', { exists: false, images: null, epochs: null, thumbnail: null }),
      ]),
    );
    const wrapper = await mountView();
    const items = wrapper.findAll('.recent li');
    expect(items.map((li) => li.get('.status').text())).toEqual([
      '120 images · model trained 12 epochs',
      'No dataset yet · no model',
      '1 image · model trained 1 epoch',
      'Folder missing',
    ]);
    expect(items[0]!.get('img').attributes('alt')).toBe('cats: preview');
    expect(items[1]!.find('img').exists()).toBe(false);
    expect(items[0]!.get('.file-path').text()).toBe('/home/ada/vae-projects/cats');
    expect(byButton(wrapper, 'Open gone').attributes('disabled')).toBeDefined();
  });

  it('removes one from the list, saying its folder stays on disk', async () => {
    fake.on('project.recent', () => ok([recent('cats'), recent('dogs')]));
    fake.on('project.forget', () => ok([recent('dogs')]));
    const wrapper = await mountView();
    expect(byButton(wrapper, 'Remove cats from the list').attributes('title')).toBe(
      'Removes it from this list only; the folder stays on disk.',
    );
    await byButton(wrapper, 'Remove cats from the list').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('project.forget')).toEqual([{ path: '/home/ada/vae-projects/cats' }]);
    expect(wrapper.findAll('.recent li').map((li) => li.get('.name').text())).toEqual(['dogs']);
    expect(useAppStore().notices.map((n) => [n.tone, n.title, n.message])).toEqual([
      [
        'info',
        'Removed from the list',
        '“cats” is no longer listed; its folder is still on disk: /home/ada/vae-projects/cats',
      ],
    ]);
  });
});
