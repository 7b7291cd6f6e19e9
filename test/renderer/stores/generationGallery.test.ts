import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GalleryImage, RequestInput } from '../../../src-renderer/src/api/contract';
import { useGenerationStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, type FakeApi } from '../fakeApi';
import { conditionalModel, projectSummary } from '../fixtures';

let fake: FakeApi;

/** A conditional run's manifest: 50 bags, then 3 coats, then 40 shoes. */
const rows: GalleryImage[] = [
  ...Array.from({ length: 50 }, (_, i) => ({ class: 'bag', index: i })),
  ...Array.from({ length: 3 }, (_, i) => ({ class: 'coat', index: i })),
  ...Array.from({ length: 40 }, (_, i) => ({ class: 'shoe', index: i })),
].map((r) => ({
  ...r,
  file: `/p/generated/run-1/${r.class}/sample-s0-${r.index}.png`,
  url: 'data:image/png;base64,AA',
  seed: 0,
}));

function gallery(input: RequestInput<'generation.gallery'>) {
  const { offset = 0, limit = 60 } = input;
  const matching = input.class === undefined ? rows : rows.filter((r) => r.class === input.class);
  return ok({
    total: matching.length,
    images: matching.slice(offset, offset + limit),
    classes: [
      { name: 'bag', count: 50 },
      { name: 'coat', count: 3 },
      { name: 'shoe', count: 40 },
    ],
  });
}

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('generation.gallery', gallery);
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: conditionalModel(3) }));
  await nextTick();
});

describe('the gallery of a conditional generation', () => {
  it('groups the images by class, each with its count and its first page', async () => {
    const generation = useGenerationStore();
    await generation.showRun('/p/generated/run-1');
    const { groups } = generation.gallery;
    expect(groups.map((g) => [g.name, g.count, g.images.length])).toEqual([
      ['bag', 50, 50],
      ['coat', 3, 3],
      ['shoe', 40, 24],
    ]);
    expect(new Set(groups[2]!.images.map((i) => i.class))).toEqual(new Set(['shoe']));
    // The first page held the bags and coats; the shoes' first page came by class.
    expect(fake.inputsOf('generation.gallery').slice(1)).toEqual([
      { out: '/p/generated/run-1', offset: 7, limit: 17, class: 'shoe' },
    ]);
    await generation.gallery.more('shoe');
    expect(generation.gallery.groups[2]!.images).toHaveLength(40);
  });

  it('folds a class away, and the filter shows one class alone', async () => {
    const generation = useGenerationStore();
    await generation.showRun('/p/generated/run-1');
    generation.gallery.toggle('bag');
    expect(generation.gallery.groups[0]!.collapsed).toBe(true);
    expect(generation.gallery.images.some((i) => i.class === 'bag')).toBe(false);
    generation.gallery.setClassFilter('coat');
    expect(generation.gallery.shownGroups.map((g) => g.name)).toEqual(['coat']);
    expect(generation.gallery.images).toHaveLength(3);
    generation.gallery.setClassFilter(null);
    expect(generation.gallery.shownGroups).toHaveLength(3);
  });
});
