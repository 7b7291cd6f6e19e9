import { computed, ref, shallowReactive, type Ref } from 'vue';
import type { DatasetItem, DatasetSummary, VaeApi } from '../api/contract';
import type { createRequester } from './request';

/** Items per `dataset.list` page. */
export const LIST_PAGE_SIZE = 500;
/** Thumbnails kept in memory (data URLs of a few KB each); the least recently wanted go first. */
export const THUMBNAIL_CACHE_LIMIT = 4000;
/** The contract's limit on indices per `dataset.thumbnails`. */
const THUMBNAILS_PER_REQUEST = 1000;

/**
 * The dataset's items as a grid pages through them: `dataset.list` pages (paths, labels, and the indices behind a
 * class filter) and a bounded cache of thumbnails, each fetched once however often it is wanted. Positions are
 * places in the (filtered) order; indices are places in the dataset.
 */
export function createDatasetItems(options: {
  api: VaeApi;
  request: ReturnType<typeof createRequester>['request'];
  summary: Ref<DatasetSummary | null>;
}) {
  const { api, request, summary } = options;

  /** Show one class folder only; null shows all. */
  const labelFilter = ref<string | null>(null);
  const filteredTotal = ref(0);
  const total = computed(() =>
    labelFilter.value === null ? (summary.value?.count ?? 0) : filteredTotal.value,
  );
  const pages = shallowReactive(new Map<number, DatasetItem[]>());
  const pageRequests = new Map<number, Promise<void>>();
  const thumbnails = shallowReactive(new Map<number, string>());
  const thumbnailRequests = new Set<number>();
  const lastWanted = new Map<number, number>();
  let wantedTick = 0;
  /** Bumped whenever the dataset or filter changes, so answers for the old one are dropped. */
  let generation = 0;

  /** The item at a grid position (in the filtered order), once its page is loaded. */
  function itemAt(position: number): DatasetItem | undefined {
    return pages.get(Math.floor(position / LIST_PAGE_SIZE))?.[position % LIST_PAGE_SIZE];
  }

  /** The dataset index shown at a grid position: the position itself unless a class filter is on. */
  function indexAt(position: number): number | undefined {
    if (position < 0 || position >= total.value) return undefined;
    return labelFilter.value === null ? position : itemAt(position)?.index;
  }

  function thumbnailOf(index: number): string | undefined {
    return thumbnails.get(index);
  }

  /** Loads the list pages and thumbnails for grid positions [start, end): what the grid shows now. */
  async function loadRange(start: number, end: number): Promise<void> {
    const from = Math.max(0, start);
    const to = Math.min(total.value, end);
    if (to <= from) return;
    const gen = generation;
    const loads: Promise<void>[] = [];
    for (
      let page = Math.floor(from / LIST_PAGE_SIZE);
      page <= Math.floor((to - 1) / LIST_PAGE_SIZE);
      page++
    ) {
      loads.push(loadPage(page));
    }
    if (labelFilter.value === null) {
      // Without a filter, positions are indices: fetch thumbnails alongside the page.
      loads.push(ensureThumbnails(range(from, to)));
      await Promise.all(loads);
      return;
    }
    await Promise.all(loads);
    if (gen !== generation) return;
    const indices = range(from, to)
      .map(indexAt)
      .filter((i): i is number => i !== undefined);
    await ensureThumbnails(indices);
  }

  function loadPage(page: number): Promise<void> {
    const known = pageRequests.get(page);
    if (known) return known;
    const gen = generation;
    const label = labelFilter.value;
    const input = { offset: page * LIST_PAGE_SIZE, limit: LIST_PAGE_SIZE };
    const loading = request('Could not list the dataset', () =>
      api.dataset.list(label === null ? input : { ...input, label }),
    ).then((result) => {
      if (gen !== generation) return;
      if (!result.ok) {
        pageRequests.delete(page);
        return;
      }
      pages.set(page, result.value.items);
      if (label !== null) filteredTotal.value = result.value.total;
    });
    pageRequests.set(page, loading);
    return loading;
  }

  /** Fetches the thumbnails of these dataset indices that aren't cached or on their way. */
  async function ensureThumbnails(indices: number[]): Promise<void> {
    const gen = generation;
    const missing: number[] = [];
    for (const index of indices) {
      lastWanted.set(index, ++wantedTick);
      if (!thumbnails.has(index) && !thumbnailRequests.has(index)) missing.push(index);
    }
    const requests: Promise<void>[] = [];
    for (let i = 0; i < missing.length; i += THUMBNAILS_PER_REQUEST) {
      const batch = missing.slice(i, i + THUMBNAILS_PER_REQUEST);
      batch.forEach((index) => thumbnailRequests.add(index));
      requests.push(
        request('Could not load thumbnails', () => api.dataset.thumbnails({ indices: batch }), {
          track: false,
        }).then((result) => {
          if (gen !== generation) return;
          batch.forEach((index) => thumbnailRequests.delete(index));
          if (result.ok) for (const t of result.value) thumbnails.set(t.index, t.url);
        }),
      );
    }
    await Promise.all(requests);
    evictThumbnails();
  }

  function evictThumbnails(): void {
    if (thumbnails.size <= THUMBNAIL_CACHE_LIMIT) return;
    const oldest = [...thumbnails.keys()].sort((a, b) => (lastWanted.get(a) ?? 0) - (lastWanted.get(b) ?? 0));
    for (const index of oldest.slice(0, thumbnails.size - THUMBNAIL_CACHE_LIMIT)) {
      thumbnails.delete(index);
      lastWanted.delete(index);
    }
  }

  function setLabelFilter(label: string | null): void {
    if (label === labelFilter.value) return;
    labelFilter.value = label;
    filteredTotal.value = label === null ? 0 : (summary.value?.perLabel[label] ?? 0);
    resetItems(false);
  }

  /** Forgets loaded pages (and thumbnails, when the images themselves may have changed). */
  function resetItems(images = true): void {
    generation += 1;
    pages.clear();
    pageRequests.clear();
    if (images) {
      thumbnails.clear();
      thumbnailRequests.clear();
      lastWanted.clear();
    }
  }

  /** A different dataset: no filter, nothing cached. */
  function reset(): void {
    labelFilter.value = null;
    filteredTotal.value = 0;
    resetItems();
  }

  return {
    reset,
    labelFilter,
    total,
    thumbnails,
    itemAt,
    indexAt,
    thumbnailOf,
    loadRange,
    ensureThumbnails,
    setLabelFilter,
    resetItems,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}
