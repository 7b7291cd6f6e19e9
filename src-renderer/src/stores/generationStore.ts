import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { useApi } from '../api/inject';
import {
  generateInputSchema,
  type EventPayload,
  type GalleryImage,
  type GenerateResult,
} from '../api/contract';
import { validateFields, type NumberField } from '../lib/validation';
import { useAppStore } from './appStore';
import { createRequester } from './request';
import { createJobTracker, type JobDone, type JobFailed, type JobStarted } from './jobs';

export type ImageFormat = 'png' | 'jpg' | 'webp';

export interface GenerateForm {
  count: NumberField;
  temperature: NumberField;
  seed: NumberField;
  format: ImageFormat;
  /** Empty = the project's default `generated/run-<time>` folder. */
  out: string;
}

export type GenerateProgress = Omit<EventPayload<'generation.progress'>, 'jobId'>;

const GENERATE_DEFAULTS = generateInputSchema.parse({});
/** Gallery thumbnails fetched per page. */
export const GALLERY_PAGE_SIZE = 60;

/** Batch generation: the form, the running job, and a gallery of the output folder. */
export const useGenerationStore = defineStore('generation', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app.notify);
  const job = createJobTracker();

  const form = reactive<GenerateForm>({
    count: GENERATE_DEFAULTS.count,
    temperature: GENERATE_DEFAULTS.temperature,
    seed: GENERATE_DEFAULTS.seed,
    format: GENERATE_DEFAULTS.format,
    out: '',
  });
  const progress = ref<GenerateProgress | null>(null);
  /** The folder the latest run writes to (known as soon as it starts). */
  const outFolder = ref<string | null>(null);
  const lastResult = ref<GenerateResult | null>(null);
  const gallery = ref<GalleryImage[]>([]);
  const galleryTotal = ref(0);
  const status = ref('');
  const starting = ref(false);

  const validation = computed(() => {
    const { out, ...rest } = form;
    return validateFields(generateInputSchema, out.trim() ? { ...rest, out: out.trim() } : rest);
  });
  const fieldErrors = computed(() => validation.value.errors);
  const isRunning = job.running;
  const isBusy = computed(() => pending.value > 0 || isRunning.value);
  const canStart = computed(
    () => validation.value.value !== null && !isRunning.value && !starting.value && app.hasModel,
  );
  const progressFraction = computed(() => {
    const p = progress.value;
    return p && p.total > 0 ? Math.min(1, p.done / p.total) : null;
  });

  async function start(): Promise<boolean> {
    const input = validation.value.value;
    if (!input || !canStart.value) return false;
    starting.value = true;
    const result = await request('Could not start generating', () => api.generation.start(input));
    starting.value = false;
    if (!result.ok) return false;
    outFolder.value = result.value.out;
    progress.value = null;
    lastResult.value = null;
    gallery.value = [];
    galleryTotal.value = 0;
    job.begin(result.value.jobId);
    return true;
  }

  async function cancel(): Promise<void> {
    await request('Could not cancel generation', () => api.generation.cancel());
  }

  /** Loads the first page of the output folder's images, or the next page with `more`. */
  async function loadGallery(more = false): Promise<void> {
    const out = outFolder.value;
    if (!out) return;
    const offset = more ? gallery.value.length : 0;
    const result = await request('Could not load the generated images', () =>
      api.generation.gallery({ out, offset, limit: GALLERY_PAGE_SIZE }),
    );
    if (!result.ok || out !== outFolder.value) return;
    gallery.value = more ? [...gallery.value, ...result.value.images] : result.value.images;
    galleryTotal.value = result.value.total;
  }

  async function pickOutputFolder(): Promise<void> {
    const folder = await app.pickFolder('Folder for generated images');
    if (folder) form.out = folder;
  }

  // ── events (routed by events.ts) ─────────────────────────────────────────────────────────────────────────
  function onJobStarted(event: JobStarted): void {
    job.begin(event.jobId);
    status.value = event.title;
  }
  function onJobLog(message: string): void {
    status.value = message;
  }
  function onProgress(event: EventPayload<'generation.progress'>): void {
    if (!job.running.value) job.begin(event.jobId);
    const { jobId: _jobId, ...rest } = event;
    progress.value = rest;
  }
  function onJobDone(event: JobDone<'generate'>): void {
    job.end(event.jobId);
    const r = event.result;
    lastResult.value = r;
    outFolder.value = r.out;
    progress.value = null;
    status.value = event.cancelled
      ? `Cancelled after ${r.count} images; they and their manifest lines are kept.`
      : `Generated ${r.count} images in ${r.seconds.toFixed(1)} s.`;
    void loadGallery();
  }
  function onJobFailed(event: JobFailed): void {
    job.end(event.jobId);
    progress.value = null;
    error.value = event.message;
    status.value = `Generation failed: ${event.message}`;
  }

  return {
    form,
    fieldErrors,
    progress,
    outFolder,
    lastResult,
    gallery,
    galleryTotal,
    status,
    jobId: job.jobId,
    syncJob: job.sync,
    isRunning,
    isBusy,
    error,
    canStart,
    progressFraction,
    start,
    cancel,
    loadGallery,
    pickOutputFolder,
    onJobStarted,
    onJobLog,
    onProgress,
    onJobDone,
    onJobFailed,
  };
});
