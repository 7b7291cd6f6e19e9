import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { useApi } from '../api/inject';
import {
  INTERPOLATE_SETTINGS,
  interpolateInputSchema,
  type EventPayload,
  type ImageRef,
  type InterpolateResult,
  type InterpolateSettings,
} from '../api/contract';
import { validateFields, type FieldErrors, type NumberField } from '../lib/validation';
import { useAppStore } from './appStore';
import { createRequester } from './request';
import { createJobLifecycle } from './jobs';
import { keepPerProject } from './perProject';

export type Slot = 'a' | 'b';
export type InterpolationMode = InterpolateSettings['mode'];
export type AnimationFormat = InterpolateSettings['animation'];

/** An end of the path: where the image comes from, how to name it to the user, and its class when known. */
export interface ImageChoice {
  ref: ImageRef;
  label: string;
  /** A dataset image's class folder (a file's class is its `ref.class`, or its folder on the main side). */
  class?: string;
}

/** Interpolation between two images: the two ends, steps and mode, a preview strip, and the export job. */
export const useInterpolationStore = defineStore('interpolation', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<
    'interpolate',
    EventPayload<'interpolation.progress'>
  >('interpolate', error, {
    done: (event) => {
      lastResult.value = event.result;
      outFolder.value = event.result.out;
      return event.cancelled
        ? 'Export cancelled.'
        : `Exported ${event.result.frames.length} frames, and a contact sheet with A and B at its ends.`;
    },
    failed: (event) => `Export failed: ${event.message}`,
  });

  const a = ref<ImageChoice | null>(null);
  const b = ref<ImageChoice | null>(null);
  const steps = ref<NumberField>(INTERPOLATE_SETTINGS.steps.default as number);
  const mode = ref<InterpolationMode>(INTERPOLATE_SETTINGS.mode.default);
  const animation = ref<AnimationFormat>(INTERPOLATE_SETTINGS.animation.default);
  /** Preview frames (data URLs), A first; emptied when an input changes. */
  const frames = ref<string[]>([]);
  const previewing = ref(false);
  const outFolder = ref<string | null>(null);
  const lastResult = ref<InterpolateResult | null>(null);
  /** The end the latest pick from the grid filled, so the next pick fills the other. */
  const lastPicked = ref<Slot | null>(null);

  // The two images picked in one project's dataset mean nothing in another's.
  keepPerProject(
    () => app.project?.root,
    () => ({ a: a.value, b: b.value, steps: steps.value, mode: mode.value, animation: animation.value }),
    (saved) => {
      a.value = saved?.a ?? null;
      b.value = saved?.b ?? null;
      steps.value = saved?.steps ?? (INTERPOLATE_SETTINGS.steps.default as number);
      mode.value = saved?.mode ?? INTERPOLATE_SETTINGS.mode.default;
      animation.value = saved?.animation ?? INTERPOLATE_SETTINGS.animation.default;
      frames.value = [];
      outFolder.value = null;
      lastResult.value = null;
      lastPicked.value = null;
    },
  );

  const validation = computed(() =>
    validateFields(interpolateInputSchema, {
      a: a.value?.ref,
      b: b.value?.ref,
      steps: steps.value,
      mode: mode.value,
    }),
  );
  const fieldErrors = computed<FieldErrors<'a' | 'b' | 'steps' | 'mode'>>(() => ({
    ...validation.value.errors,
    a: a.value ? validation.value.errors.a : 'Choose image A',
    b: b.value ? validation.value.errors.b : 'Choose image B',
  }));
  const isRunning = job.running;
  const isBusy = computed(() => pending.value > 0 || isRunning.value);
  const canPreview = computed(() => validation.value.value !== null && !previewing.value && app.hasModel);
  const canExport = computed(() => validation.value.value !== null && !isRunning.value && app.hasModel);
  const progressFraction = computed(() => {
    const p = progress.value;
    return p && p.total > 0 ? Math.min(1, p.done / p.total) : null;
  });

  function setImage(slot: Slot, choice: ImageChoice | null): void {
    (slot === 'a' ? a : b).value = choice;
  }

  function useDatasetImage(slot: Slot, datasetIndex: number, label: string, className?: string): void {
    setImage(slot, {
      ref: { datasetIndex },
      label,
      ...(className === undefined ? {} : { class: className }),
    });
  }

  /**
   * Which end a click in the grid fills: an empty one (A first), else the one the last click did not fill, so
   * the first click picks A, the next B, and further clicks replace them in turn.
   */
  const nextSlot = computed<Slot>(() => {
    if (!a.value) return 'a';
    if (!b.value) return 'b';
    return lastPicked.value === 'a' ? 'b' : 'a';
  });

  /** One click in the grid: the image becomes the next end. */
  function pick(datasetIndex: number, label: string, className?: string): Slot {
    const slot = nextSlot.value;
    useDatasetImage(slot, datasetIndex, label, className);
    lastPicked.value = slot;
    return slot;
  }

  function clear(slot: Slot): void {
    setImage(slot, null);
    if (lastPicked.value === slot) lastPicked.value = null;
  }

  /** A file's class, for a conditional model (undefined: its class folder in the imported folder). */
  function setFileClass(slot: Slot, className: string | undefined): void {
    const choice = (slot === 'a' ? a : b).value;
    if (!choice || !('file' in choice.ref)) return;
    const file = choice.ref.file;
    setImage(slot, {
      ...choice,
      ref: className === undefined ? { file } : { file, class: className },
    });
  }

  /** The dataset indices of the two ends, marked A and B in the grid. */
  const marks = computed(() => {
    const out: Partial<Record<number, string>> = {};
    for (const [slot, choice] of [
      ['B', b.value],
      ['A', a.value],
    ] as const) {
      if (choice && 'datasetIndex' in choice.ref) {
        const index = choice.ref.datasetIndex;
        out[index] = out[index] ? `${slot}${out[index]}` : slot;
      }
    }
    return out;
  });

  /** The classes of the two ends for a conditional model, as far as they are known here. */
  const endClasses = computed(() => {
    const known = (choice: ImageChoice | null) =>
      choice?.class ?? (choice && 'file' in choice.ref ? choice.ref.class : undefined);
    return { a: known(a.value), b: known(b.value) };
  });

  /** A file on the main side's disk (picked in Electron, typed in browser mode). */
  function useFile(slot: Slot, path: string): void {
    const file = path.trim();
    if (file) setImage(slot, { ref: { file }, label: file.split(/[\\/]/).pop() ?? file });
  }

  async function pickFile(slot: Slot): Promise<void> {
    const file = await app.pickImage(`Image ${slot.toUpperCase()}`);
    if (file) useFile(slot, file);
  }

  function swap(): void {
    [a.value, b.value] = [b.value, a.value];
    if (lastPicked.value) lastPicked.value = lastPicked.value === 'a' ? 'b' : 'a';
  }

  async function preview(): Promise<boolean> {
    const input = validation.value.value;
    if (!input) return false;
    previewing.value = true;
    const result = await request('Could not preview the interpolation', () =>
      api.interpolation.preview(input),
    );
    previewing.value = false;
    if (!result.ok) return false;
    frames.value = result.value.frames;
    return true;
  }

  async function exportFrames(): Promise<boolean> {
    const input = validation.value.value;
    if (!input || !canExport.value) return false;
    const result = await request('Could not start the export', () =>
      api.interpolation.export({ ...input, animation: animation.value }),
    );
    if (!result.ok) return false;
    outFolder.value = result.value.out;
    lastResult.value = null;
    progress.value = null;
    job.begin(result.value.jobId);
    return true;
  }

  async function cancel(): Promise<void> {
    const id = job.jobId.value;
    if (job.running.value && id)
      await request('Could not cancel the export', () => api.job.cancel({ jobId: id }));
  }

  watch([a, b, steps, mode], () => {
    frames.value = [];
  });

  return {
    a,
    b,
    steps,
    mode,
    animation,
    frames,
    previewing,
    progress,
    outFolder,
    lastResult,
    status,
    fieldErrors,
    jobId: job.jobId,
    syncJob: job.sync,
    isRunning,
    isBusy,
    error,
    canPreview,
    canExport,
    progressFraction,
    nextSlot,
    marks,
    endClasses,
    setImage,
    useDatasetImage,
    pick,
    clear,
    setFileClass,
    useFile,
    pickFile,
    swap,
    preview,
    exportFrames,
    cancel,
    ...handlers,
  };
});
