import { defineStore } from 'pinia';
import { computed, reactive, ref } from 'vue';
import { useApi } from '../api/inject';
import {
  QUALITY_SETTINGS,
  qualityInputSchema,
  type DataShape,
  type EventPayload,
  type QualityHistoryEntry,
  type QualityReport,
  type QualityReportView,
} from '../api/contract';
import { formDefaults, type FormOf } from '../lib/settingsForm';
import { validateFields } from '../lib/validation';
import { useAppStore } from './appStore';
import { CANCELLED, createJobLifecycle } from './jobs';
import { keepPerProject } from './perProject';
import { createRequester } from './request';

export type QualityForm = FormOf<typeof QUALITY_SETTINGS>;
/** The images the defaults assume before a model exists (the Quality tab is closed then). */
const NO_MODEL: DataShape = { imageSize: 64, channels: 3 };
export type QualityProgress = Omit<EventPayload<'quality.progress'>, 'jobId'>;
/** The images shown with a report: its folder, the grid of scored images, each near-copy beside its neighbours. */
export type QualityImages = Omit<QualityReportView, 'report'>;

/**
 * The quality report of the current model: the form, the running job, the report shown (the newest, or one picked
 * from the trend) with its images, and the figures of every stored report for the trend across models.
 */
export const useQualityStore = defineStore('quality', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<'quality', EventPayload<'quality.progress'>>(
    'quality',
    error,
    {
      done: (event) => {
        const r = event.result;
        report.value = r;
        images.value = null;
        void openReport(r.report);
        void loadHistory();
        return `Scored ${r.scored.count} images in ${r.seconds.toFixed(1)} s.`;
      },
      failed: (event) =>
        event.code === CANCELLED
          ? 'Cancelled; no report was written.'
          : `Quality report failed: ${event.message}`,
    },
  );

  /** The defaults for the current model's images (the likelihood's image count depends on their size). */
  const defaults = (): QualityForm => {
    const config = app.project?.model?.config;
    return formDefaults(
      QUALITY_SETTINGS,
      config ? { imageSize: config.imageSize, channels: config.channels } : NO_MODEL,
    );
  };
  const form = reactive<QualityForm>(defaults());
  /** The report shown: the one just finished, or a stored one. */
  const report = ref<QualityReport | null>(null);
  /** Its images, once `quality.report` has answered for it. */
  const images = ref<QualityImages | null>(null);
  /** Every stored report of the project, oldest first. */
  const history = ref<QualityHistoryEntry[]>([]);
  const historyLoaded = ref(false);
  const starting = ref(false);

  // The settings typed for one project stay with it; its reports are read again when it comes back.
  keepPerProject(
    () => app.project?.root,
    () => ({ ...form }),
    (saved) => {
      Object.assign(form, saved ?? defaults());
      report.value = null;
      images.value = null;
      history.value = [];
      historyLoaded.value = false;
    },
  );

  const validation = computed(() => validateFields(qualityInputSchema, { ...form }));
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
  /** What the job is doing, in words: its latest progress phase, else its latest log line. */
  const phase = computed(() => progress.value?.phase ?? status.value);

  async function start(): Promise<boolean> {
    const input = validation.value.value;
    if (!input || !canStart.value) return false;
    starting.value = true;
    const result = await request('Could not start the quality report', () => api.quality.start(input));
    starting.value = false;
    if (!result.ok) return false;
    progress.value = null;
    job.begin(result.value.jobId);
    return true;
  }

  async function cancel(): Promise<void> {
    await request('Could not cancel the quality report', () => api.quality.cancel());
  }

  /** Reads the figures of every stored report (the trend). */
  async function loadHistory(): Promise<void> {
    const root = app.project?.root;
    const result = await request('Could not read the stored quality reports', () => api.quality.reports());
    if (!result.ok || root !== app.project?.root) return;
    history.value = result.value;
    historyLoaded.value = true;
  }

  /** Shows a stored report (a report.json of the project) with its images. */
  async function openReport(path: string): Promise<boolean> {
    const root = app.project?.root;
    const result = await request('Could not open the quality report', () =>
      api.quality.report({ report: path }),
    );
    if (!result.ok || root !== app.project?.root) return false;
    const { report: opened, ...rest } = result.value;
    report.value = opened;
    images.value = rest;
    return true;
  }

  /** When the view opens: the stored reports, and the newest of them unless a report is shown already. */
  async function ensureLoaded(): Promise<void> {
    if (!app.project) return;
    if (!historyLoaded.value) await loadHistory();
    const newest = history.value.at(-1);
    if (!report.value && newest) await openReport(newest.report);
  }

  return {
    form,
    fieldErrors,
    progress,
    phase,
    status,
    report,
    images,
    history,
    historyLoaded,
    jobId: job.jobId,
    syncJob: job.sync,
    isRunning,
    isBusy,
    error,
    canStart,
    progressFraction,
    start,
    cancel,
    loadHistory,
    openReport,
    ensureLoaded,
    ...handlers,
  };
});
