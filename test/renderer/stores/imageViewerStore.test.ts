import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import { useImageViewerStore } from '../../../src-renderer/src/stores';
import { listSource } from '../../../src-renderer/src/stores/imageViewerStore';
import { createFakeApi, fail, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { conditionalModel, projectSummary } from '../fixtures';

let fake: FakeApi;
const images = [0, 1, 2].map((i) => ({
  url: `data:image/png;base64,${i}`,
  alt: `Image ${i}`,
  caption: `${i}.png`,
}));

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('model.reconstruct', ({ index }) =>
    ok({
      index,
      path: `bag/${index}.png`,
      label: 'bag',
      original: `data:image/png;base64,O${index}`,
      reconstruction: `data:image/png;base64,R${index}`,
    }),
  );
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: conditionalModel(2) }));
  await nextTick();
});

describe('useImageViewerStore', () => {
  it('opens on an image and steps through its source, no further than its ends', () => {
    const viewer = useImageViewerStore();
    viewer.open(listSource(images), 1);
    expect([viewer.isOpen, viewer.position, viewer.current?.alt]).toEqual([true, 1, 'Image 1']);
    viewer.next();
    viewer.next();
    expect(viewer.current?.alt).toBe('Image 2');
    viewer.moveTo(-5);
    expect(viewer.position).toBe(0);
    viewer.close();
    expect(viewer.isOpen).toBe(false);
  });

  it('asks for a dataset image’s reconstruction once, and keeps it', async () => {
    const viewer = useImageViewerStore();
    const dataset = [7, 8].map((index) => ({ ...images[0]!, datasetIndex: index }));
    viewer.open(listSource(dataset), 0);
    await settle();
    expect(viewer.reconstruction).toBe('data:image/png;base64,R7');
    viewer.next();
    await settle();
    viewer.previous();
    await settle();
    expect(fake.inputsOf('model.reconstruct')).toEqual([{ index: 7 }, { index: 8 }]);
    expect(viewer.reconstruction).toBe('data:image/png;base64,R7');
  });

  it('says why a reconstruction failed, in the view, and asks nothing for a generated image', async () => {
    fake.on('model.reconstruct', () => fail('DATASET_CHANGED', 'the dataset was imported again'));
    const viewer = useImageViewerStore();
    viewer.open(listSource(images), 0);
    await settle();
    expect(fake.inputsOf('model.reconstruct')).toEqual([]);
    viewer.open(listSource([{ ...images[0]!, datasetIndex: 3 }]), 0);
    await settle();
    expect(viewer.reconstructionError).toBe('the dataset was imported again');
  });
});
