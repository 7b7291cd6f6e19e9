import { computed, ref } from 'vue';
import type { GalleryImage, VaeApi } from '../api/contract';
import type { createRequester } from './request';

/** Thumbnails fetched per page of a folder without classes. */
export const GALLERY_PAGE_SIZE = 60;
/** Thumbnails fetched per page of one class, so every class of a folder shows some at once. */
export const CLASS_PAGE_SIZE = 24;

/** One heading of the gallery: a class of a conditional generation (or the whole folder, `name` null). */
export interface GalleryGroup {
  name: string | null;
  /** Images of the group that the folder's manifest lists. */
  count: number;
  images: GalleryImage[];
  collapsed: boolean;
}

/**
 * The images of a generation folder as the Generate view shows them: one group for a folder without classes, or
 * one group per class (with its count, collapsible, page by page) for a conditional generation, and a class
 * filter that shows one class alone.
 */
export function createGenerationGallery(options: {
  api: VaeApi;
  request: ReturnType<typeof createRequester>['request'];
}) {
  const { api, request } = options;
  const folder = ref<string | null>(null);
  const groups = ref<GalleryGroup[]>([]);
  /** Show only this class; null shows every class. */
  const classFilter = ref<string | null>(null);
  const total = computed(() => groups.value.reduce((n, g) => n + g.count, 0));
  const hasClasses = computed(() => groups.value.some((g) => g.name !== null));
  const shownGroups = computed(() =>
    classFilter.value === null ? groups.value : groups.value.filter((g) => g.name === classFilter.value),
  );
  /** Every image loaded so far, in the order the groups show them (what the large view steps through). */
  const images = computed(() => shownGroups.value.flatMap((g) => (g.collapsed ? [] : g.images)));

  function page(out: string, offset: number, limit: number, className?: string) {
    return request('Could not load the generated images', () =>
      api.generation.gallery(
        className === undefined ? { out, offset, limit } : { out, offset, limit, class: className },
      ),
    );
  }

  /** Shows the folder `out` from its first page (again, after a run has added to it). */
  async function load(out: string | null): Promise<void> {
    folder.value = out;
    if (!out) {
      groups.value = [];
      classFilter.value = null;
      return;
    }
    const first = await page(out, 0, GALLERY_PAGE_SIZE);
    if (!first.ok || folder.value !== out) return;
    const classes = first.value.classes;
    if (!classes) {
      groups.value = [{ name: null, count: first.value.total, images: first.value.images, collapsed: false }];
      classFilter.value = null;
      return;
    }
    const collapsed = new Set(groups.value.filter((g) => g.collapsed).map((g) => g.name));
    // The first page lists the rows in the manifest's order, each class's in its own order: what it holds of a
    // class is that class's first page already.
    groups.value = classes.map((c) => ({
      name: c.name,
      count: c.count,
      images: first.value.images.filter((image) => image.class === c.name),
      collapsed: collapsed.has(c.name),
    }));
    if (classFilter.value !== null && !classes.some((c) => c.name === classFilter.value))
      classFilter.value = null;
    await Promise.all(
      groups.value
        .filter((g) => g.images.length < Math.min(g.count, CLASS_PAGE_SIZE))
        .map((g) => more(g.name, CLASS_PAGE_SIZE - g.images.length)),
    );
  }

  /** The next page of one group (`name` null: the folder without classes). */
  async function more(name: string | null, limit?: number): Promise<void> {
    const out = folder.value;
    const group = groups.value.find((g) => g.name === name);
    if (!out || !group) return;
    const size = limit ?? (name === null ? GALLERY_PAGE_SIZE : CLASS_PAGE_SIZE);
    const next = await page(out, group.images.length, size, name ?? undefined);
    if (!next.ok || folder.value !== out) return;
    const current = groups.value.find((g) => g.name === name);
    if (!current) return;
    const known = new Set(current.images.map((i) => i.file));
    current.images = [...current.images, ...next.value.images.filter((i) => !known.has(i.file))];
    current.count = next.value.total;
  }

  function toggle(name: string | null): void {
    const group = groups.value.find((g) => g.name === name);
    if (group) group.collapsed = !group.collapsed;
  }

  function setClassFilter(name: string | null): void {
    classFilter.value = name;
    const group = groups.value.find((g) => g.name === name);
    if (group) group.collapsed = false;
  }

  function clear(): void {
    folder.value = null;
    groups.value = [];
    classFilter.value = null;
  }

  return {
    folder,
    groups,
    shownGroups,
    classFilter,
    total,
    hasClasses,
    images,
    load,
    more,
    toggle,
    setClassFilter,
    clear,
  };
}

export type GenerationGallery = ReturnType<typeof createGenerationGallery>;
