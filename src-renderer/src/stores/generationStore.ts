import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { useApi } from '../api/inject';
import {
  GENERATE_SETTINGS,
  generateInputSchema,
  type EventPayload,
  type GenerateResult,
} from '../api/contract';
import { formDefaults, type FormOf } from '../lib/settingsForm';
import { validateFields } from '../lib/validation';
import { useAppStore } from './appStore';
import { createClassChoice, type ClassChoiceState } from './classChoice';
import { createGenerationGallery } from './generationGallery';
import { useGenerationRunsStore } from './generationRunsStore';
import { createRequester } from './request';
import { createJobLifecycle } from './jobs';
import { useTrainingStore } from './trainingStore';
import { keepPerProject } from './perProject';

export { GALLERY_PAGE_SIZE, CLASS_PAGE_SIZE, type GalleryGroup } from './generationGallery';

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

/** The seed after `used`: its neighbour draws other images entirely (each image's latent hashes its seed). */
export function nextSeed(used: number): number {
  return used >= GENERATE_SETTINGS.seed.max ? 0 : used + 1;
}

export type GenerateProgress = Omit<EventPayload<'generation.progress'>, 'jobId'>;

/**
 * Batch generation: the form (with a conditional model's classes and counts), the running job, the gallery of
 * the output folder by class, and the seed moved on after each run, so pressing Generate again draws new images.
 */
export const useGenerationStore = defineStore('generation', () => {
  const api = useApi();
  const app = useAppStore();
  const training = useTrainingStore();
  const runs = useGenerationRunsStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<
    'generate',
    EventPayload<'generation.progress'>
  >('generate', error, {
    done: (event) => {
      const r = event.result;
      lastResult.value = r;
      outFolder.value = r.out;
      void gallery.load(r.out);
      void runs.changed();
      moveSeed(event.jobId);
      const resumed = r.alreadyThere > 0 ? ` (${r.alreadyThere} were already there from an earlier run)` : '';
      // A run with the option says how many it left out, none included.
      const leftOut = r.rejected > 0 || leavesOutCopies.value ? ` ${leftOutText(r.rejected)}.` : '';
      const classes = r.classes?.length ? ` in ${r.classes.length} class folders` : '';
      return event.cancelled
        ? `Cancelled after ${r.count} images; they and their manifest lines are kept.${leftOut}`
        : `Generated ${r.count} images${classes} in ${r.seconds.toFixed(1)} s${resumed}.${leftOut}`;
    },
  });

  const form = reactive<GenerateForm>({ ...formDefaults(GENERATE_FORM_SETTINGS), out: '' });
  const modelClasses = computed(() => app.project?.model?.classes ?? []);
  const classChoice = createClassChoice(modelClasses, () => form.count);
  /** The folder the latest run writes to (known as soon as it starts), or the past run shown. */
  const outFolder = ref<string | null>(null);
  const lastResult = ref<GenerateResult | null>(null);
  const gallery = createGenerationGallery({ api, request });
  const starting = ref(false);
  /** The latest run started here leaves out near-copies. */
  const leavesOutCopies = ref(false);
  /** The epoch of the model the latest run samples, when it started while a training ran (null otherwise). */
  const startedDuringTraining = ref<number | null>(null);
  /** The run started here and the seed it drew with, to move the seed on when it ends. */
  const started = ref<{ jobId: string; seed: number } | null>(null);
  /** "Seed moved to 8 so the next run draws new images." after a run; cleared when the next one starts. */
  const seedNote = ref('');
  const isRunning = job.running;

  // The settings and the output folder typed for one project stay with it; another starts from the defaults.
  keepPerProject(
    () => app.project?.root,
    () => ({ form: { ...form }, outFolder: outFolder.value, classes: classChoice.snapshot() }),
    (saved: { form: GenerateForm; outFolder: string | null; classes: ClassChoiceState } | null) => {
      Object.assign(form, saved?.form ?? { ...formDefaults(GENERATE_FORM_SETTINGS), out: '' });
      classChoice.restore(saved?.classes);
      outFolder.value = saved?.outFolder ?? null;
      lastResult.value = null;
      seedNote.value = '';
      gallery.clear();
      if (outFolder.value) void gallery.load(outFolder.value);
    },
  );

  /**
   * The form's seed is one a past run of the project drew with (after a reload, say): the same settings would
   * write the same images again. Says which run, and the first seed none has used.
   */
  const seedRepeat = computed<{ seed: number; run: string; unused: number } | null>(() => {
    const chosen = form.seed;
    if (typeof chosen !== 'number' || isRunning.value) return null;
    const used = runs.runs.find((run) => run.seeds.includes(chosen));
    if (!used) return null;
    const seeds = new Set(runs.runs.flatMap((run) => run.seeds));
    let unused = nextSeed(chosen);
    while (seeds.has(unused) && unused !== chosen) unused = nextSeed(unused);
    return { seed: chosen, run: used.name, unused };
  });

  function useSeed(next: number): void {
    form.seed = next;
    seedNote.value = '';
  }

  const validation = computed(() => {
    const { out, count: formCount, ...rest } = form;
    const folder = out.trim() ? { out: out.trim() } : {};
    if (!classChoice.conditional.value) {
      return validateFields(generateInputSchema, { ...rest, count: formCount, ...folder });
    }
    const classes = classChoice.request.value;
    // A conditional model's count is the class choice's: the form's count only in "split N" mode.
    const counted = classChoice.mode.value === 'split' ? { count: formCount } : {};
    const checked = validateFields(generateInputSchema, { ...rest, ...counted, ...folder });
    const errors = { ...checked.errors, ...classes.errors };
    const ok = checked.value !== null && classes.input !== null && Object.keys(errors).length === 0;
    return { errors, value: ok ? { ...checked.value!, ...classes.input! } : null };
  });
  const fieldErrors = computed<Partial<Record<string, string>>>(() => validation.value.errors);
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
    leavesOutCopies.value = input.rejectCopies ?? false;
    startedDuringTraining.value = training.isRunning ? (app.project?.model?.epoch ?? null) : null;
    started.value = { jobId: result.value.jobId, seed: input.seed ?? 0 };
    seedNote.value = '';
    progress.value = null;
    lastResult.value = null;
    gallery.clear();
    job.begin(result.value.jobId);
    return true;
  }

  /** After a run started here: the next seed, unless the user has typed another one meanwhile. */
  function moveSeed(jobId: string): void {
    const run = started.value;
    if (!run || run.jobId !== jobId) return;
    started.value = null;
    if (form.seed !== run.seed) return;
    form.seed = nextSeed(run.seed);
    seedNote.value = `Seed moved to ${form.seed} so the next run draws new images.`;
  }

  async function cancel(): Promise<void> {
    await request('Could not cancel generation', () => api.generation.cancel());
  }

  /** Shows a past run's folder in the gallery. */
  async function showRun(out: string): Promise<void> {
    outFolder.value = out;
    lastResult.value = null;
    await gallery.load(out);
  }

  async function pickOutputFolder(): Promise<void> {
    const folder = await app.pickFolder('Folder for generated images');
    if (folder) form.out = folder;
  }

  return {
    form,
    modelClasses,
    classChoice,
    fieldErrors,
    progress,
    outFolder,
    lastResult,
    gallery,
    seedNote,
    seedRepeat,
    useSeed,
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
    showRun,
    pickOutputFolder,
    ...handlers,
  };
});
