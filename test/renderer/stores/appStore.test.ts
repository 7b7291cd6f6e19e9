import { beforeEach, describe, expect, it } from 'vitest';
import { useAppStore } from '../../../src-renderer/src/stores';
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
      ok([{ path: current.root, name: 'pets', openedAt: '2025-01-02T00:00:00Z', exists: true }]),
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
    expect(fake.inputsOf('project.create')).toEqual([{ path: '/tmp/new', name: 'My set' }]);
    expect(app.project?.root).toBe('/tmp/new');
    expect(fake.inputsOf('project.recent')).toHaveLength(1);
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
      { title: 'Could not open the project', code: 'NO_PROJECT', message: '/nope has no project.json' },
    ]);
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
    });
    app.selectTab('train');
    expect(app.activeTab).toBe('dataset');

    fake.emit('project.changed', projectSummary({ dataset: datasetSummary() }));
    expect(reasons().train).toBeUndefined();
    expect(reasons().generate).toBe('Train a model first (Train tab).');
    expect(reasons().quality).toBe('Train a model first (Train tab).');
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
