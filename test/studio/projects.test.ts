import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { events, projectSummarySchema, requestNames } from '../../src-main/contract/index.js';
import { createStudio } from '../../src-main/studio/index.js';
import { InlineRunner } from '../../src-main/worker/index.js';
import { testStudio } from './harness.js';

describe('studio: projects', () => {
  it('creates a project under projectsDir, makes it current and says so with project.changed', async () => {
    const t = await testStudio();
    const summary = await t.call('project.create', { path: 'cats', name: 'My cats' });
    expect(summary.root).toBe(join(t.base, 'projects', 'cats'));
    expect(summary.name).toBe('My cats');
    expect(summary.dataset).toBeNull();
    expect(summary.model).toBeNull();
    expect(projectSummarySchema.parse(summary)).toEqual(summary);
    const project = JSON.parse(await readFile(join(summary.root, 'project.json'), 'utf8')) as {
      name: string;
    };
    expect(project.name).toBe('My cats');
    const changed = t.payloads('project.changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.root).toBe(summary.root);
    expect((await t.call('project.current', {}))?.root).toBe(summary.root);
  });

  it('create on an existing project opens it and keeps its name', async () => {
    const t = await testStudio();
    await t.call('project.create', { path: 'p', name: 'First' });
    const again = await t.call('project.create', { path: 'p', name: 'Second' });
    expect(again.name).toBe('First');
  });

  it('keeps recent projects newest first, at most ten, and flags a folder that has gone', async () => {
    const t = await testStudio();
    for (let i = 0; i < 12; i++) await t.call('project.create', { path: `p${i}` });
    await t.call('project.open', { path: 'p3' });
    const recent = await t.call('project.recent', {});
    expect(recent.map((r) => r.name)).toEqual(['p3', 'p11', 'p10', 'p9', 'p8', 'p7', 'p6', 'p5', 'p4', 'p2']);
    expect(recent.every((r) => r.exists)).toBe(true);
    expect(Date.parse(recent[0]!.openedAt)).toBeGreaterThanOrEqual(Date.parse(recent[1]!.openedAt));

    await rm(join(t.base, 'projects', 'p11'), { recursive: true });
    const after = await t.call('project.recent', {});
    expect(after.find((r) => r.name === 'p11')?.exists).toBe(false);
    expect(after.find((r) => r.name === 'p3')?.exists).toBe(true);
    const stored = JSON.parse(await readFile(join(t.base, 'state', 'recent.json'), 'utf8')) as unknown[];
    expect(stored).toHaveLength(10);
  });

  it('reopens the newest existing recent project when asked to', async () => {
    const t = await testStudio();
    await t.call('project.create', { path: 'kept' });
    await t.call('project.create', { path: 'gone' });
    await rm(join(t.base, 'projects', 'gone'), { recursive: true });
    const again = await createStudio({
      host: 'electron',
      version: '1',
      stateDir: join(t.base, 'state'),
      projectsDir: join(t.base, 'projects'),
      runner: new InlineRunner(),
      reopenLast: true,
    });
    const current = await again.invoke('project.current', {});
    expect(current.ok && (current.value as { name: string } | null)?.name).toBe('kept');
  });

  it('opening a folder that is not a project answers NO_PROJECT naming it', async () => {
    const t = await testStudio();
    const failure = await t.refuse('project.open', { path: 'nowhere' });
    expect(failure.code).toBe('NO_PROJECT');
    expect(failure.message).toContain(join(t.base, 'projects', 'nowhere'));
  });
});

describe('studio: the boundary', () => {
  it('answers an unknown request with UNKNOWN_REQUEST', async () => {
    const t = await testStudio();
    const failure = await t.refuse('training.fly', {});
    expect(failure).toEqual({
      ok: false,
      code: 'UNKNOWN_REQUEST',
      message: 'unknown request "training.fly"',
    });
  });

  it('answers invalid input with INVALID_INPUT naming each bad field', async () => {
    const t = await testStudio();
    await t.call('project.create', { path: 'p' });
    const failure = await t.refuse('training.start', { epochs: 0, beta: 'high' });
    expect(failure.code).toBe('INVALID_INPUT');
    expect(failure.message).toMatch(/^epochs: .*; beta: |^beta: .*; epochs: /);
    expect((await t.refuse('project.open', { path: '  ' })).message).toBe('path: must not be empty');
    expect((await t.refuse('dataset.import', { folder: 'x', size: 48 })).message).toBe(
      'size: must be one of 16, 28, 32, 64, 128, 256',
    );
  });

  it('answers NO_PROJECT to every request that needs a project when none is open', async () => {
    const t = await testStudio();
    const needsProject = {
      'dataset.import': { folder: 'x' },
      'dataset.upload': { batch: 'b', files: [{ path: 'a.png', base64: '' }] },
      'dataset.list': {},
      'dataset.thumbnails': { indices: [0] },
      'training.start': {},
      'training.resume': {},
      'generation.start': {},
      'interpolation.preview': { a: { datasetIndex: 0 }, b: { datasetIndex: 1 } },
      'interpolation.export': { a: { datasetIndex: 0 }, b: { datasetIndex: 1 } },
      'quality.start': {},
      'quality.reports': {},
      'quality.report': { report: 'quality/x/report.json' },
    };
    for (const [name, input] of Object.entries(needsProject)) {
      const failure = await t.refuse(name, input);
      expect(failure, name).toEqual({
        ok: false,
        code: 'NO_PROJECT',
        message: 'open or create a project first',
      });
    }
    expect(await t.call('project.current', {})).toBeNull();
    expect(await t.call('training.status', {})).toEqual({
      running: null,
      run: null,
      progress: null,
      history: [],
      previews: null,
    });
    expect(await t.call('job.list', {})).toEqual([]);
  });

  it('describes the host and refuses native dialogs in browser mode with UNSUPPORTED', async () => {
    const t = await testStudio();
    const info = await t.call('app.info', {});
    expect(info).toEqual({
      version: '0.0.0-test',
      host: 'browser',
      platform: process.platform,
      projectsDir: join(t.base, 'projects'),
      nativeDialogs: false,
      openPath: false,
    });
    for (const name of ['shell.pickFolder', 'shell.pickImage']) {
      const failure = await t.refuse(name, {});
      expect(failure.code).toBe('UNSUPPORTED');
      expect(failure.message).toContain('not available in browser mode; type a path on the server instead');
    }
    expect((await t.refuse('shell.openPath', { path: '/tmp' })).code).toBe('UNSUPPORTED');
  });

  it('passes shell requests to the host when it offers them', async () => {
    const opened: string[] = [];
    const t = await testStudio({
      host: 'electron',
      shell: {
        pickFolder: (title) => Promise.resolve(`/picked/${title ?? ''}`),
        pickImage: () => Promise.resolve(null),
        openPath: (path) => Promise.resolve(opened.push(path) > 0),
      },
    });
    expect(await t.call('shell.pickFolder', { title: 'images' })).toBe('/picked/images');
    expect(await t.call('shell.pickImage', {})).toBeNull();
    expect(await t.call('shell.openPath', { path: 'p' })).toEqual({ opened: true });
    expect(opened).toEqual([join(t.base, 'projects', 'p')]);
    expect((await t.call('app.info', {})).nativeDialogs).toBe(true);
  });

  it('treats a damaged recent.json as an empty list', async () => {
    const t = await testStudio();
    await t.call('project.create', { path: 'p' });
    await writeFile(join(t.base, 'state', 'recent.json'), '{');
    expect(await t.call('project.recent', {})).toEqual([]);
  });

  it('reports a thrown bug as INTERNAL with its message, logs it, and never throws', async () => {
    const t = await testStudio();
    const broken = await createStudio({
      host: 'browser',
      version: '1',
      stateDir: join(t.base, 'state'),
      projectsDir: join(t.base, 'projects'),
      runner: {
        start: () => {
          throw new Error('runner exploded');
        },
        shutdown: () => Promise.resolve(),
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      const answer = await broken.invoke('backend.info', {});
      expect(answer).toEqual({ ok: false, code: 'INTERNAL', message: 'runner exploded' });
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });

  it('has a handler for every request in the contract', async () => {
    const t = await testStudio();
    for (const name of requestNames) {
      const answer = await t.studio.invoke(name, {});
      expect(answer.ok || answer.code !== 'UNKNOWN_REQUEST', name).toBe(true);
    }
    expect(Object.keys(events)).toContain('project.changed');
  });
});

describe('studio: uploads', () => {
  it('writes dropped files under uploads/<batch>/ keeping their folders, and never overwrites', async () => {
    const t = await testStudio();
    const { root } = await t.call('project.create', { path: 'p' });
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const result = await t.call('dataset.upload', {
      batch: 'drop-1',
      files: [
        { path: 'cats/a.png', base64: png.toString('base64') },
        { path: 'b.png', base64: Buffer.from('other').toString('base64') },
      ],
    });
    expect(result).toEqual({ folder: join(root, 'uploads', 'drop-1'), written: 2 });
    expect(await readFile(join(root, 'uploads', 'drop-1', 'cats', 'a.png'))).toEqual(png);

    const repeat = await t.call('dataset.upload', {
      batch: 'drop-1',
      files: [{ path: 'cats\\a.png', base64: png.toString('base64') }],
    });
    expect(repeat.written).toBe(0);
    const clash = await t.refuse('dataset.upload', {
      batch: 'drop-1',
      files: [{ path: 'b.png', base64: png.toString('base64') }],
    });
    expect(clash.code).toBe('FILE_EXISTS');
    expect(clash.message).toContain(join(root, 'uploads', 'drop-1', 'b.png'));
    expect(await readFile(join(root, 'uploads', 'drop-1', 'b.png'), 'utf8')).toBe('other');
  });

  it('refuses absolute paths and .. with INVALID_INPUT naming the path, before writing anything', async () => {
    const t = await testStudio();
    const { root } = await t.call('project.create', { path: 'p' });
    await mkdir(join(root, 'uploads'), { recursive: true });
    for (const bad of ['../escape.png', 'ok/../../escape.png', '/etc/passwd', 'C:\\x.png']) {
      const failure = await t.refuse('dataset.upload', {
        batch: 'b',
        files: [
          { path: 'fine.png', base64: 'AAAA' },
          { path: bad, base64: 'AAAA' },
        ],
      });
      expect(failure.code, bad).toBe('INVALID_INPUT');
      expect(failure.message, bad).toContain(`files.1.path: ${JSON.stringify(bad)}`);
    }
    await expect(readFile(join(root, 'uploads', 'b', 'fine.png'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(join(root, 'escape.png'))).rejects.toMatchObject({ code: 'ENOENT' });
    const badBatch = await t.refuse('dataset.upload', { batch: '../x', files: [{ path: 'a', base64: '' }] });
    expect(badBatch.message).toBe('batch: letters, digits, - and _ only');
  });
});
