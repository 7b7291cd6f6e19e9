import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import ThumbnailGrid from '../../../src-renderer/src/components/ThumbnailGrid.vue';
import { createFakeApi, deferred, installStores, mountOptions, ok, settle, type FakeApi } from '../fakeApi';
import { datasetSummary, projectSummary } from '../fixtures';
import type { Pinia } from 'pinia';
import { useImageViewerStore } from '../../../src-renderer/src/stores';

const COUNT = 50_000;
let fake: FakeApi;
let pinia: Pinia;

/** Every index asked of dataset.thumbnails so far. */
function requestedThumbnails(): number[] {
  return fake.inputsOf('dataset.thumbnails').flatMap((i) => i.indices);
}

function renderedIndices(wrapper: ReturnType<typeof mount>): number[] {
  return wrapper.findAll('[role="gridcell"]').map((c) => Number(c.attributes('id')!.split('-cell-')[1]));
}

async function mountGrid(props: Record<string, unknown> = {}) {
  const wrapper = mount(ThumbnailGrid, {
    props: { label: 'Dataset images', ...props },
    attachTo: document.body,
    ...mountOptions(fake, pinia),
  });
  await flushPromises();
  await nextTick();
  return wrapper;
}

beforeEach(() => {
  document.body.innerHTML = '';
  fake = createFakeApi({ datasetCount: COUNT });
  ({ pinia } = installStores(fake));
  fake.emit('project.changed', projectSummary({ dataset: datasetSummary({ count: COUNT }) }));
});

describe('ThumbnailGrid', () => {
  // Without layout (happy-dom), the grid assumes a 640 × 400 viewport: 8 columns of 76 px, 6 rows in view.
  it('renders only the rows in view (plus overscan) of 50,000 items', async () => {
    const wrapper = await mountGrid();
    const grid = wrapper.get('[role="grid"]');
    expect(grid.attributes('aria-label')).toBe('Dataset images');
    expect(grid.attributes('aria-rowcount')).toBe(String(COUNT / 8));
    expect(wrapper.findAll('[role="row"]')).toHaveLength(8);
    expect(wrapper.findAll('[role="gridcell"]')).toHaveLength(64);
    expect(document.body.querySelectorAll('*').length).toBeLessThan(300);
    // The spacer keeps the scroll height of all 6,250 rows.
    expect(wrapper.get('[role="rowgroup"]').attributes('style')).toContain(`height: ${(COUNT / 8) * 76}px`);
  });

  it('requests thumbnails for the visible rows only, and shows them', async () => {
    const wrapper = await mountGrid();
    expect(requestedThumbnails().sort((a, b) => a - b)).toEqual(renderedIndices(wrapper));
    expect(renderedIndices(wrapper)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    const images = wrapper.findAll('img');
    expect(images).toHaveLength(64);
    expect(images[3]!.attributes()).toMatchObject({ src: 'data:image/png;base64,3', alt: 'b/img-3.png' });
  });

  it('after scrolling far down, renders and requests the rows there and nothing in between', async () => {
    const wrapper = await mountGrid();
    const before = requestedThumbnails().length;
    const viewport = wrapper.get('[role="grid"]').element as HTMLElement;
    Object.defineProperty(viewport, 'scrollTop', { value: 3000 * 76, configurable: true });
    await wrapper.get('[role="grid"]').trigger('scroll');
    await settle(60);
    await flushPromises();

    const rendered = renderedIndices(wrapper);
    expect(rendered).toEqual(Array.from({ length: 80 }, (_, i) => 2998 * 8 + i));
    const newlyRequested = requestedThumbnails()
      .slice(before)
      .sort((a, b) => a - b);
    expect(newlyRequested).toEqual(rendered);
    expect(fake.inputsOf('dataset.list').map((i) => i.offset)).toEqual([0, 23_500, 24_000]);
    expect(wrapper.findAll('img')).toHaveLength(80);
  });

  it('moves the active image with the arrow keys and selects it with Enter', async () => {
    const wrapper = await mountGrid({ selectable: true });
    const grid = wrapper.get('[role="grid"]');
    await grid.trigger('keydown', { key: 'ArrowDown' });
    await grid.trigger('keydown', { key: 'ArrowRight' });
    expect(grid.attributes('aria-activedescendant')).toMatch(/-cell-9$/);
    await grid.trigger('keydown', { key: 'Enter' });
    expect(wrapper.emitted('select')).toEqual([[9, 'b/img-9.png', 'b']]);
    await wrapper.findAll('[role="gridcell"]')[2]!.trigger('click');
    expect(wrapper.emitted('select')?.at(-1)).toEqual([2, 'a/img-2.png', 'a']);
  });

  it('puts the marks it is given on their images, and marks those cells selected', async () => {
    const wrapper = await mountGrid({ selectable: true, marks: { 4: 'A', 9: 'B' } });
    const cells = wrapper.findAll('[role="gridcell"]');
    expect(cells[4]!.text()).toBe('A');
    expect(cells[9]!.text()).toBe('B');
    expect(cells.filter((c) => c.attributes('aria-selected') === 'true').map((c) => c.text())).toEqual([
      'A',
      'B',
    ]);
  });

  it('without selecting, a click opens the image large, and the large view steps through the dataset', async () => {
    const wrapper = await mountGrid();
    await wrapper.findAll('[role="gridcell"]')[3]!.trigger('click');
    const viewer = useImageViewerStore();
    expect(viewer.isOpen).toBe(true);
    expect(viewer.current).toEqual({
      url: 'data:image/png;base64,3',
      alt: 'b/img-3.png',
      caption: 'b/img-3.png · class b',
      datasetIndex: 3,
    });
    viewer.next();
    expect(viewer.current?.datasetIndex).toBe(4);
    expect(wrapper.emitted('select')).toBeUndefined();
  });

  it('fetches the thumbnails in view again when an import finishes while they were on their way', async () => {
    // The main side sends the new summary, then `job.done`, which makes the store forget what it loaded, and so
    // drop the answer to a request made in between.
    fake.emit('project.changed', projectSummary({ dataset: datasetSummary({ count: 24 }) }));
    const first = deferred<void>();
    fake.on('dataset.thumbnails', async ({ indices }) => {
      if (fake.inputsOf('dataset.thumbnails').length === 1) await first.promise;
      return ok(indices.map((index) => ({ index, url: `data:image/png;base64,${index}` })));
    });
    const wrapper = await mountGrid();
    expect(fake.inputsOf('dataset.thumbnails')).toHaveLength(1);
    fake.emit('job.done', {
      jobId: 'imp-1',
      kind: 'import',
      cancelled: false,
      result: {
        sourceRoot: '/p/uploads/b1',
        scanned: 24,
        imported: 24,
        skipped: [],
        duplicates: [],
        seconds: 0.2,
        imagesPerSec: 120,
        archivedPrevious: null,
      },
    });
    first.resolve();
    await settle(60);
    await flushPromises();
    expect(wrapper.findAll('img')).toHaveLength(24);
  });
});
