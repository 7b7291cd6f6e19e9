import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import InterpolateView from '../../../src-renderer/src/views/InterpolateView.vue';
import { byButton, byLabel } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, settle, type FakeApi } from '../fakeApi';
import { conditionalModel, datasetSummary, modelSummary, projectSummary } from '../fixtures';
import { useDatasetStore } from '../../../src-renderer/src/stores';

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
  it('one click per image picks A, then B, marks them in the grid, and previews a strip of frames', async () => {
    const wrapper = mount(InterpolateView, { ...mountOptions(fake, pinia), attachTo: document.body });
    await flushPromises();
    expect(byButton(wrapper, 'Preview').attributes('disabled')).toBeDefined();
    expect(wrapper.text()).toContain('Click an image to use it as A.');

    const cells = () => wrapper.findAll('[role="gridcell"]');
    await cells()[4]!.trigger('click');
    expect(wrapper.text()).toContain('Now click another image for B.');
    await cells()[9]!.trigger('click');
    await flushPromises();
    expect(cells()[4]!.text()).toBe('A');
    expect(cells()[9]!.text()).toBe('B');
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
    // A third click replaces A; Clear empties an end, which the next click fills.
    await cells()[6]!.trigger('click');
    expect(wrapper.get('img[alt="Image A: a/img-6.png"]').attributes('src')).toBe('data:image/png;base64,6');
    await byButton(wrapper, 'Clear image B').trigger('click');
    expect(cells()[9]!.text()).toBe('');
    expect(wrapper.text()).toContain('Now click another image for B.');
    wrapper.unmount();
  });

  it('filters the grid by class, and shows the two ends’ classes and the walk between them', async () => {
    fake.emit(
      'project.changed',
      projectSummary({
        dataset: datasetSummary({ count: 120, labels: ['a', 'b'], perLabel: { a: 60, b: 60 } }),
        model: conditionalModel(3, [
          { name: 'a', images: 60 },
          { name: 'b', images: 60 },
        ]),
      }),
    );
    const wrapper = mount(InterpolateView, { ...mountOptions(fake, pinia), attachTo: document.body });
    await flushPromises();
    const filter = byLabel(wrapper, 'Class');
    expect(filter.findAll('option').map((o) => o.text())).toEqual(['All (120)', 'a (60)', 'b (60)']);
    await filter.setValue('b');
    await settle(60);
    await flushPromises();
    expect(fake.inputsOf('dataset.list').at(-1)).toMatchObject({ label: 'b' });
    const cells = () => wrapper.findAll('[role="gridcell"]');
    expect(cells()[0]!.attributes('title')).toBe('b/img-1.png');
    await cells()[0]!.trigger('click');
    await filter.setValue('a');
    await settle(60);
    await flushPromises();
    await cells()[0]!.trigger('click');
    expect(wrapper.text()).toContain('class b');
    expect(wrapper.text()).toContain('class a');
    expect(wrapper.text()).toContain(
      'The model draws each image for a class, so this walk moves the class too, from b (A) to a (B)',
    );
    useDatasetStore().setLabelFilter(null);
    wrapper.unmount();
  });

  it('a pick from the grid clears a path typed for that end', async () => {
    const wrapper = mount(InterpolateView, { ...mountOptions(fake, pinia), attachTo: document.body });
    await flushPromises();
    const path = byLabel(wrapper, 'Server path for A');
    await path.setValue('/srv/old.png');
    await wrapper.findAll('form')[0]!.trigger('submit');
    expect(wrapper.text()).toContain('old.png');
    await byButton(wrapper, 'Clear image A').trigger('click');
    await path.setValue('/srv/typed-but-not-used.png');
    await wrapper.findAll('[role="gridcell"]')[2]!.trigger('click');
    await flushPromises();
    expect((path.element as HTMLInputElement).value).toBe('');
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
