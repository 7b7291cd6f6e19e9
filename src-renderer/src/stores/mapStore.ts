import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, watch } from 'vue';
import { useApi } from '../api/inject';
import {
  MAP_SETTINGS,
  requests,
  type EventPayload,
  type LatentMap,
  type MapNeighbour,
} from '../api/contract';
import { formatCount } from '../lib/format';
import { formDefaults, type FormOf } from '../lib/settingsForm';
import { validateFields } from '../lib/validation';
import { useAppStore } from './appStore';
import { useDatasetStore } from './datasetStore';
import { CANCELLED, createJobLifecycle } from './jobs';
import { keepPerProject } from './perProject';
import { createRequester } from './request';
import { useInterpolationStore } from './interpolationStore';

export type MapForm = FormOf<typeof MAP_SETTINGS>;
export type MapProgress = Omit<EventPayload<'map.progress'>, 'jobId'>;

/** Thumbnails per `dataset.thumbnails` request (its limit). */
const THUMBNAIL_BATCH = 1000;
/** Thumbnails kept; the oldest go first when the map has been panned over many. */
export const MAP_THUMBNAIL_LIMIT = 4000;
/** Nearest images shown beside a clicked point. */
export const MAP_NEIGHBOURS = 8;

/**
 * The latent map of the current project: the form and the job that makes it, the map as `map.current` gives it,
 * the point under the pointer and the one clicked (with its reconstruction and nearest images), the two points
 * picked for an interpolation, a box selection, the images excluded from training (shown on the map, and
 * excluded or included again from it), and the thumbnails the map draws.
 */
