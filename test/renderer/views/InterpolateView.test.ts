import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import InterpolateView from '../../../src-renderer/src/views/InterpolateView.vue';
import { byButton, byLabel } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { datasetSummary, modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

beforeEach(async () => {
  fake = createFakeApi({ datasetCount: 120 });
  fake.on('interpolation.preview', (input) =>
    ok({ frames: Array.from({ length: input.steps ?? 8 }, (_, i) => `data:image/png;base64,F${i}`) }),
  );
  ({ pinia } = installStores(fake));
  fake.emit(
    'project.changed',
    projectSummary({ dataset: datasetSummary({ count: 120 }), model: modelSummary(3) }),
  );
  await nextTick();
});

describe('InterpolateView', () => {
  it('picks A and B in the dataset grid, previews a strip of frames', async () => {
    const wrapper = mount(InterpolateView, { ...mountOptions(fake, pinia), attachTo: document.body });
    await flushPromises();
    expect(byButton(wrapper, 'Use as A').attributes('disabled')).toBeDefined();
    expect(byButton(wrapper, 'Preview').attributes('disabled')).toBeDefined();

    const cells = () => wrapper.findAll('[role="gridcell"]');
    await cells()[4]!.trigger('click');
    await byButton(wrapper, 'Use as A').trigger('click');
    await cells()[9]!.trigger('click');
    await byButton(wrapper, 'Use as B').trigger('click');
    await byLabel(wrapper, 'Steps').setValue('5');
    await byLabel(wrapper, 'Mode').setValue('lerp');
    await byButton(wrapper, 'Preview').trigger('click');
    await flushPromises();

    expect(fake.inputsOf('interpolation.preview')).toEqual([
      { a: { datasetIndex: 4 }, b: { datasetIndex: 9 }, steps: 5, mode: 'lerp' },
    ]);
    const strip = wrapper.get('ol[aria-label="Preview frames"]');
    expect(strip.findAll('img').map((i) => i.attributes('alt'))).toEqual([
      'Frame 1 of 5',
      'Frame 2 of 5',
      'Frame 3 of 5',
      'Frame 4 of 5',
      'Frame 5 of 5',
    ]);
    expect(wrapper.get('img[alt="Image A: a/img-4.png"]').attributes('src')).toBe('data:image/png;base64,4');
    wrapper.unmount();
  });

  it('in browser mode, takes an image by its path on the server', async () => {
    const wrapper = mount(InterpolateView, mountOptions(fake, pinia));
    await byLabel(wrapper, 'Server path for B').setValue('/srv/dog.png');
    expect(byButton(wrapper, 'Use path as B').attributes('type')).toBe('submit');
    await wrapper.findAll('form')[1]!.trigger('submit');
    expect(wrapper.text()).toContain('dog.png');
  });
});
