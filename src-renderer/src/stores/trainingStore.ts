import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import { useApi } from '../api/inject';
import {
  BACKEND_SETTING,
  datasetClassNames,
  defaultOf,
  dependsOnData,
  MODEL_SETTINGS,
  TRAIN_SETTINGS,
  TRAINING_SETTINGS,
  trainInputSchema,
  type BackendInfo,
  type BackendPreference,
  type DataShape,
  type EpochMetrics,
  type EventPayload,
  type ImageSize,
  type TrainResult,
  type TrainRun,
} from '../api/contract';
import { resumePlan as planResume } from '../lib/resumePlan';
import { fillForm, formDefaults, type FormOf } from '../lib/settingsForm';
import { validateFields } from '../lib/validation';
import { useAppStore } from './appStore';
import { createRequester } from './request';
import { createJobLifecycle } from './jobs';

/** The Train view's fields: every training setting (number inputs are '' while empty), the size, the backend. */
export type TrainForm = FormOf<typeof TRAIN_SETTINGS> & { imageSize: ImageSize; backend: BackendPreference };
export type TrainField = keyof TrainForm;

/** Preview images of one finished epoch (data URLs). */
export interface TrainPreviews {
  epoch: number;
  samples: string;
  reconstructions: string;
}

/** The images a project's dataset holds; 64×64 RGB before any is imported. */
const NO_DATASET: DataShape = { imageSize: 64, channels: 3 };

/** The form a new run starts from on images of `shape`: each setting's default for them. */
export function defaultTrainForm(shape: DataShape = NO_DATASET): TrainForm {
  return {
    ...formDefaults(TRAIN_SETTINGS, shape),
    imageSize: shape.imageSize as ImageSize,
    backend: BACKEND_SETTING.default,
  };
}

