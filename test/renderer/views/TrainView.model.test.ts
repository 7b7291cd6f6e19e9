/**
 * The Train view on a project that has a model: what Resume and Start training would do, said before either
 * runs, and Start's question answered with the keyboard.
 */
import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import TrainView from '../../../src-renderer/src/views/TrainView.vue';
import { byButton, byLabel } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary, trainRun } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

async function mountView() {
  const wrapper = mount(TrainView, { ...mountOptions(fake, pinia), attachTo: document.body });
  await flushPromises();
  return wrapper;
}

beforeEach(async () => {
  document.body.innerHTML = '';
  fake = createFakeApi();
  fake.on('training.start', () => ok({ jobId: 'tr-1', kind: 'train' }));
  fake.on('training.resume', () => ok({ jobId: 'tr-2', kind: 'train' }));
  ({ pinia } = installStores(fake));
  fake.emit('project.changed', projectSummary({ model: modelSummary(40) }));
  await nextTick();
});

describe('TrainView: Resume', () => {
  it('is disabled when the model has trained all its epochs, and says how to continue', async () => {
    const wrapper = await mountView();
    expect(byButton(wrapper, 'Resume').attributes('disabled')).toBeDefined();
    expect(wrapper.get('.resume-needs-epochs').text()).toContain(
      'The model has trained 40 epochs, all that Epochs asks for. Set Epochs above 40 to continue it with Resume.',
    );
    await byLabel(wrapper, 'Epochs').setValue('12');
    expect(wrapper.get('.resume-needs-epochs').text()).toContain(
      'The model has trained 40 epochs, more than Epochs asks for. Set Epochs above 40',
    );
    await byButton(wrapper, 'Set Epochs to 60').trigger('click');
    expect((byLabel(wrapper, 'Epochs').element as HTMLInputElement).value).toBe('60');
    expect(byButton(wrapper, 'Resume').attributes('disabled')).toBeUndefined();
    expect(wrapper.text()).toContain('The model has trained 40 epochs. Resume continues it to 60 epochs');
    await byButton(wrapper, 'Resume').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('training.resume')).toEqual([{ epochs: 60, backend: 'auto' }]);
  });

  it('says which changed settings Resume leaves out', async () => {
    const wrapper = await mountView();
    await byLabel(wrapper, 'Latent dimension').setValue('64');
    expect(wrapper.text()).toContain(
      "Resume keeps the model's own Latent dimension; the changed values apply to Start training.",
    );
  });
});

describe('TrainView: Start training on a project with a model', () => {
  it('asks first, naming the archive folder, and focuses the answer so Enter starts', async () => {
    const wrapper = await mountView();
    await byButton(wrapper, 'Start training').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('training.start')).toEqual([]);
    const dialog = wrapper.get('[role="alertdialog"]');
    const title = wrapper.get(`[id="${dialog.attributes('aria-labelledby')}"]`).text();
    const text = wrapper.get(`[id="${dialog.attributes('aria-describedby')}"]`).text();
    expect(title).toBe('Start a new model?');
    expect(text).toContain(
      'The current model (trained 40 epochs) will be moved to /home/ada/vae-projects/pets/checkpoints/archive',
    );
    expect(text).toContain('It is kept, not deleted.');
    expect(document.activeElement?.textContent?.trim()).toBe('Archive it and start');
    // A focused button's Enter is its click.
    await byButton(wrapper, 'Archive it and start').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('training.start')).toHaveLength(1);
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false);
  });

  it('starts nothing on Escape, and gives the focus back to Start training', async () => {
    const wrapper = await mountView();
    await byButton(wrapper, 'Start training').trigger('click');
    await flushPromises();
    await wrapper.get('[role="alertdialog"]').trigger('keydown', { key: 'Escape' });
    await flushPromises();
    expect(wrapper.find('[role="alertdialog"]').exists()).toBe(false);
    expect(fake.inputsOf('training.start')).toEqual([]);
    expect(document.activeElement?.textContent?.trim()).toBe('Start training');
  });
});

describe('TrainView: a running training', () => {
  it("shows the run's settings in disabled fields and says whose they are", async () => {
    // A run another window started: this one reads its status, then hears its settings.
    fake.on('training.status', () =>
      ok({
        running: { jobId: 'tr-5', kind: 'train' as const },
        run: null,
        progress: null,
        history: [],
        previews: null,
      }),
    );
    fake.emit('job.started', { jobId: 'tr-5', kind: 'train', title: 'Train' });
    await flushPromises();
    fake.emit('training.run', { jobId: 'tr-5', ...trainRun() });
    const wrapper = await mountView();
    const latent = byLabel(wrapper, 'Latent dimension');
    expect((latent.element as HTMLInputElement).value).toBe('12');
    expect(latent.attributes('disabled')).toBeDefined();
    expect((byLabel(wrapper, 'Epochs').element as HTMLInputElement).value).toBe('40');
    expect(wrapper.text()).toContain('The fields show the settings of the running training');
    expect(byButton(wrapper, 'Resume').attributes('disabled')).toBeDefined();
  });
});
