import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import { useApi } from '../api/inject';
import {
  trainInputSchema,
  type BackendInfo,
  type EpochMetrics,
  type EventPayload,
  type TrainProgress,
  type TrainResult,
} from '../api/contract';
import { validateFields, type NumberField } from '../lib/validation';
import { useAppStore } from './appStore';
import type { ImageSize } from './datasetStore';
import { createRequester } from './request';
import { createJobTracker, type JobDone, type JobFailed, type JobStarted } from './jobs';

export type BackendPreference = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export type Likelihood = 'bernoulli' | 'gaussian';

/** The Train view's fields; number inputs are '' while empty. */
export interface TrainForm {
  imageSize: ImageSize;
  latentDim: NumberField;
  beta: NumberField;
  width: NumberField;
  likelihood: Likelihood;
  epochs: NumberField;
  batchSize: NumberField;
  learningRate: NumberField;
  seed: NumberField;
  valFraction: NumberField;
  klWarmupEpochs: NumberField;
  backend: BackendPreference;
}
export type TrainField = keyof TrainForm;

/** Preview images of one finished epoch (data URLs). */
export interface TrainPreviews {
  epoch: number;
  samples: string;
  reconstructions: string;
}

/** The contract's defaults: `{}` trains the default model. */
export const TRAIN_DEFAULTS = trainInputSchema.parse({});

function defaultForm(imageSize: ImageSize = 64): TrainForm {
  const { imageSize: _size, ...rest } = TRAIN_DEFAULTS;
  return { imageSize, ...rest };
}

/** Training: the form and its validation, start/cancel/resume, and the live run (progress, history, previews). */
export const useTrainingStore = defineStore('training', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app.notify);
  const job = createJobTracker();

  const form = reactive<TrainForm>(defaultForm());
  const progress = ref<TrainProgress | null>(null);
  /** Finished epochs of the current model, in order (resumed runs included). */
  const history = ref<EpochMetrics[]>([]);
  const previews = ref<TrainPreviews | null>(null);
  const backend = ref<BackendInfo | null>(null);
  const backendLoading = ref(false);
  const lastResult = ref<TrainResult | null>(null);
  const status = ref('');

  const validation = computed(() => validateFields(trainInputSchema, { ...form }));
  const fieldErrors = computed(() => validation.value.errors);
  const isValid = computed(() => validation.value.value !== null);
  const isRunning = job.running;
  const isBusy = computed(() => pending.value > 0 || isRunning.value);
  /** A start or resume request is on its way (other requests, like the backend probe, don't block Start). */
  const starting = ref(false);
  const canStart = computed(() => isValid.value && !isRunning.value && !starting.value && app.hasDataset);
  const canResume = computed(() => !isRunning.value && !starting.value && app.hasModel);
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

  async function start(): Promise<boolean> {
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
    status.value = 'Training started.';
    job.begin(result.value.jobId);
    return true;
  }

  /** Continues the latest checkpoint; a larger Epochs value than it has trained raises the target. */
  async function resume(): Promise<boolean> {
    const trained = app.project?.model?.epoch ?? 0;
    const input = typeof form.epochs === 'number' && form.epochs > trained ? { epochs: form.epochs } : {};
    starting.value = true;
    const result = await request('Could not resume training', () => api.training.resume(input));
    starting.value = false;
    if (!result.ok) return false;
    progress.value = null;
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
  }

  /** Which backend training would use with the chosen preference, and why. */
  async function loadBackend(): Promise<void> {
    backendLoading.value = true;
    const result = await request('Could not check the training backend', () =>
      api.backend.info({ preference: form.backend }),
    );
    backendLoading.value = false;
    if (result.ok) backend.value = result.value;
  }

  function resetForm(): void {
    Object.assign(form, defaultForm(form.imageSize));
  }

  /** Starts from the current model's settings, so "Start training" with a tweak changes only the tweak. */
  function fillFormFromModel(): void {
    const model = app.project?.model;
    if (!model) return;
    const { config: c, trainOptions: o } = model;
    Object.assign(form, {
      latentDim: c.latentDim,
      beta: c.beta,
      width: c.width,
      likelihood: c.likelihood,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      seed: o.seed,
      valFraction: o.valFraction,
      klWarmupEpochs: o.klWarmupEpochs,
    });
  }

  watch(
    () => app.project?.dataset?.size,
    (size) => {
      if (size !== undefined) form.imageSize = size as ImageSize;
    },
    { immediate: true },
  );
  watch(
    () => app.project?.root,
    (root) => {
      history.value = app.project?.model?.history ?? [];
      previews.value = null;
      progress.value = null;
      fillFormFromModel();
      if (root) void refresh();
    },
    { immediate: true },
  );

  // ── events (routed by events.ts) ─────────────────────────────────────────────────────────────────────────
  function onJobStarted(event: JobStarted): void {
    const ours = job.jobId.value === event.jobId;
    job.begin(event.jobId);
    status.value = event.title;
    // A run this window didn't start (another window, the CLI): take its state from the main side.
    if (!ours) void refresh();
  }
  function onJobLog(message: string): void {
    status.value = message;
  }
  function onProgress(event: EventPayload<'training.progress'>): void {
    if (!job.running.value) job.begin(event.jobId);
    const { jobId: _jobId, ...rest } = event;
    progress.value = rest;
  }
  function onEpoch(event: EventPayload<'training.epoch'>): void {
    const m = event.metrics;
    history.value = [...history.value.filter((h) => h.epoch < m.epoch), m];
    previews.value = { epoch: m.epoch, ...event.previews };
  }
  function onJobDone(event: JobDone<'train'>): void {
    job.end(event.jobId);
    const r = event.result;
    lastResult.value = r;
    backend.value = r.backend;
    progress.value = null;
    const epoch = r.final?.epoch ?? history.value.at(-1)?.epoch ?? 0;
    status.value = event.cancelled
      ? `Training cancelled; the checkpoint of epoch ${epoch} is kept.`
      : `Training finished at epoch ${epoch}.`;
  }
  function onJobFailed(event: JobFailed): void {
    job.end(event.jobId);
    progress.value = null;
    error.value = event.message;
    status.value = `Training stopped: ${event.message}`;
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
    status,
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
    resume,
    cancel,
    refresh,
    loadBackend,
    resetForm,
    onJobStarted,
    onJobLog,
    onProgress,
    onEpoch,
    onJobDone,
    onJobFailed,
  };
});