/** Training: the form and its validation, start/cancel/resume, and the live run (progress, history, previews). */
export const useTrainingStore = defineStore('training', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<'train', EventPayload<'training.progress'>>(
    'train',
    error,
    {
      started: (_event, ours) => {
        // A run this window didn't start (another window, the CLI): take its state from the main side.
        if (!ours) void refresh();
      },
      done: (event) => {
        const r = event.result;
        run.value = null;
        lastResult.value = r;
        backend.value = r.backend;
        const epoch = r.final?.epoch ?? history.value.at(-1)?.epoch ?? 0;
        const ended = event.cancelled
          ? `Training cancelled; the checkpoint of epoch ${epoch} is kept.`
          : `Training finished at epoch ${epoch}.`;
        // What the losses say about the next step, then where to see how good the images are.
        return [ended, ...r.guidance, 'Score it in the Quality tab to see how good its images are.'].join(
          ' ',
        );
      },
      failed: (event) => {
        run.value = null;
        return `Training stopped: ${event.message}`;
      },
    },
  );

  const form = reactive<TrainForm>(defaultTrainForm());
  /** Finished epochs of the current model, in order (resumed runs included): the one place the history lives. */
  const history = ref<EpochMetrics[]>([]);
  const previews = ref<TrainPreviews | null>(null);
  const backend = ref<BackendInfo | null>(null);
  const backendLoading = ref(false);
  const lastResult = ref<TrainResult | null>(null);
  /** The running run's settings, epoch it started from and backend, as the main side resolved them. */
  const run = ref<TrainRun | null>(null);
  /** "Start training" waits for a yes while the project has a model, since the run moves that model aside. */
  const confirmingStart = ref(false);

  const validation = computed(() => validateFields(trainInputSchema, { ...form }));
  const fieldErrors = computed(() => validation.value.errors);
  const isValid = computed(() => validation.value.value !== null);
  const isRunning = job.running;
  const isBusy = computed(() => pending.value > 0 || isRunning.value);
  /** A start or resume request is on its way (other requests, like the backend probe, don't block Start). */
  const starting = ref(false);
  const canStart = computed(() => isValid.value && !isRunning.value && !starting.value && app.hasDataset);
  /** What Resume would do now; null without a model or while training runs. */
  const resumePlan = computed(() => {
    const model = app.project?.model;
    if (!model || isRunning.value) return null;
    return planResume(model, { ...form }, fieldErrors.value.epochs === undefined);
  });
  /** Only when the form's Epochs is above what the model has trained: nothing else would be left to train. */
  const canResume = computed(() => !starting.value && resumePlan.value?.target != null);
  const canCancel = computed(() => isRunning.value);

  /** Whole run, 0–1; null before the first progress event. */
  const progressFraction = computed<number | null>(() => {
    const p = progress.value;
    if (!p || p.epochs === 0 || p.stepsPerEpoch === 0) return null;
    return Math.min(1, ((p.epoch - 1) * p.stepsPerEpoch + p.step) / (p.epochs * p.stepsPerEpoch));
  });
  const imagesPerSec = computed(
    () => progress.value?.imagesPerSec ?? history.value.at(-1)?.imagesPerSec ?? null,
  );
  const etaSeconds = computed(() => (isRunning.value ? (progress.value?.etaSeconds ?? null) : null));
  /** The epoch in progress with its running train loss, for the chart; null once that epoch is in the history. */
  const runningPoint = computed(() => {
    const p = progress.value;
    if (!p || !isRunning.value || history.value.some((m) => m.epoch === p.epoch)) return null;
    return { epoch: p.epoch, loss: p.loss };
  });
  /** Epochs the chart's x axis spans: the run's target while training, else what has been trained. */
  const plannedEpochs = computed(() =>
    Math.max(progress.value?.epochs ?? 0, history.value.at(-1)?.epoch ?? 0),
  );

  /**
   * "Start training": starts at once on a project without a model; with one, asks first ({@link confirmingStart}),
   * since the new run moves the current model into the project's archive.
   */
  async function start(): Promise<boolean> {
    if (!validation.value.value || !canStart.value) return false;
    if (app.hasModel) {
      confirmingStart.value = true;
      return false;
    }
    return startRun();
  }

  /** The user agreed: the current model goes to the archive and a new one trains. */
  function confirmStart(): Promise<boolean> {
    confirmingStart.value = false;
    return startRun();
  }

  /** The user declined: nothing starts and the model stays. */
  function cancelStart(): void {
    confirmingStart.value = false;
  }

  async function startRun(): Promise<boolean> {
    const input = validation.value.value;
    if (!input || !canStart.value) return false;
    starting.value = true;
    const result = await request('Could not start training', () => api.training.start(input));
    starting.value = false;
    if (!result.ok) return false;
    history.value = [];
    previews.value = null;
    progress.value = null;
    lastResult.value = null;
    run.value = null;
    status.value = 'Training started.';
    job.begin(result.value.jobId);
    return true;
  }

  /** Continues the latest checkpoint with its own settings, up to the form's Epochs (see {@link canResume}). */
  async function resume(): Promise<boolean> {
    const plan = resumePlan.value;
    if (!canResume.value || !plan?.target) return false;
    const trained = plan.trained;
    starting.value = true;
    const result = await request('Could not resume training', () =>
      api.training.resume({ epochs: plan.target!, backend: form.backend }),
    );
    starting.value = false;
    if (!result.ok) return false;
    progress.value = null;
    run.value = null;
    status.value = `Resuming from epoch ${trained}.`;
    job.begin(result.value.jobId);
    return true;
  }

  async function cancel(): Promise<void> {
    await request('Could not cancel training', () => api.training.cancel());
  }

  /** Re-reads the run from the main side: after opening a project, a reconnect, or a run another window began. */
  async function refresh(): Promise<void> {
    const result = await request('Could not read the training status', () => api.training.status());
    if (!result.ok) return;
    const s = result.value;
    if (s.running) job.begin(s.running.jobId);
    else if (job.running.value && job.jobId.value) job.end(job.jobId.value);
    progress.value = s.running ? s.progress : null;
    history.value = s.history;
    previews.value = s.previews;
    if (s.run) showRun(s.run);
  }

  /** A run's settings fill the form (read-only while it runs), so it shows what trains, never the defaults. */
  function showRun(r: TrainRun): void {
    run.value = r;
    backend.value = r.backend;
    fillForm(form, MODEL_SETTINGS, r.config);
    fillForm(form, TRAINING_SETTINGS, r.options);
    form.imageSize = r.config.imageSize as ImageSize;
  }

  /** Raises the form's Epochs to the suggested total, so Resume has epochs left to train. */
  function raiseEpochs(): void {
    if (resumePlan.value) form.epochs = resumePlan.value.suggested;
  }

  /** Which backend training would use with the chosen preference, and why. */
  async function loadBackend(): Promise<void> {
    backendLoading.value = true;
    const result = await request('Could not check the training backend', () =>
      api.backend.info({ preference: form.backend }),
    );
    backendLoading.value = false;
    // While a run trains, the panel shows the backend it runs on, not what the form would choose.
    if (result.ok && !(isRunning.value && run.value)) backend.value = result.value;
  }

  /** The images of the current project's dataset, and the classes it offers a conditional model. */
  function datasetShape(): DataShape {
    const d = app.project?.dataset;
    if (!d) return NO_DATASET;
    return { imageSize: d.size, channels: d.channels, count: d.count, classes: datasetClassNames(d.labels) };
  }

  function resetForm(): void {
    const { imageSize, backend: preference } = form;
    Object.assign(form, defaultTrainForm(datasetShape()), { imageSize, backend: preference });
  }

  /** Starts from the current model's settings, so "Start training" with a tweak changes only the tweak. */
  function fillFormFromModel(): void {
    const model = app.project?.model;
    if (!model) return;
    fillForm(form, MODEL_SETTINGS, model.config);
    fillForm(form, TRAINING_SETTINGS, model.trainOptions);
  }

  watch(isRunning, (runs) => app.setTrainingRuns(runs), { immediate: true });
  watch(
    () => app.project?.dataset?.size,
    (size) => {
      if (size !== undefined) form.imageSize = size as ImageSize;
    },
    { immediate: true },
  );
  // An import into the open project (no model yet, nothing running): the settings whose default depends on the
  // images (conditional on their classes, the epochs for their number, the likelihood of colour) follow the new
  // images; what the user typed elsewhere stays.
  watch(
    () => {
      const d = app.project?.dataset;
      return d ? `${d.count}|${d.size}|${d.channels}|${d.labels.join('/')}` : '';
    },
    (now, before) => {
      if (!now || now === before || app.project?.model || isRunning.value) return;
      const shape = datasetShape();
      for (const [key, setting] of Object.entries(TRAIN_SETTINGS)) {
        if (dependsOnData(setting)) (form as Record<string, unknown>)[key] = defaultOf(setting, shape);
      }
    },
  );
  watch(
    () => app.project?.root,
    (root) => {
      history.value = [];
      previews.value = null;
      progress.value = null;
      run.value = null;
      confirmingStart.value = false;
      // Another project: its model's settings, or the defaults for its images; never the last project's.
      resetForm();
      fillFormFromModel();
      if (root) void refresh();
    },
    { immediate: true },
  );

  // ── events (routed by events.ts; the job's start, log, end and progress go through its lifecycle) ──────────
  function onRun(event: EventPayload<'training.run'>): void {
    const { jobId: _jobId, ...r } = event;
    showRun(r);
  }

  function onEpoch(event: EventPayload<'training.epoch'>): void {
    const m = event.metrics;
    history.value = [...history.value.filter((h) => h.epoch < m.epoch), m];
    previews.value = { epoch: m.epoch, ...event.previews };
  }

  return {
    form,
    fieldErrors,
    isValid,
    progress,
    history,
    previews,
    backend,
    backendLoading,
    lastResult,
    run,
    confirmingStart,
    resumePlan,
    status,
    statusFailed: job.failed,
    jobId: job.jobId,
    syncJob: job.sync,
    isRunning,
    isBusy,
    error,
    canStart,
    canResume,
    canCancel,
    progressFraction,
    imagesPerSec,
    etaSeconds,
    runningPoint,
    plannedEpochs,
    start,
    confirmStart,
    cancelStart,
    resume,
    raiseEpochs,
    cancel,
    refresh,
    loadBackend,
    resetForm,
    ...handlers,
    onRun,
    onEpoch,
  };
});
