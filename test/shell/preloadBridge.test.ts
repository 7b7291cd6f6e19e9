import type { ContextBridge, IpcMain, IpcRenderer, UtilityProcess, WebUtils } from 'electron';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  eventNames,
  requestNames,
  type EventPayload,
  type ProjectSummary,
  type VaeApi,
} from '../../src-main/contract/index.js';
import {
  createExposedGlobals,
  exposeGlobals,
  type ContextBridgeLike,
  type ExposedGlobals,
  type WebUtilsLike,
} from '../../src-main/electron/bridge.js';
import { EVENT_CHANNEL } from '../../src-main/electron/channels.js';
import {
  isTrustedSender,
  registerIpcHandlers,
  type IpcMainLike,
} from '../../src-main/electron/ipcHandlers.js';
import { createIpcTransport, type IpcRendererLike } from '../../src-main/electron/ipcTransport.js';
import type { JobProcess } from '../../src-main/electron/utilityProcessRunner.js';
import { fakeIpcMain, fakeIpcRenderer, fakeStudio } from './fakes.js';

const noWebUtils: WebUtilsLike = { getPathForFile: () => '' };

describe('the preload transport', () => {
  it('invokes on the request channel and answers with what the main side returned', async () => {
    const seen: unknown[][] = [];
    const { ipcRenderer } = fakeIpcRenderer((channel, input) => {
      seen.push([channel, input]);
      return Promise.resolve({ ok: true, value: 42 });
    });
    const transport = createIpcTransport(ipcRenderer);
    await expect(transport.invoke('dataset.list', { limit: 3 })).resolves.toEqual({ ok: true, value: 42 });
    expect(seen).toEqual([['vae:dataset.list', { limit: 3 }]]);
  });

  it('turns a rejected invoke into an INTERNAL failure in words, with its cause', async () => {
    const { ipcRenderer } = fakeIpcRenderer(() => Promise.reject(new Error('No handler registered')));
    const answer = await createIpcTransport(ipcRenderer).invoke('project.current', {});
    expect(answer).toEqual({
      ok: false,
      code: 'INTERNAL',
      message:
        'Something failed unexpectedly (No handler registered). This is a fault in VAE Studio and has been ' +
        'logged; try again, and restart VAE Studio if it keeps happening.',
    });
  });

  it('fans events out by name, listens on IPC only while subscribed, and unsubscribes each subscription once', () => {
    const { ipcRenderer, emit, listenerCount } = fakeIpcRenderer(() => Promise.resolve(null));
    const transport = createIpcTransport(ipcRenderer);
    const progress: unknown[] = [];
    const logs: unknown[] = [];
    const record = (payload: unknown) => progress.push(payload);

    expect(listenerCount(EVENT_CHANNEL)).toBe(0);
    const offFirst = transport.subscribe('training.progress', record);
    const offSecond = transport.subscribe('training.progress', record);
    const offLog = transport.subscribe('job.log', (payload) => logs.push(payload));
    expect(listenerCount(EVENT_CHANNEL)).toBe(1);

    emit(EVENT_CHANNEL, 'training.progress', { epoch: 1 });
    emit(EVENT_CHANNEL, 'job.log', { message: 'hi' });
    emit(EVENT_CHANNEL, 'generation.progress', { done: 1 });
    expect(progress).toEqual([{ epoch: 1 }, { epoch: 1 }]);
    expect(logs).toEqual([{ message: 'hi' }]);

    offFirst();
    offFirst();
    emit(EVENT_CHANNEL, 'training.progress', { epoch: 2 });
    expect(progress).toEqual([{ epoch: 1 }, { epoch: 1 }, { epoch: 2 }]);

    offSecond();
    offLog();
    expect(listenerCount(EVENT_CHANNEL)).toBe(0);
    emit(EVENT_CHANNEL, 'training.progress', { epoch: 3 });
    expect(progress).toHaveLength(3);
  });

  it('keeps delivering to the other listeners when one throws', () => {
    const { ipcRenderer, emit } = fakeIpcRenderer(() => Promise.resolve(null));
    const transport = createIpcTransport(ipcRenderer);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: unknown[] = [];
    transport.subscribe('project.changed', () => {
      throw new Error('broken view');
    });
    transport.subscribe('project.changed', (payload) => seen.push(payload));
    emit(EVENT_CHANNEL, 'project.changed', null);
    expect(seen).toEqual([null]);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });
});