export const useMapStore = defineStore('map', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<'map', EventPayload<'map.progress'>>(
    'map',
    error,
    {
      done: (event) => {
        void load();
        const r = event.result;
        return `Mapped ${formatCount(r.images)} images in ${r.seconds.total.toFixed(1)} s.`;
      },
      failed: (event) =>
        event.code === CANCELLED
          ? 'Cancelled; the previous map is kept.'
          : `The map failed: ${event.message}`,
    },
  );

  const form = reactive<MapForm>(formDefaults(MAP_SETTINGS));
  const map = shallowRef<LatentMap | null>(null);
  const loaded = ref(false);
  const starting = ref(false);
  const hovered = ref<number | null>(null);
  const selected = ref<number | null>(null);
  const reconstruction = ref<string | null>(null);
  const neighbours = ref<MapNeighbour[]>([]);
  /** Up to two points picked for an interpolation, in the order picked. */
  const picked = ref<number[]>([]);
  const selection = ref<number[]>([]);
  /** Thumbnails by dataset index (data URLs); a new map keeps them (the dataset is the same). */
  const thumbnails = shallowRef(new Map<number, string>());
  /** Bumped when thumbnails arrive, so the map redraws with them. */
  const thumbnailVersion = ref(0);
  /** Dataset indices of the images excluded from training (the project's exclusions.json). */
  const excluded = shallowRef<ReadonlySet<number>>(new Set());
  /** What the last exclusion from the map did, in words. */
  const exclusionNote = ref('');
  const wanted = new Set<number>();
  let detailRequest = 0;

  keepPerProject(
    () => app.project?.root,
    () => ({ ...form }),
    (saved) => {
      Object.assign(form, saved ?? formDefaults(MAP_SETTINGS));
      map.value = null;
      loaded.value = false;
      clearPoints();
      thumbnails.value = new Map();
      wanted.clear();
      excluded.value = new Set();
    },
  );
  // Excluded or included elsewhere (the Outliers view, another window): the project's count moves; read the list.
  const dataset = useDatasetStore();
  watch(
    () => dataset.summary?.excluded ?? 0,
    (count) => {
      if (!loaded.value) return;
      if (count !== excluded.value.size) void loadExclusions();
    },
  );

  const validation = computed(() => validateFields(requests['map.start'].input, { ...form }));
  const fieldErrors = computed(() => validation.value.errors);
  const isRunning = job.running;
  const isBusy = computed(() => pending.value > 0 || isRunning.value || starting.value);
  const canStart = computed(
    () => validation.value.value !== null && !isRunning.value && !starting.value && app.hasModel,
  );
  const progressFraction = computed(() => {
    const p = progress.value;
    return p && p.total > 0 ? Math.min(1, p.done / p.total) : null;
  });
  const count = computed(() => map.value?.points.files.length ?? 0);

  function clearPoints(): void {
    hovered.value = null;
    selected.value = null;
    reconstruction.value = null;
    neighbours.value = [];
    picked.value = [];
    selection.value = [];
    exclusionNote.value = '';
  }

  /** Reads the project's map (after it is made, or when the view opens). */
  async function load(): Promise<void> {
    const [result] = await Promise.all([
      request('Could not read the map', () => api.map.current()),
      loadExclusions(),
    ]);
    loaded.value = true;
    if (!result.ok) return;
    const before = map.value;
    map.value = result.value;
    // Another map of other images: the old points' picks and selection mean nothing in it.
    if (!result.value || !before || before.images !== result.value.images) clearPoints();
  }

  async function ensureLoaded(): Promise<void> {
    if (!loaded.value && app.project) await load();
  }

  async function start(): Promise<boolean> {
    const input = validation.value.value;
    if (!input || !canStart.value) return false;
    starting.value = true;
    const result = await request('Could not start the map', () => api.map.start(input));
    starting.value = false;
    if (!result.ok) return false;
    progress.value = null;
    job.begin(result.value.jobId);
    return true;
  }

  async function cancel(): Promise<void> {
    const id = job.jobId.value;
    if (job.running.value && id)
      await request('Could not cancel the map', () => api.job.cancel({ jobId: id }));
  }

  /** Fetches the thumbnails of `indices` not at hand yet (a page of them per request). */
  async function loadThumbnails(indices: readonly number[]): Promise<void> {
    const missing = indices.filter((i) => !thumbnails.value.has(i) && !wanted.has(i));
    for (let start = 0; start < missing.length; start += THUMBNAIL_BATCH) {
      const batch = missing.slice(start, start + THUMBNAIL_BATCH);
      batch.forEach((i) => wanted.add(i));
      const result = await request(
        'Could not load thumbnails',
        () => api.dataset.thumbnails({ indices: batch }),
        { quiet: true, track: false },
      );
      batch.forEach((i) => wanted.delete(i));
      if (!result.ok) return;
      const next = new Map(thumbnails.value);
      for (const t of result.value) next.set(t.index, t.url);
      // Oldest first out (a Map keeps insertion order).
      for (const key of next.keys()) {
        if (next.size <= MAP_THUMBNAIL_LIMIT) break;
        next.delete(key);
      }
      thumbnails.value = next;
      thumbnailVersion.value++;
    }
  }

  function hover(index: number | null): void {
    hovered.value = index;
    if (index !== null) void loadThumbnails([index]);
  }

  /** A click on a point: the image, the model's reconstruction of it, and its nearest images in latent space. */
  async function select(index: number | null): Promise<void> {
    selected.value = index;
    reconstruction.value = null;
    neighbours.value = [];
    if (index === null) return;
    const ticket = ++detailRequest;
    void loadThumbnails([index]);
    const [rebuilt, near] = await Promise.all([
      request('Could not reconstruct the image', () => api.model.reconstruct({ index }), { quiet: true }),
      request('Could not find the nearest images', () =>
        api.map.neighbours({ index, count: MAP_NEIGHBOURS }),
      ),
    ]);
    if (ticket !== detailRequest) return;
    if (rebuilt.ok) reconstruction.value = rebuilt.value.reconstruction;
    if (near.ok) {
      neighbours.value = near.value.neighbours;
      void loadThumbnails(near.value.neighbours.map((n) => n.index));
    }
  }

  /** Picks a point as an end of an interpolation: the first two picks are A and B, a third replaces the older. */
  function pick(index: number): void {
    if (picked.value.includes(index)) return;
    picked.value = [...picked.value, index].slice(-2);
  }

  function unpick(index: number): void {
    picked.value = picked.value.filter((i) => i !== index);
  }

  /** Sends the two picked images to the Interpolate view as A and B, and opens it. */
  function interpolatePicked(): boolean {
    const m = map.value;
    if (!m || picked.value.length !== 2) return false;
    const interpolation = useInterpolationStore();
    for (const [slot, index] of [
      ['a', picked.value[0]!],
      ['b', picked.value[1]!],
    ] as const) {
      const label = m.points.label[index]!;
      const file = m.points.files[index]!;
      interpolation.useDatasetImage(slot, index, file, label < 0 ? undefined : m.classes[label]);
    }
    app.selectTab('interpolate');
    return true;
  }

  function selectBox(indices: number[]): void {
    selection.value = indices;
  }

  const selectionFiles = computed(() => selection.value.map((i) => map.value?.points.files[i] ?? ''));

  /** The selection as a list of files, one per line (what "Export list" downloads). */
  const selectionText = computed(() => selectionFiles.value.map((f) => `${f}\n`).join(''));

  /** How many of the selected images are excluded from training now. */
  const selectionExcluded = computed(() => selection.value.filter((i) => excluded.value.has(i)).length);

  async function loadExclusions(): Promise<void> {
    const root = app.project?.root;
    const result = await request('Could not read the images excluded from training', () =>
      api.exclusions.list(),
    );
    if (!result.ok || root !== app.project?.root) return;
    excluded.value = new Set(result.value.flatMap((e) => (e.index === null ? [] : [e.index])));
  }

  /**
   * Excludes the dataset images at `indices` from training, or includes them again: kept in the project, shown on
   * the map at once, left out of the next training run.
   */
  async function setExcluded(indices: readonly number[], value: boolean): Promise<boolean> {
    const m = map.value;
    if (!m || indices.length === 0) return false;
    const files = indices.map((i) => m.points.files[i]!);
    const result = await request(
      value ? 'Could not exclude the images' : 'Could not include the images again',
      () => api.exclusions.set({ files, excluded: value }),
    );
    if (!result.ok) return false;
    const next = new Set(excluded.value);
    for (const i of indices) {
      if (value) next.add(i);
      else next.delete(i);
    }
    excluded.value = next;
    const n = indices.length;
    const images = n === 1 ? `${files[0]} is` : `${formatCount(n)} images are`;
    exclusionNote.value = value
      ? `${images} excluded from training: the next training run leaves ${n === 1 ? 'it' : 'them'} out.`
      : `${images} included in training again.`;
    return true;
  }

  /** The box selection excluded from training (`value` true) or included again. */
  function setSelectionExcluded(value: boolean): Promise<boolean> {
    return setExcluded(selection.value, value);
  }

  return {
    form,
    map,
    loaded,
    count,
    progress,
    status,
    error,
    fieldErrors,
    isRunning,
    isBusy,
    canStart,
    progressFraction,
    hovered,
    selected,
    reconstruction,
    neighbours,
    picked,
    selection,
    selectionFiles,
    selectionText,
    thumbnails,
    thumbnailVersion,
    excluded,
    exclusionNote,
    selectionExcluded,
    jobId: job.jobId,
    syncJob: job.sync,
    load,
    ensureLoaded,
    start,
    cancel,
    loadThumbnails,
    hover,
    select,
    pick,
    unpick,
    interpolatePicked,
    selectBox,
    loadExclusions,
    setExcluded,
    setSelectionExcluded,
    ...handlers,
  };
});
