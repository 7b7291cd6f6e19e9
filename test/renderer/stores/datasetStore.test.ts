import { beforeEach, describe, expect, it } from 'vitest';
import { THUMBNAIL_CACHE_LIMIT, useAppStore, useDatasetStore } from '../../../src-renderer/src/stores';
import { createFakeApi, fail, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { datasetSummary, projectSummary } from '../fixtures';

let fake: FakeApi;

function progress(over: Partial<Parameters<ReturnType<typeof useDatasetStore>['onProgress']>[0]> = {}) {
  return {
    jobId: 'imp-1',
    phase: 'decoding' as const,
    scanned: 200,
    total: 200,
    processed: 50,
    imported: 48,
    skipped: 1,
    duplicates: 1,
    imagesPerSec: 300,
    ...over,
  };
}

beforeEach(() => {
  fake = createFakeApi({ datasetCount: 3000 });
  installStores(fake);
  fake.emit('project.changed', projectSummary({ dataset: null }));
});

describe('useDatasetStore: import', () => {
  it('imports a folder with the chosen size, colour and fit, and follows its progress to the end', async () => {
    fake.on('dataset.import', () => ok({ jobId: 'imp-1', kind: 'import' }));
    const dataset = useDatasetStore();
    dataset.options.size = 32;
    dataset.options.channels = 1;
    dataset.options.fit = 'contain';
    expect(await dataset.importFolder('  /data/pets ')).toBe(true);
    expect(fake.inputsOf('dataset.import')).toEqual([
      { folder: '/data/pets', size: 32, channels: 1, fit: 'contain', replaceModel: false },
    ]);
    expect(dataset.isImporting).toBe(true);
    expect(dataset.isBusy).toBe(true);

    fake.emit('dataset.importProgress', progress({ phase: 'scanning', total: 0, processed: 0 }));
    expect(dataset.progressFraction).toBeNull();
    expect(dataset.progressText).toBe('Scanning: 200 files found');

    fake.emit('dataset.importProgress', progress());
    expect(dataset.progressFraction).toBe(0.25);
    expect(dataset.progressText).toBe('Decoding: 50 of 200 (1 skipped, 1 duplicate)');

    fake.emit('job.done', {
      jobId: 'imp-1',
      kind: 'import',
      cancelled: false,
      result: {
        sourceRoot: '/data/pets',
        scanned: 200,
        imported: 197,
        skipped: [{ path: 'a.txt', reason: 'not an image' }],
        duplicates: [{ path: 'b.png', duplicateOf: 'c.png' }],
        seconds: 1.25,
        imagesPerSec: 160,
        archivedPrevious: null,
      },
    });
    expect(dataset.isImporting).toBe(false);
    expect(dataset.status).toBe('Imported 197 of 200 files in 1.3 s.');
    expect(dataset.lastResult?.imported).toBe(197);
  });

  it('summarises the imported dataset per class folder with the skipped files and their reasons', () => {
    const dataset = useDatasetStore();
    fake.emit('project.changed', projectSummary({ dataset: datasetSummary() }));
    expect(dataset.classCounts).toEqual([
      { label: 'cats', count: 70 },
      { label: 'dogs', count: 50 },
    ]);
    expect(dataset.skipped).toEqual([{ path: 'notes.txt', reason: 'not an image' }]);
    expect(dataset.total).toBe(120);
    // The import options follow the current dataset.
    expect(dataset.options).toEqual({ size: 28, channels: 1, fit: 'cover' });
    expect(dataset.folder).toBe('/data/pets');
  });

  it('says a failed import once: in its status while the Dataset tab is open, else as a notice too', () => {
    const dataset = useDatasetStore();
    const app = useAppStore();
    fake.emit('project.changed', projectSummary());
    app.selectTab('train');
    expect(app.activeTab).toBe('train');
    fake.emit('job.started', { jobId: 'imp-2', kind: 'import', title: 'Importing /data/empty' });
    expect(dataset.isImporting).toBe(true);
    fake.emit('job.failed', {
      jobId: 'imp-2',
      kind: 'import',
      code: 'NO_IMAGES',
      message: '/data/empty holds no images',
    });
    expect(dataset.isImporting).toBe(false);
    expect(dataset.error).toBe('/data/empty holds no images');
    expect(dataset.status).toBe('Import failed: /data/empty holds no images');
    expect(dataset.statusFailed).toBe(true);
    // Away from the Dataset tab the failure is a notice; opening the tab, where the status says it, takes it down.
    expect(app.notices.map((n) => [n.title, n.message])).toEqual([
      ['Import failed', '/data/empty holds no images'],
    ]);
    app.selectTab('dataset');
    expect(app.notices).toEqual([]);

    // On the Dataset tab, only the status says it.
    fake.emit('job.started', { jobId: 'imp-4', kind: 'import', title: 'Importing /data/empty' });
    fake.emit('job.failed', {
      jobId: 'imp-4',
      kind: 'import',
      code: 'NO_IMAGES',
      message: 'no images in /e',
    });
    expect(dataset.status).toBe('Import failed: no images in /e');
    expect(app.notices).toEqual([]);

    fake.emit('job.started', { jobId: 'imp-3', kind: 'import', title: 'Importing' });
    fake.emit('job.failed', { jobId: 'imp-3', kind: 'import', code: 'CANCELLED', message: 'cancelled' });
    expect(dataset.status).toBe('Import cancelled; the previous dataset is unchanged.');
    expect(dataset.statusFailed).toBe(false);
    expect(app.notices).toHaveLength(0);
  });

  it('stays idle when the import request itself fails', async () => {
    fake.on('dataset.import', () => fail('NOT_A_FOLDER', '/x is not a folder'));
    const dataset = useDatasetStore();
    expect(await dataset.importFolder('/x')).toBe(false);
    expect(dataset.isImporting).toBe(false);
    expect(useAppStore().notices[0]?.message).toBe('/x is not a folder');
  });

  it('cancels the running import by its job id', async () => {
    fake.on('job.cancel', () => ok({ cancelled: true }));
    const dataset = useDatasetStore();
    fake.emit('job.started', { jobId: 'imp-9', kind: 'import', title: 'Importing' });
    await dataset.cancelImport();
    expect(fake.inputsOf('job.cancel')).toEqual([{ jobId: 'imp-9' }]);
  });

  it('uploads dropped files in ~8 MB requests into one folder named as theirs, then imports it', async () => {
    fake.on('dataset.upload', (input) =>
      ok({ folder: `/p/uploads/${input.name ?? 'upload'}`, written: input.files.length }),
    );
    fake.on('dataset.import', () => ok({ jobId: 'imp-4', kind: 'import' }));
    const dataset = useDatasetStore();
    const mb = 1024 * 1024;
    const files = Array.from({ length: 5 }, (_, i) => ({
      path: `cats/${i}.png`,
      file: new File([new Uint8Array(2 * mb).fill(i)], `${i}.png`),
    }));
    expect(await dataset.uploadFiles({ files, leftOut: ['notes.txt'], name: 'pets' })).toBe(true);

    const uploads = fake.inputsOf('dataset.upload');
    expect(uploads.map((u) => u.files.map((f) => f.path))).toEqual([
      ['cats/0.png', 'cats/1.png', 'cats/2.png'],
      ['cats/3.png', 'cats/4.png'],
    ]);
    expect(new Set(uploads.map((u) => u.batch)).size).toBe(1);
    expect(uploads.map((u) => u.name)).toEqual(['pets', 'pets']);
    expect(atob(uploads[1]!.files[0]!.base64).length).toBe(2 * mb);
    expect(atob(uploads[1]!.files[0]!.base64).charCodeAt(0)).toBe(3);
    expect(fake.inputsOf('dataset.import')[0]?.folder).toBe('/p/uploads/pets');
    expect(dataset.upload).toBeNull();
    // What the upload left out is listed with the import's skipped files, with why.
    expect(dataset.skipped).toContainEqual({
      path: 'notes.txt',
      reason: 'not an image file; left out of the upload',
    });
  });

  it('does not import when an upload request fails', async () => {
    fake.on('dataset.upload', () => fail('TOO_LARGE', 'message too large'));
    const dataset = useDatasetStore();
    const ok = await dataset.uploadFiles({
      files: [{ path: 'a.png', file: new File(['x'], 'a.png') }],
      leftOut: [],
      name: null,
    });
    expect(ok).toBe(false);
    expect(fake.inputsOf('dataset.import')).toHaveLength(0);
    expect(useAppStore().notices[0]).toMatchObject({ title: 'Upload failed', message: 'message too large' });
  });
});

describe('useDatasetStore: items and thumbnails', () => {
  beforeEach(() => {
    fake.emit('project.changed', projectSummary({ dataset: datasetSummary({ count: 3000 }) }));
  });

  it('fetches each thumbnail once, however often it is wanted', async () => {
    const dataset = useDatasetStore();
    await Promise.all([dataset.ensureThumbnails([0, 1, 2]), dataset.ensureThumbnails([1, 2, 3])]);
    await dataset.ensureThumbnails([0, 3]);
    expect(fake.inputsOf('dataset.thumbnails')).toEqual([{ indices: [0, 1, 2] }, { indices: [3] }]);
    expect(dataset.thumbnailOf(3)).toBe('data:image/png;base64,3');
  });

  it('asks for at most 1000 thumbnails per request', async () => {
    const dataset = useDatasetStore();
    await dataset.ensureThumbnails(Array.from({ length: 2500 }, (_, i) => i));
    expect(fake.inputsOf('dataset.thumbnails').map((i) => i.indices.length)).toEqual([1000, 1000, 500]);
  });

  it('keeps at most THUMBNAIL_CACHE_LIMIT thumbnails, dropping the least recently wanted', async () => {
    fake.emit(
      'project.changed',
      projectSummary({ dataset: datasetSummary({ count: THUMBNAIL_CACHE_LIMIT + 500 }) }),
    );
    const dataset = useDatasetStore();
    await dataset.ensureThumbnails([0, 1]);
    await dataset.ensureThumbnails(Array.from({ length: THUMBNAIL_CACHE_LIMIT }, (_, i) => i + 2));
    expect(dataset.thumbnails.size).toBe(THUMBNAIL_CACHE_LIMIT);
    expect(dataset.thumbnailOf(0)).toBeUndefined();
    expect(dataset.thumbnailOf(THUMBNAIL_CACHE_LIMIT + 1)).toBeDefined();
  });

  it('loads the list page and thumbnails of a range; with a class filter, thumbnails of that class only', async () => {
    fake.emit(
      'project.changed',
      projectSummary({
        dataset: datasetSummary({ count: 3000, labels: ['a', 'b'], perLabel: { a: 1500, b: 1500 } }),
      }),
    );
    const dataset = useDatasetStore();
    await dataset.loadRange(0, 4);
    expect(fake.inputsOf('dataset.list')).toEqual([{ offset: 0, limit: 500 }]);
    expect(dataset.itemAt(3)?.path).toBe('b/img-3.png');

    dataset.setLabelFilter('b');
    await dataset.loadRange(0, 3);
    expect(fake.inputsOf('dataset.list').at(-1)).toEqual({ offset: 0, limit: 500, label: 'b' });
    expect(dataset.total).toBe(1500);
    expect([0, 1, 2].map((p) => dataset.indexAt(p))).toEqual([1, 3, 5]);
    expect(fake.inputsOf('dataset.thumbnails').at(-1)).toEqual({ indices: [5] });
  });

  it('forgets cached thumbnails when a new import finishes', async () => {
    const dataset = useDatasetStore();
    await dataset.ensureThumbnails([0]);
    fake.emit('job.done', {
      jobId: 'imp-5',
      kind: 'import',
      cancelled: false,
      result: {
        sourceRoot: '/d',
        scanned: 1,
        imported: 1,
        skipped: [],
        duplicates: [],
        seconds: 1,
        imagesPerSec: 1,
        archivedPrevious: null,
      },
    });
    expect(dataset.thumbnailOf(0)).toBeUndefined();
    await settle();
  });
});