describe('the exposed globals', () => {
  it('exposes exactly vaeApi and vaeHost, with one method per request and event and no raw IPC', () => {
    const exposed = new Map<string, unknown>();
    const bridge: ContextBridgeLike = { exposeInMainWorld: (key, value) => exposed.set(key, value) };
    const { ipcRenderer } = fakeIpcRenderer(() => Promise.resolve(null));
    exposeGlobals(bridge, createExposedGlobals(ipcRenderer, noWebUtils));

    expect([...exposed.keys()].sort()).toEqual(['vaeApi', 'vaeHost']);
    const api = exposed.get('vaeApi') as Record<string, Record<string, unknown>>;
    const methods = Object.entries(api).flatMap(([ns, members]) =>
      Object.keys(members).map((m) => `${ns}.${m}`),
    );
    expect(methods).toHaveLength(requestNames.length + eventNames.length);
    expect(methods).toContain('project.current');
    expect(methods).toContain('training.onProgress');
    for (const forbidden of ['invoke', 'send', 'on', 'ipcRenderer', 'sendSync']) {
      expect(Object.keys(api)).not.toContain(forbidden);
    }
    expect(Object.keys(exposed.get('vaeHost') as object)).toEqual(['pathForFile']);
  });

  it('gives vaeHost.pathForFile the path webUtils finds for the file', () => {
    const file = new File(['x'], 'cat.png');
    const webUtils: WebUtilsLike = { getPathForFile: (f) => (f === file ? '/home/me/cat.png' : '') };
    const { ipcRenderer } = fakeIpcRenderer(() => Promise.resolve(null));
    expect(createExposedGlobals(ipcRenderer, webUtils).vaeHost.pathForFile(file)).toBe('/home/me/cat.png');
  });

  it('round-trips through the real handlers: an invoke reaches the studio, a studio event reaches on…', async () => {
    const summary = { root: '/p', name: 'p' } as ProjectSummary;
    const { studio, emit } = fakeStudio({ 'project.current': { ok: true, value: summary } });
    const ours = { id: 7 };
    const main = fakeIpcMain();
    registerIpcHandlers(main.ipcMain, studio, (event) => isTrustedSender(event, ours.id));
    const frame = { url: 'vae://app/index.html', parent: null };
    const renderer = fakeIpcRenderer((channel, input) =>
      main.invoke({ sender: ours, senderFrame: frame }, channel, input),
    );
    const { vaeApi } = createExposedGlobals(renderer.ipcRenderer, noWebUtils);
    studio.subscribe((name, payload) => renderer.emit(EVENT_CHANNEL, name, payload));

    await expect(vaeApi.project.current()).resolves.toEqual({ ok: true, value: summary });
    const seen: EventPayload<'dataset.importProgress'>[] = [];
    const off = vaeApi.dataset.onImportProgress((payload) => seen.push(payload));
    const payload = {
      jobId: 'j',
      phase: 'decoding',
      scanned: 3,
      total: 3,
      processed: 1,
      imported: 1,
      skipped: 0,
      duplicates: 0,
      imagesPerSec: 10,
    } as const;
    emit('dataset.importProgress', payload);
    off();
    emit('dataset.importProgress', payload);
    expect(seen).toEqual([payload]);
  });

  it('is typed as the contract’s VaeApi, and Electron’s own objects fit the shapes the shell accepts', () => {
    expectTypeOf<ExposedGlobals['vaeApi']>().toEqualTypeOf<VaeApi>();
    expectTypeOf(createExposedGlobals).returns.toEqualTypeOf<ExposedGlobals>();
    expectTypeOf<IpcRenderer>().toMatchTypeOf<IpcRendererLike>();
    expectTypeOf<ContextBridge>().toMatchTypeOf<ContextBridgeLike>();
    expectTypeOf<WebUtils>().toMatchTypeOf<WebUtilsLike>();
    expectTypeOf<IpcMain>().toMatchTypeOf<IpcMainLike<Electron.IpcMainInvokeEvent>>();
    expectTypeOf<UtilityProcess>().toMatchTypeOf<JobProcess>();
  });
});
