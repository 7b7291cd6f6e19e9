import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useApi } from '../api/inject';
import type { EventPayload, OutliersView } from '../api/contract';
import { formatCount } from '../lib/format';
import { useAppStore } from './appStore';
import { CANCELLED, createJobLifecycle } from './jobs';
import { keepPerProject } from './perProject';
import { createRequester } from './request';

/**
 * The outlier ranking of the current project: the running job, the newest ranking with its images, and excluding
 * images from training (or including them again), which the project keeps.
 */
export const useOutliersStore = defineStore('outliers', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<
    'outliers',
    EventPayload<'outliers.progress'>
  >('outliers', error, {
    done: (event) => {
      void load();
      const r = event.result;
      return `Ranked ${formatCount(r.scored.count)} images in ${r.seconds.toFixed(1)} s.`;
    },
    failed: (event) =>
      event.code === CANCELLED
        ? 'Cancelled; nothing was written.'
        : `Outlier ranking failed: ${event.message}`,
  });
  const view = ref<OutliersView | null>(null);
  const loaded = ref(false);
  const top = ref(50);
  const starting = ref(false);

  keepPerProject(
    () => app.project?.root,
    () => null,
    () => {
      view.value = null;
      loaded.value = false;
    },
  );

  const isRunning = job.running;
  const canStart = computed(() => app.hasModel && !isRunning.value && !starting.value);
  const progressFraction = computed(() => {
    const p = progress.value;
    return p && p.total > 0 ? Math.min(1, p.done / p.total) : null;
  });
  /** Dataset index → rank of the listed worst images (the dataset grid marks them). */
  const ranks = computed<Record<number, number>>(() => {
    const out: Record<number, number> = {};
    if (view.value?.report.scored.source !== 'dataset') return out;
    for (const item of view.value.report.items) if (item.index !== null) out[item.index] = item.rank;
    return out;
  });

  async function start(): Promise<boolean> {
    if (!canStart.value) return false;
    starting.value = true;
    const result = await request('Could not start the outlier ranking', () =>
      api.outliers.start({ top: Math.max(1, Math.min(1000, Math.round(top.value))) }),
    );
    starting.value = false;
    if (!result.ok) return false;
    progress.value = null;
    job.begin(result.value.jobId);
    return true;
  }

  async function cancel(): Promise<void> {
    await request('Could not cancel the outlier ranking', () => api.outliers.cancel());
  }

  async function load(): Promise<void> {
    const root = app.project?.root;
    const result = await request('Could not read the outlier ranking', () => api.outliers.latest());
    if (!result.ok || root !== app.project?.root) return;
    view.value = result.value;
    loaded.value = true;
  }

  async function ensureLoaded(): Promise<void> {
    if (app.project && !loaded.value) await load();
  }

  /** Excludes the dataset images `files` from training, or includes them again; the ranking shows it at once. */
  async function setExcluded(files: string[], excluded: boolean): Promise<boolean> {
    if (files.length === 0) return false;
    const result = await request(
      excluded ? 'Could not exclude the images' : 'Could not include the images again',
      () => api.exclusions.set({ files, excluded }),
    );
    if (!result.ok) return false;
    const current = view.value;
    if (current) {
      const changed = new Set(files);
      const mark = <T extends { file: string; index: number | null; excluded: boolean }>(item: T): T =>
        item.index !== null && changed.has(item.file) ? { ...item, excluded } : item;
      view.value = {
        ...current,
        report: {
          ...current.report,
          items: current.report.items.map(mark),
          mostLikely: current.report.mostLikely.map(mark),
        },
      };
    }
    return true;
  }

  return {
    view,
    loaded,
    top,
    progress,
    status,
    statusFailed: job.failed,
    jobId: job.jobId,
    syncJob: job.sync,
    isRunning,
    isBusy: computed(() => pending.value > 0 || isRunning.value || starting.value),
    error,
    canStart,
    progressFraction,
    ranks,
    start,
    cancel,
    load,
    ensureLoaded,
    setExcluded,
    ...handlers,
  };
});
