import { describe, expect, it, vi } from 'vitest';
import { requestNames } from '../../src-main/contract/index.js';
import { EVENT_CHANNEL, requestChannel } from '../../src-main/electron/channels.js';
import {
  forwardStudioEvents,
  isTrustedSender,
  registerIpcHandlers,
} from '../../src-main/electron/ipcHandlers.js';
import { fakeIpcMain, fakeStudio, type FakeInvokeEvent } from './fakes.js';

const ourContents = { id: 1 };
const fromOurWindow: FakeInvokeEvent = {
  sender: ourContents,
  senderFrame: { url: 'vae://app/index.html', parent: null },
};
const trusted = (event: FakeInvokeEvent) => isTrustedSender(event, ourContents.id);

describe('registerIpcHandlers', () => {
  it('registers exactly one vae:<name> channel per contract request, and nothing else', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    registerIpcHandlers(ipcMain, fakeStudio().studio, trusted);
    expect([...handlers.keys()].sort()).toEqual(requestNames.map((name) => `vae:${name}`).sort());
    expect(handlers.size).toBe(requestNames.length);
    expect(requestNames.length).toBeGreaterThan(20);
  });

  it('forwards a request from our window to studio.invoke and answers with its result', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { studio, calls } = fakeStudio({ 'project.current': { ok: true, value: null } });
    registerIpcHandlers(ipcMain, studio, trusted);
    const answer = await invoke(fromOurWindow, requestChannel('project.current'), {});
    expect(answer).toEqual({ ok: true, value: null });
    const started = await invoke(fromOurWindow, requestChannel('training.start'), { latentDim: 8 });
    expect(started).toEqual({ ok: true, value: { echoed: 'training.start' } });
    expect(calls).toEqual([
      { name: 'project.current', input: {} },
      { name: 'training.start', input: { latentDim: 8 } },
    ]);
  });

  it('refuses a foreign sender with UNAUTHORIZED without reaching the studio', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { studio, calls } = fakeStudio();
    registerIpcHandlers(ipcMain, studio, trusted);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const foreign: FakeInvokeEvent[] = [
      { sender: { id: 2 }, senderFrame: { url: 'vae://app/index.html', parent: null } },
      { sender: ourContents, senderFrame: { url: 'vae://app/frame.html', parent: { url: 'vae://app/' } } },
      { sender: ourContents, senderFrame: { url: 'https://example.com/', parent: null } },
      { sender: ourContents, senderFrame: { url: 'file:///home/user/evil.html', parent: null } },
      { sender: ourContents, senderFrame: null },
    ];
    for (const event of foreign) {
      const answer = await invoke(event, requestChannel('project.open'), { path: '/tmp/x' });
      expect(answer).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
    }
    expect(calls).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(foreign.length);
    warn.mockRestore();
  });

  it('turns a studio that throws into an INTERNAL failure instead of a rejected invoke', async () => {
    const { ipcMain, invoke } = fakeIpcMain();
    const { studio } = fakeStudio();
    studio.invoke = () => Promise.reject(new Error('disk on fire'));
    registerIpcHandlers(ipcMain, studio, trusted);
    await expect(invoke(fromOurWindow, requestChannel('project.recent'), {})).resolves.toEqual({
      ok: false,
      code: 'INTERNAL',
      message:
        'Something failed unexpectedly (disk on fire). This is a fault in VAE Studio and has been logged; try ' +
        'again, and restart VAE Studio if it keeps happening.',
    });
  });

  it('removes every handler it registered when disposed', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const dispose = registerIpcHandlers(ipcMain, fakeStudio().studio, trusted);
    dispose();
    expect(handlers.size).toBe(0);
    // Registering again after disposal works: no channel was left behind.
    registerIpcHandlers(ipcMain, fakeStudio().studio, trusted);
    expect(handlers.size).toBe(requestNames.length);
  });
});

describe('forwardStudioEvents', () => {
  it('sends each studio event on the event channel with its name and payload until unsubscribed', () => {
    const { studio, emit, listenerCount } = fakeStudio();
    const sent: unknown[][] = [];
    const stop = forwardStudioEvents(studio, (...args) => sent.push(args));
    emit('job.log', { jobId: 'j1', message: 'epoch 1' });
    emit('project.changed', null);
    stop();
    emit('project.changed', null);
    expect(sent).toEqual([
      [EVENT_CHANNEL, 'job.log', { jobId: 'j1', message: 'epoch 1' }],
      [EVENT_CHANNEL, 'project.changed', null],
    ]);
    expect(listenerCount()).toBe(0);
  });
});
