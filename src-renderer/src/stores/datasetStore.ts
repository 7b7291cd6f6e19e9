import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import { useApi } from '../api/inject';
import {
  defaultsOf,
  IMAGE_SIZES,
  IMPORT_SETTINGS,
  type EventPayload,
  type ImageSize,
  type ImportResult,
  type ImportSettings,
} from '../api/contract';
import { fileToBase64, newBatchId, planUploadChunks, type UploadSelection } from '../lib/upload';
import { formatCount, plural } from '../lib/format';
import { useAppStore } from './appStore';
import { createDatasetItems } from './datasetItems';
import { createRequester } from './request';
import { CANCELLED, createJobLifecycle } from './jobs';
import { keepPerProject } from './perProject';

export type { ImageSize };
export type Fit = ImportSettings['fit'];
export type ImportProgress = Omit<EventPayload<'dataset.importProgress'>, 'jobId'>;

export interface UploadProgress {
  files: number;
  totalFiles: number;
  bytes: number;
  totalBytes: number;
}

/** The current project's dataset: importing (folder or upload), its summary, and its items (datasetItems.ts). */
export const useDatasetStore = defineStore('dataset', () => {
  const api = useApi();
  const app = useAppStore();
  const { pending, error, request } = createRequester(app);
  const { job, progress, status, handlers } = createJobLifecycle<
    'import',
    EventPayload<'dataset.importProgress'>
  >('import', error, {
    done: (event) => {
      lastResult.value = event.result;
      const r = event.result;
      items.resetItems();
      const archived = r.archivedPrevious
        ? ` The previous images and their model are kept in ${r.archivedPrevious}.`
        : '';
      return event.cancelled
        ? 'Import cancelled.'
        : `Imported ${formatCount(r.imported)} of ${formatCount(r.scanned)} files in ${r.seconds.toFixed(1)} s.${archived}`;
    },
    failed: (event) =>
      event.code === CANCELLED
        ? 'Import cancelled; the previous dataset is unchanged.'
        : `Import failed: ${event.message}`,
  });

  const options = reactive<ImportSettings>(defaultsOf(IMPORT_SETTINGS));
  /** The folder to import, typed or picked (a path on the main side). */
  const folder = ref('');
  const upload = ref<UploadProgress | null>(null);
  const lastResult = ref<ImportResult | null>(null);
  /** An import that would replace a trained model's images, waiting for the user to say yes or no. */
  const pendingReplace = ref<{ folder: string; epochs: number; leftOut: string[] } | null>(null);
  /**
   * Files of the latest upload that were not sent (not images, or hidden): the import never saw them, so only
   * this window can list them beside the import's own skipped files.
   */
  const leftOutOfUpload = ref<string[]>([]);
  let uploadCancelled = false;

  // The folder typed for one project is never imported into another; switching back brings it back.
  keepPerProject(
    () => app.project?.root,
    () => folder.value,
    (saved) => {
      folder.value = saved ?? app.project?.dataset?.sourceRoot ?? '';
      Object.assign(options, defaultsOf(IMPORT_SETTINGS));
      pendingReplace.value = null;
      lastResult.value = null;
      leftOutOfUpload.value = [];
    },
  );

  const summary = computed(() => app.project?.dataset ?? null);
  const isImporting = computed(() => job.running.value || upload.value !== null);
  const isBusy = computed(() => pending.value > 0 || isImporting.value);
  const classCounts = computed(() =>
    Object.entries(summary.value?.perLabel ?? {})
      .map(([label, count]) => ({ label, count }))
      .sort((a, b) => a.label.localeCompare(b.label)),
  );
  /** Files not imported and why: the import's own, then those the upload left out. */
  const skipped = computed(() => [
    ...(summary.value?.skipped ?? lastResult.value?.skipped ?? []),
    ...leftOutOfUpload.value.map((path) => ({ path, reason: 'not an image file; left out of the upload' })),
  ]);
  /** Files left out as byte-for-byte copies, grouped by the imported file they copy (in its path order). */
  const duplicateGroups = computed(() => {
    const byKept = new Map<string, string[]>();
    for (const d of summary.value?.duplicates ?? lastResult.value?.duplicates ?? []) {
      byKept.set(d.duplicateOf, [...(byKept.get(d.duplicateOf) ?? []), d.path]);
    }
    return [...byKept.entries()]
      .map(([kept, copies]) => ({ kept, copies }))
      .sort((a, b) => a.kept.localeCompare(b.kept));
  });

  /** 0–1, or null while the total is unknown (scanning). */
  const progressFraction = computed<number | null>(() => {
    const p = progress.value;
    if (upload.value) return upload.value.totalBytes ? upload.value.bytes / upload.value.totalBytes : null;
    if (!p || p.phase === 'scanning' || p.total === 0) return p?.phase === 'done' ? 1 : null;
    return Math.min(1, p.processed / p.total);
  });
  const progressText = computed(() => {
    const u = upload.value;
    if (u) return `Uploading ${formatCount(u.files)} of ${formatCount(u.totalFiles)} files`;
    const p = progress.value;
    if (!p) return job.running.value ? 'Starting import…' : '';
    if (p.phase === 'scanning') return `Scanning: ${formatCount(p.scanned)} files found`;
    const extras = `${formatCount(p.skipped)} skipped, ${plural(p.duplicates, 'duplicate')}`;
    const verb = p.phase === 'writing' ? 'Writing' : p.phase === 'done' ? 'Done' : 'Decoding';
    return `${verb}: ${formatCount(p.processed)} of ${formatCount(p.total)} (${extras})`;
  });

  // ── import ───────────────────────────────────────────────────────────────────────────────────────────────
  /**
   * Imports a folder into the current project. When the project has a trained model, the main side refuses
   * until the user agrees (`pendingReplace` asks them; {@link confirmReplace} imports, archiving the model and
   * its images in the project).
   */
  async function importFolder(
    path = folder.value,
    replaceModel = false,
    upload: { leftOut: string[] } | null = null,
  ): Promise<boolean> {
    const source = path.trim();
    if (!source || job.running.value) return false;
    folder.value = source;
    progress.value = null;
    lastResult.value = null;
    pendingReplace.value = null;
    leftOutOfUpload.value = upload?.leftOut ?? [];
    const result = await request(
      'Could not start the import',
      () =>
        api.dataset.import({
          folder: source,
          size: options.size,
          channels: options.channels,
          fit: options.fit,
          replaceModel,
        }),
      { quiet: true },
    );
    if (!result.ok) {
      if (result.code === 'REPLACES_MODEL') {
        pendingReplace.value = {
          folder: source,
          epochs: app.project?.model?.epoch ?? 0,
          leftOut: leftOutOfUpload.value,
        };
      } else {
        app.notify('Could not start the import', result);
      }
      return false;
    }
    job.begin(result.value.jobId);
    return true;
  }

  /** The user agreed: import the waiting folder, archiving the model and its images. */
  function confirmReplace(): Promise<boolean> {
    const waiting = pendingReplace.value;
    pendingReplace.value = null;
    return waiting
      ? importFolder(waiting.folder, true, waiting.leftOut.length ? { leftOut: waiting.leftOut } : null)
      : Promise.resolve(false);
  }

  /** The user declined: nothing changes. */
  function cancelReplace(): void {
    pendingReplace.value = null;
  }

  /**
   * Browser mode: sends dropped or picked files in ~8 MB requests into one upload folder named as the user's own
   * folder, then imports that folder; the files left out are listed with the import's skipped ones.
   */
  async function uploadFiles({ files, leftOut, name }: UploadSelection): Promise<boolean> {
    if (files.length === 0) {
      app.notify('Nothing to import', {
        code: 'NO_IMAGES',
        message: 'there were no image files to upload (png, jpg, webp, gif, bmp, tiff or avif)',
      });
      return false;
    }
    const batch = newBatchId();
    const totalBytes = files.reduce((sum, f) => sum + f.file.size, 0);
    upload.value = { files: 0, totalFiles: files.length, bytes: 0, totalBytes };
    uploadCancelled = false;
    let target: string | null = null;
    try {
      for (const chunk of planUploadChunks(files)) {
        if (uploadCancelled) return false;
        const encoded = await Promise.all(
          chunk.map(async (f) => ({ path: f.path, base64: await fileToBase64(f.file) })),
        );
        const result = await request('Upload failed', () =>
          api.dataset.upload({ batch, files: encoded, ...(name ? { name } : {}) }),
        );
        if (!result.ok) return false;
        target = result.value.folder;
        const u: UploadProgress | null = upload.value;
        if (u) {
          const bytes = chunk.reduce((sum, f) => sum + f.file.size, 0);
          upload.value = { ...u, files: u.files + chunk.length, bytes: u.bytes + bytes };
        }
      }
    } finally {
      upload.value = null;
    }
    return target !== null && !uploadCancelled && (await importFolder(target, false, { leftOut }));
  }

  async function cancelImport(): Promise<void> {
    uploadCancelled = true;
    const id = job.jobId.value;
    if (job.running.value && id)
      await request('Could not cancel the import', () => api.job.cancel({ jobId: id }));
  }

  const items = createDatasetItems({ api, request, summary });

  // A different project or a new import: the cached pages and pixels no longer apply.
  watch(
    () => {
      const d = summary.value;
      return `${app.project?.root ?? ''}|${d ? `${d.sourceRoot}|${d.count}|${d.size}|${d.channels}|${d.fit}` : ''}`;
    },
    () => {
      items.reset();
    },
    // At once, so no answer for the old dataset can land in between.
    { flush: 'sync' },
  );
  // Images excluded from training or included again: the pages (which say so) are read again, not the pixels.
  watch(
    () => summary.value?.excluded ?? 0,
    () => items.resetItems(false),
  );
  watch(
    summary,
    (d) => {
      if (!d) return;
      if ((IMAGE_SIZES as readonly number[]).includes(d.size)) options.size = d.size as ImageSize;
      options.channels = d.channels;
      options.fit = d.fit;
      if (!folder.value) folder.value = d.sourceRoot;
    },
    { immediate: true, flush: 'sync' },
  );

  return {
    options,
    folder,
    progress,
    upload,
    lastResult,
    status,
    statusFailed: job.failed,
    summary,
    classCounts,
    skipped,
    duplicateGroups,
    jobId: job.jobId,
    syncJob: job.sync,
    isImporting,
    isBusy,
    error,
    progressFraction,
    progressText,
    importFolder,
    uploadFiles,
    cancelImport,
    pendingReplace,
    confirmReplace,
    cancelReplace,
    ...items,
    ...handlers,
  };
});
