import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import ImageViewer from '../../../src-renderer/src/components/ImageViewer.vue';
import { useImageViewerStore } from '../../../src-renderer/src/stores';
import { listSource } from '../../../src-renderer/src/stores/imageViewerStore';
import { byButton } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, settle, type FakeApi } from '../fakeApi';
import { conditionalModel, projectSummary } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;

beforeEach(async () => {
  document.body.innerHTML = '';
  fake = createFakeApi();
  fake.on('model.reconstruct', ({ index }) =>
    ok({
      index,
      path: 'bag/1.png',
      label: 'bag',
      original: 'data:image/png;base64,O',
      reconstruction: 'data:image/png;base64,R',
    }),
  );
  ({ pinia } = installStores(fake));
  fake.emit('project.changed', projectSummary({ model: conditionalModel(2) }));
  await nextTick();
});

function press(key: string): void {
  document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
}

describe('ImageViewer', () => {
  it('shows the image large in a dialog; the arrow keys move, Esc closes and gives focus back', async () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const wrapper = mount(ImageViewer, { ...mountOptions(fake, pinia), attachTo: document.body });
    const viewer = useImageViewerStore();
    viewer.open(
      listSource(
        [0, 1, 2].map((i) => ({
          url: `data:image/png;base64,${i}`,
          alt: `Generated image ${i + 1}`,
          caption: `${i}.png`,
        })),
      ),
      0,
    );
    await flushPromises();
    const dialog = wrapper.get('[role="dialog"]');
    expect(dialog.attributes('aria-label')).toBe('Large view');
    expect(document.activeElement).toBe(dialog.element);
    expect(dialog.get('img').attributes('alt')).toBe('Generated image 1');
    expect(dialog.text()).toContain('1 of 3');
    press('ArrowRight');
    await nextTick();
    expect(wrapper.get('[role="dialog"] img').attributes('alt')).toBe('Generated image 2');
    press('ArrowLeft');
    press('ArrowLeft');
    await nextTick();
    expect(wrapper.get('[role="dialog"] img').attributes('alt')).toBe('Generated image 1');
    press('Escape');
    await flushPromises();
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    expect(document.activeElement).toBe(opener);
    wrapper.unmount();
  });

  it('puts the model’s reconstruction beside a dataset image', async () => {
    const wrapper = mount(ImageViewer, { ...mountOptions(fake, pinia), attachTo: document.body });
    useImageViewerStore().open(
      listSource([
        {
          url: 'data:image/png;base64,O',
          alt: 'bag/1.png',
          caption: 'bag/1.png · class bag',
          datasetIndex: 1,
        },
      ]),
      0,
    );
    await settle();
    await flushPromises();
    const images = wrapper.findAll('[role="dialog"] img');
    expect(images.map((i) => i.attributes('alt'))).toEqual([
      'bag/1.png',
      "The model's reconstruction of bag/1.png",
    ]);
    expect(images[1]!.attributes('src')).toBe('data:image/png;base64,R');
    await byButton(wrapper, 'Close').trigger('click');
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false);
    wrapper.unmount();
  });
});
