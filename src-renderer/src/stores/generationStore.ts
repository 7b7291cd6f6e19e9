import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { useApi } from '../api/inject';
import {
  GENERATE_SETTINGS,
  generateInputSchema,
  type EventPayload,
  type GalleryImage,
  type GenerateResult,
} from '../api/contract';
import { formDefaults, type FormOf } from '../lib/settingsForm';
import { validateFields } from '../lib/validation';
import { useAppStore } from './appStore';
import { createRequester } from './request';
import { createJobLifecycle } from './jobs';
import { useTrainingStore } from './trainingStore';
import { keepPerProject } from './perProject';

const { count, temperature, sampler, seed, format, rejectCopies } = GENERATE_SETTINGS;
/** The settings the Generate view shows (the first index and the batch size are the CLI's). */
export const GENERATE_FORM_SETTINGS = { count, temperature, sampler, seed, format, rejectCopies };

export type GenerateForm = FormOf<typeof GENERATE_FORM_SETTINGS> & {
  /** Empty = the project's default `generated/run-<time>` folder. */
  out: string;
};

/** "Left out 3 near-copies of training images", as the status line says it. */
function leftOutText(rejected: number): string {
  return `Left out ${rejected} near-cop${rejected === 1 ? 'y' : 'ies'} of training images`;
}

export type GenerateProgress = Omit<EventPayload<'generation.progress'>, 'jobId'>;
/** Gallery thumbnails fetched per page. */
export const GALLERY_PAGE_SIZE = 60;

/** Batch generation: the form, the running job, and a gallery of the output folder. */
export const useGenerationStore = defineStore('generation', () => {
  const api = useApi();
  const app = useAppStore();
  const training = useTrainingStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<
    'generate',
    EventPayload<'generation.progress'>
  >('generate', error, {
    done: (event) => {
      const r = event.result;
      lastResult.value = r;
      outFolder.value = r.out;
      void loadGallery();
      const resumed = r.alreadyThere > 0 ? ` (${r.alreadyThere} were already there from an earlier run)` : '';
      // A run with the option says how many it left out, none included.
      const leftOut = r.rejected > 0 || leavesOutCopies.value ? ` ${leftOutText(r.rejected)}.` : '';
      return event.cancelled
        ? `Cancelled after ${r.count} images; they and their manifest lines are kept.${leftOut}`
        : `Generated ${r.count} images in ${r.seconds.toFixed(1)} s${resumed}.${leftOut}`;
    },
  });

  const form = reactive<GenerateForm>({ ...formDefaults(GENERATE_FORM_SETTINGS), out: '' });
  /** The folder the latest run writes to (known as soon as it starts). */
  const outFolder = ref<string | null>(null);
  const lastResult = ref<GenerateResult | null>(null);
  const gallery = ref<GalleryImage[]>([]);
  const galleryTotal = ref(0);
  const starting = ref(false);
  /** The latest run started here leaves out near-copies. */
  const leavesOutCopies = ref(false);
  /** The epoch of the model the latest run samples, when it started while a training ran (null otherwise). */
  const startedDuringTraining = ref<number | null>(null);

  // The settings and the output folder typed for one project stay with it; another starts from the defaults.
  keepPerProject(
    () => app.project?.root,
    () => ({ form: { ...form }, outFolder: outFolder.value }),
    (saved) => {
      Object.assign(form, saved?.form ?? { ...formDefaults(GENERATE_FORM_SETTINGS), out: '' });
      outFolder.value = saved?.outFolder ?? null;
      lastResult.value = null;
      gallery.value = [];
      galleryTotal.value = 0;
      if (outFolder.value) void loadGallery();
    },
  );

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
  /**
   * What the progress bar says before the first images: a run started while a training runs samples the model
   * as last saved (it does not wait for the training) and shares the processor with it, so it says so.
   */
  const startingText = computed(() =>
    startedDuringTraining.value === null
      ? 'Starting…'
      : `Starting… Training is running, so this samples the model saved after epoch ${startedDuringTraining.value}; ` +
        'both share the processor, so the first images may take a while.',
  );

  async function start(): Promise<boolean> {
    const input = validation.value.value;
    if (!input || !canStart.value) return false;
    starting.value = true;
    const result = await request('Could not start generating', () => api.generation.start(input));
    starting.value = false;
    if (!result.ok) return false;
    outFolder.value = result.value.out;
    leavesOutCopies.value = input.rejectCopies;
    startedDuringTraining.value = training.isRunning ? (app.project?.model?.epoch ?? null) : null;
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
    startingText,
    start,
    cancel,
    loadGallery,
    pickOutputFolder,
    ...handlers,
  };
});
