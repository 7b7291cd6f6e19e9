import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useApi } from '../api/inject';
import type { ExplorerModel, RequestInput } from '../api/contract';
import { useAppStore } from './appStore';
import { keepPerProject } from './perProject';
import { createRequester } from './request';

/** Where the explorer may start: a dataset image, a sample of the prior, or the origin. */
export type ExplorerFrom = RequestInput<'explorer.start'>['from'];

/** Most sliders shown: the most active dimensions first. */
export const MAX_SLIDERS = 32;

/**
 * The latent explorer: the model's dimensions (most active first), the current z and its decode. A slider move
 * sends one `explorer.decode`; while one is on its way, further moves only keep the newest z, which goes next, so
 * the picture follows the slider without a queue of stale decodes. Each round trip is timed (`roundTrips`).
 */
export const useExplorerStore = defineStore('explorer', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const model = ref<ExplorerModel | null>(null);
  const z = ref<number[]>([]);
  const className = ref<string | undefined>(undefined);
  const image = ref<string | null>(null);
  const origin = ref('');
  /** Milliseconds of the latest round trips (request to decoded picture), newest last; at most 50 kept. */
  const roundTrips = ref<number[]>([]);
  const saved = ref<{ out: string; file: string } | null>(null);
  let inFlight = false;
  let dirty = false;

  keepPerProject(
    () => app.project?.root,
    () => null,
    () => {
      model.value = null;
      z.value = [];
      image.value = null;
      saved.value = null;
    },
  );

  /** The dimensions a slider is shown for: the active ones (at least one), most active first. */
  const sliders = computed(() => {
    const dims = model.value?.dims ?? [];
    const active = dims.filter((d) => d.active);
    return (active.length > 0 ? active : dims.slice(0, 1)).slice(0, MAX_SLIDERS);
  });
  const medianRoundTrip = computed(() => {
    const sorted = [...roundTrips.value].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
  });

  /** Counts the starts asked for: only the newest one's answer is shown. */
  let starts = 0;

  /** Opens the current model (its dimensions) and starts at the origin unless a start is set. */
  async function open(): Promise<boolean> {
    if (!app.hasModel) return false;
    const checkpoint = app.project?.model?.checkpoint;
    if (model.value && model.value.checkpoint === checkpoint) return true;
    const startsBefore = starts;
    const result = await request('Could not open the model for exploring', () => api.explorer.model());
    if (!result.ok) return false;
    model.value = result.value;
    className.value = result.value.classes?.[0];
    // A start the user picked while the model was loading wins over the origin.
    return starts > startsBefore ? true : startFrom({ origin: true });
  }

  async function startFrom(from: ExplorerFrom): Promise<boolean> {
    const ticket = ++starts;
    const result = await request('Could not start exploring there', () =>
      api.explorer.start({ from, ...(className.value ? { class: className.value } : {}) }),
    );
    if (!result.ok) return false;
    if (ticket !== starts) return true; // a newer start is on its way
    z.value = result.value.z;
    if (result.value.class !== undefined) className.value = result.value.class;
    image.value = result.value.image;
    origin.value = result.value.origin;
    saved.value = null;
    return true;
  }

  function setDim(dim: number, value: number): void {
    if (dim < 0 || dim >= z.value.length || !Number.isFinite(value)) return;
    const next = [...z.value];
    next[dim] = value;
    z.value = next;
    void decode();
  }

  function setClass(name: string): void {
    className.value = name;
    void decode();
  }

  async function decode(): Promise<void> {
    if (inFlight) {
      dirty = true;
      return;
    }
    inFlight = true;
    try {
      do {
        dirty = false;
        const sent = [...z.value];
        const started = performance.now();
        const result = await request(
          'Could not decode the latent point',
          () => api.explorer.decode({ z: sent, ...(className.value ? { class: className.value } : {}) }),
          { track: false },
        );
        if (!result.ok) return;
        const ms = performance.now() - started;
        roundTrips.value = [...roundTrips.value, ms].slice(-50);
        image.value = result.value.image;
        // A figure for a person (the browser's console), never a test that fails on a time.
        console.info(
          `explorer round trip ${ms.toFixed(1)} ms (decode ${result.value.decodeMs.toFixed(1)} ms)`,
        );
      } while (dirty);
    } finally {
      inFlight = false;
    }
  }

  /** Writes the current decode into the project's explorer generation folder, its z in the manifest. */
  async function save(): Promise<boolean> {
    const result = await request('Could not save the image', () =>
      api.explorer.save({
        z: [...z.value],
        origin: origin.value || 'the latent explorer',
        ...(className.value ? { class: className.value } : {}),
      }),
    );
    if (!result.ok) return false;
    saved.value = result.value;
    return true;
  }

  return {
    model,
    z,
    className,
    image,
    origin,
    roundTrips,
    medianRoundTrip,
    saved,
    sliders,
    isBusy: computed(() => pending.value > 0),
    error,
    open,
    startFrom,
    setDim,
    setClass,
    save,
  };
});
