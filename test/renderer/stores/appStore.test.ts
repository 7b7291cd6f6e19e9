import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useAppStore } from '../../../src-renderer/src/stores';
import { INFO_NOTICE_MS } from '../../../src-renderer/src/stores/appStore';
import { createFakeApi, deferred, fail, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { datasetSummary, modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;

beforeEach(() => {
  fake = createFakeApi();
  installStores(fake);
});

describe('useAppStore', () => {
  it('loads host info, the current project and recent projects on init', async () => {
    const current = projectSummary();
    fake.on('project.current', () => ok(current));
    fake.on('project.recent', () =>
      ok([
        {
          path: current.root,
          name: 'pets',
          openedAt: '2025-01-02T00:00:00Z',
          exists: true,
          images: 120,
          epochs: null,
          thumbnail: null,
        },
      ]),
    );
    const app = useAppStore();
    await app.init();
    expect(app.initialized).toBe(true);
    expect(app.info?.host).toBe('browser');
    expect(app.nativeDialogs).toBe(false);
    expect(app.project?.root).toBe(current.root);
    expect(app.recent).toHaveLength(1);
    expect(fake.calls.map((c) => c.name).sort()).toEqual(
      ['app.info', 'project.current', 'project.recent', 'training.status'].sort(),
    );
  });

  it('creates a project, makes it current and refreshes the recent list', async () => {
    fake.on('project.create', (input) => ok(projectSummary({ root: input.path, dataset: null })));
    const app = useAppStore();
    expect(await app.createProject('/tmp/new', '  My set ')).toBe(true);
    expect(fake.inputsOf('project.create')).toEqual([
      { path: '/tmp/new', name: 'My set', openExisting: false },
    ]);
    expect(app.project?.root).toBe('/tmp/new');
    expect(fake.inputsOf('project.recent')).toHaveLength(1);
  });

  it('says a folder already holds a project instead of opening it, and opens it when asked', async () => {
    const message =
      '/tmp/cats already holds the project “Cats”; open it, or choose another folder for a new one';
    fake.on('project.create', () => fail('PROJECT_EXISTS', message));
    fake.on('project.open', (input) => ok({ ...projectSummary({ root: input.path }), name: 'Cats' }));
    const app = useAppStore();
    expect(await app.createProject('/tmp/cats', 'Kittens')).toBe(false);
    expect(app.project).toBeNull();
    // A question in the form, not an error notice.
    expect(app.existingProject).toEqual({ path: '/tmp/cats', message });
    expect(app.notices).toEqual([]);
    expect(await app.openExisting()).toBe(true);
    expect(fake.inputsOf('project.open')).toEqual([{ path: '/tmp/cats' }]);
    expect(app.project?.name).toBe('Cats');
    expect(app.existingProject).toBeNull();
  });

  it('takes a project off the recent list, leaving the rest', async () => {
    const entry = (name: string) => ({
      path: `/p/${name}`,
      name,
      openedAt: '2025-01-02T00:00:00Z',
      exists: true,
      images: 10,
      epochs: 2,
      thumbnail: 'data:image/png;base64,AA',
    });
    fake.on('project.forget', () => ok([entry('kept')]));
    const app = useAppStore();
    app.recent = [entry('gone'), entry('kept')];
    await app.forgetProject('/p/gone');
    expect(fake.inputsOf('project.forget')).toEqual([{ path: '/p/gone' }]);
    expect(app.recent.map((r) => r.name)).toEqual(['kept']);
  });

  it('shows a failed request as a notice with its cause, and clears isBusy', async () => {
    const answer = deferred<ReturnType<typeof fail>>();
    fake.on('project.open', () => answer.promise);
    const app = useAppStore();
    const opening = app.openProject('/nope');
    expect(app.isBusy).toBe(true);
    answer.resolve(fail('NO_PROJECT', '/nope has no project.json'));
    expect(await opening).toBe(false);
    expect(app.isBusy).toBe(false);
    expect(app.error).toBe('/nope has no project.json');
    expect(app.notices.map(({ id: _id, ...notice }) => notice)).toEqual([
      {
        title: 'Could not open the project',
        code: 'NO_PROJECT',
        message: '/nope has no project.json',
        tone: 'error',
        action: 'Could not open the project',
      },
    ]);
    // The same request succeeding takes the stale failure down.
    fake.on('project.open', () => ok(projectSummary({ root: '/yes' })));
    expect(await app.openProject('/yes')).toBe(true);
    expect(app.notices).toEqual([]);
  });

  it('lets information go by itself after a few seconds, while a failure stays until closed', () => {
    vi.useFakeTimers();
    try {
      const app = useAppStore();
      app.notify('Could not save', { code: 'IO_ERROR', message: 'the disk failed' });
      app.inform('Removed from the list', 'its folder is still on disk');
      expect(app.notices.map((n) => n.tone)).toEqual(['error', 'info']);
      vi.advanceTimersByTime(INFO_NOTICE_MS + 1);
      expect(app.notices.map((n) => n.title)).toEqual(['Could not save']);
    } finally {
      vi.useRealTimers();
    }
  });

  it("takes a job's failure notice down when that kind of job next succeeds", () => {
    const app = useAppStore();
    fake.emit('job.failed', {
      jobId: 'g1',
      kind: 'generate',
      code: 'DISK_FULL',
      message: 'the disk is full',
    });
    expect(app.notices.map((n) => n.title)).toEqual(['Generation failed']);
    fake.emit('job.done', {
      jobId: 'g2',
      kind: 'generate',
      cancelled: false,
      result: {
        out: '/o',
        files: [],
        manifest: { jsonl: '/o/manifest.jsonl', csv: '/o/manifest.csv' },
        count: 0,
        alreadyThere: 0,
        rejected: 0,
        cancelled: false,
        seconds: 1,
        imagesPerSec: 0,
      },
    });
    expect(app.notices).toEqual([]);
  });

  it('dismisses notices, merges a repeated one and keeps at most five', () => {
    const app = useAppStore();
    app.notify('A', { code: 'INTERNAL', message: 'one' });
    app.notify('A', { code: 'INTERNAL', message: 'one' });
    expect(app.notices).toHaveLength(1);
    for (let i = 0; i < 7; i++) app.notify('B', { code: 'INTERNAL', message: `m${i}` });
    expect(app.notices.map((n) => n.message)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6']);
    app.dismissNotice(app.notices[0]!.id);
    expect(app.notices.map((n) => n.message)).toEqual(['m3', 'm4', 'm5', 'm6']);
  });

  it('turns a failed job into a notice with its message, but not a cancelled import', () => {
    const app = useAppStore();
    fake.emit('job.failed', {
      jobId: 'j1',
      kind: 'train',
      code: 'DIVERGED',
      message: 'loss became NaN at epoch 3',
    });
    fake.emit('job.failed', { jobId: 'j2', kind: 'import', code: 'CANCELLED', message: 'cancelled' });
    expect(app.notices.map((n) => [n.title, n.code, n.message])).toEqual([
      ['Training failed', 'DIVERGED', 'loss became NaN at epoch 3'],
    ]);
  });

  it('opens tabs only when their step is possible, and says why otherwise', () => {
    const app = useAppStore();
    fake.emit('project.changed', projectSummary({ dataset: null }));
    const reasons = () => Object.fromEntries(app.tabs.map((t) => [t.id, t.disabledReason]));
    expect(reasons()).toEqual({
      dataset: undefined,
      train: 'Import a dataset first (Dataset tab).',
      generate: 'Import a dataset first (Dataset tab).',
      quality: 'Import a dataset first (Dataset tab).',
      interpolate: 'Import a dataset first (Dataset tab).',
      outliers: 'Import a dataset first (Dataset tab).',
      explore: 'Import a dataset first (Dataset tab).',
      map: 'Import a dataset first (Dataset tab).',
    });
    app.selectTab('train');
    expect(app.activeTab).toBe('dataset');

    fake.emit('project.changed', projectSummary({ dataset: datasetSummary() }));
    expect(reasons().train).toBeUndefined();
    expect(reasons().generate).toBe('Train a model first (Train tab).');
    expect(reasons().quality).toBe('Train a model first (Train tab).');
    expect(reasons().map).toBe('Train a model first (Train tab).');
    app.selectTab('quality');
    expect(app.activeTab).toBe('dataset');
    app.selectTab('train');
    expect(app.activeTab).toBe('train');

    // While a training runs, a model is on its way.
    app.setTrainingRuns(true);
    expect(reasons().generate).toBe('The model appears when the running training has saved its first epoch.');
    app.setTrainingRuns(false);

    fake.emit('project.changed', projectSummary({ model: modelSummary(2) }));
    expect(reasons().generate).toBeUndefined();
    expect(reasons().quality).toBeUndefined();
    expect(reasons().outliers).toBeUndefined();
    expect(reasons().explore).toBeUndefined();
    expect(reasons().map).toBeUndefined();
    app.selectTab('quality');
    expect(app.activeTab).toBe('quality');
  });

  it('falls back to the Dataset tab when the open tab becomes impossible', () => {
    const app = useAppStore();
    fake.emit('project.changed', projectSummary({ model: modelSummary(2) }));
    app.selectTab('generate');
    fake.emit('project.changed', projectSummary({ model: null }));
    expect(app.activeTab).toBe('dataset');
  });

  it('reports the connection status it is given', async () => {
    const app = useAppStore();
    app.setConnection('closed');
    expect(app.connection).toBe('closed');
    await settle();
  });
});
