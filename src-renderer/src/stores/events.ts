import type { JobKind, Unsubscribe, VaeApi } from '../api/contract';
import { JOB_TAB, useAppStore } from './appStore';
import { useDatasetStore } from './datasetStore';
import { useGenerationStore } from './generationStore';
import { useInterpolationStore } from './interpolationStore';
import { useMapStore } from './mapStore';
import { useQualityStore } from './qualityStore';
import { useOutliersStore } from './outliersStore';
import { CANCELLED, JOB_TITLES } from './jobs';
import { useTrainingStore } from './trainingStore';

/**
 * Subscribes once to every event the main side sends and hands each to the store that owns it, payload as it
 * came: job events by their kind (a log line by its job's id), progress events by their name, project changes
 * and new checkpoints to the app store. A failed job is said once: in its own tab's status line, and as a notice
 * only while that tab is not open (a cancel is not a failure to report); its next success takes the notice down.
 * Call once per app, after Pinia is installed.
 */
export function routeEvents(api: VaeApi): Unsubscribe {
  const app = useAppStore();
  const byKind = {
    import: useDatasetStore(),
    train: useTrainingStore(),
    generate: useGenerationStore(),
    interpolate: useInterpolationStore(),
    quality: useQualityStore(),
    outliers: useOutliersStore(),
    map: useMapStore(),
  };

  const subscriptions: Unsubscribe[] = [
    api.job.onStarted((event) => byKind[event.kind].onJobStarted(event)),
    api.job.onLog((event) => {
      const owner = Object.values(byKind).find((store) => store.jobId === event.jobId);
      owner?.onJobLog(event.message);
    }),
    api.job.onDone((event) => {
      app.clearNotices(event.kind);
      switch (event.kind) {
        case 'import':
          return byKind.import.onJobDone(event);
        case 'train':
          return byKind.train.onJobDone(event);
        case 'generate':
          return byKind.generate.onJobDone(event);
        case 'interpolate':
          return byKind.interpolate.onJobDone(event);
        case 'quality':
          return byKind.quality.onJobDone(event);
        case 'outliers':
          return byKind.outliers.onJobDone(event);
        case 'map':
          return byKind.map.onJobDone(event);
      }
    }),
    api.job.onFailed((event) => {
      byKind[event.kind].onJobFailed(event);
      const inView = !app.choosingProject && app.project !== null && app.activeTab === JOB_TAB[event.kind];
      if (event.code !== CANCELLED && !inView) {
        app.notify(`${JOB_TITLES[event.kind]} failed`, event, event.kind);
      }
    }),
    api.dataset.onImportProgress((event) => byKind.import.onProgress(event)),
    api.training.onRun((event) => byKind.train.onRun(event)),
    api.training.onProgress((event) => byKind.train.onProgress(event)),
    api.training.onEpoch((event) => byKind.train.onEpoch(event)),
    api.generation.onProgress((event) => byKind.generate.onProgress(event)),
    api.interpolation.onProgress((event) => byKind.interpolate.onProgress(event)),
    api.quality.onProgress((event) => byKind.quality.onProgress(event)),
    api.outliers.onProgress((event) => byKind.outliers.onProgress(event)),
    api.map.onProgress((event) => byKind.map.onProgress(event)),
    api.training.onCheckpoint((event) => app.onCheckpoint(event)),
    api.project.onChanged((summary) => app.onProjectChanged(summary)),
  ];
  return () => subscriptions.forEach((unsubscribe) => unsubscribe());
}

/**
 * When the app opens (or the page reloads): the project, and every job the main side is running, each in its
 * store; a running training opens the Train tab, where its run is shown as it is (the training store reads its
 * status when the project arrives).
 */
export async function openSession(api: VaeApi): Promise<void> {
  const app = useAppStore();
  await app.init();
  const running = await syncRunningJobs(api);
  if (running.includes('train')) app.selectTab('train');
}

/** After a reconnect: everything that may have changed while the events could not arrive. */
export async function refreshAfterReconnect(api: VaeApi): Promise<void> {
  const app = useAppStore();
  await app.init();
  await syncRunningJobs(api);
  if (app.project) await useTrainingStore().refresh();
}

/** Aligns every store with the jobs running on the main side; returns their kinds. */
async function syncRunningJobs(api: VaeApi): Promise<JobKind[]> {
  const jobs = await api.job.list();
  if (!jobs.ok) return [];
  const running = (kind: JobKind) => jobs.value.find((j) => j.kind === kind)?.jobId ?? null;
  useDatasetStore().syncJob(running('import'));
  useTrainingStore().syncJob(running('train'));
  useGenerationStore().syncJob(running('generate'));
  useInterpolationStore().syncJob(running('interpolate'));
  useQualityStore().syncJob(running('quality'));
  useOutliersStore().syncJob(running('outliers'));
  useMapStore().syncJob(running('map'));
  return jobs.value.map((j) => j.kind);
}
