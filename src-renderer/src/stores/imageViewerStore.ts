import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import { useApi } from '../api/inject';
import { useAppStore } from './appStore';
import { createRequester } from './request';

/** One image of the large view: what to draw, its words, and its dataset index when it is a dataset image. */
export interface ViewerImage {
  url: string;
  alt: string;
  /** One line under it: its file, its class, its seed. */
  caption: string;
  /** A dataset image's index: the view then shows the model's reconstruction beside it. */
  datasetIndex?: number;
}

/**
 * What the large view steps through: a gallery's images, a strip of frames, or the whole dataset (whose
 * thumbnails arrive as they are wanted, so `image` may be undefined until `load` has fetched it).
 */
export interface ViewerSource {
  readonly count: number;
  image(position: number): ViewerImage | undefined;
  /** Fetches what position `position` needs (a thumbnail not loaded yet). */
  load?(position: number): void;
}

/** A source over images already at hand. */
export function listSource(images: readonly ViewerImage[]): ViewerSource {
  return { count: images.length, image: (position) => images[position] };
}

/**
 * The large view of a thumbnail, for any thumbnail of the app: which images it steps through, where it stands,
 * and for a dataset image the model's reconstruction of it (asked once per image and kept).
 */
export const useImageViewerStore = defineStore('imageViewer', () => {
  const api = useApi();
  const app = useAppStore();
  const { request } = createRequester(app);
  const source = shallowRef<ViewerSource | null>(null);
  const position = ref(0);
  /** Reconstructions by dataset index (data URLs); cleared when the model or the dataset changes. */
  const reconstructions = ref(new Map<number, string>());
  const reconstructing = ref<number | null>(null);
  const reconstructionError = ref<string | null>(null);

  const isOpen = computed(() => source.value !== null);
  const count = computed(() => source.value?.count ?? 0);
  const current = computed(() => source.value?.image(position.value));
  const reconstruction = computed(() => {
    const index = current.value?.datasetIndex;
    return index === undefined ? undefined : reconstructions.value.get(index);
  });

  function open(from: ViewerSource, at: number): void {
    source.value = from;
    moveTo(at);
  }

  function close(): void {
    source.value = null;
    reconstructionError.value = null;
  }

  function moveTo(at: number): void {
    const n = count.value;
    if (n === 0) return;
    position.value = Math.max(0, Math.min(n - 1, at));
    source.value?.load?.(position.value);
  }
  const next = () => moveTo(position.value + 1);
  const previous = () => moveTo(position.value - 1);

  async function reconstruct(index: number): Promise<void> {
    if (reconstructions.value.has(index) || reconstructing.value === index) return;
    reconstructing.value = index;
    reconstructionError.value = null;
    const result = await request('Could not reconstruct the image', () => api.model.reconstruct({ index }), {
      quiet: true,
    });
    if (reconstructing.value === index) reconstructing.value = null;
    if (result.ok)
      reconstructions.value = new Map(reconstructions.value).set(index, result.value.reconstruction);
    else if (current.value?.datasetIndex === index) reconstructionError.value = result.message;
  }

  // A dataset image, once in view with a model to reconstruct it.
  watch(
    () => (isOpen.value && app.hasModel ? current.value?.datasetIndex : undefined),
    (index) => {
      reconstructionError.value = null;
      if (index !== undefined) void reconstruct(index);
    },
  );
  // Another model (a new checkpoint) or dataset: the old reconstructions are someone else's.
  watch(
    () =>
      `${app.project?.root ?? ''}|${app.project?.model?.checkpoint ?? ''}|${app.project?.model?.epoch ?? ''}|${app.project?.dataset?.count ?? ''}`,
    () => {
      reconstructions.value = new Map();
    },
  );

  return {
    isOpen,
    count,
    position,
    current,
    reconstruction,
    reconstructing,
    reconstructionError,
    open,
    close,
    moveTo,
    next,
    previous,
  };
});
