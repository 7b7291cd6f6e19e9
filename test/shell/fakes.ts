/** Stand-ins for the Electron objects the shell's logic is handed, so it runs under plain Node. */
import { EventEmitter } from 'node:events';
import type { ApiResult, EventName, EventPayload } from '../../src-main/contract/index.js';
import type { IpcMainLike } from '../../src-main/electron/ipcHandlers.js';
import type { IpcRendererLike } from '../../src-main/electron/ipcTransport.js';
import type { Studio, StudioListener } from '../../src-main/studio/types.js';

/** A sender as Electron describes it in an invoke event. */
export interface FakeInvokeEvent {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/** `ipcMain`: one handler per channel, refusing a second one as Electron does. */
export function fakeIpcMain() {
  const handlers = new Map<string, (event: FakeInvokeEvent, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike<FakeInvokeEvent> = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  /** What `ipcRenderer.invoke(channel, input)` from `event`'s sender would get. */
  async function invoke(event: FakeInvokeEvent, channel: string, input: unknown): Promise<unknown> {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': No handler registered`);
    return await handler(event, input);
  }
  return { ipcMain, handlers, invoke };
}

/** `ipcRenderer`: invokes go to `onInvoke`; `emit` plays a message from the main side. */
export function fakeIpcRenderer(onInvoke: (channel: string, input: unknown) => Promise<unknown>) {
  const emitter = new EventEmitter();
  const ipcRenderer: IpcRendererLike = {
    invoke: (channel, input) => onInvoke(channel, input),
    on: (channel, listener) => emitter.on(channel, listener),
    removeListener: (channel, listener) => emitter.removeListener(channel, listener),
  };
  return {
    ipcRenderer,
    emit: (channel: string, ...args: unknown[]) => emitter.emit(channel, { sender: 'main' }, ...args),
    listenerCount: (channel: string) => emitter.listenerCount(channel),
  };
}

/** A studio that answers from `answers` (by request name) and records what it was asked. */
export function fakeStudio(answers: Record<string, ApiResult<unknown>> = {}) {
  const calls: { name: string; input: unknown }[] = [];
  const listeners = new Set<StudioListener>();
  const studio: Studio = {
    invoke(name, input) {
      calls.push({ name, input });
      return Promise.resolve(answers[name] ?? { ok: true, value: { echoed: name } });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    outputFolder: () => Promise.resolve({ ok: false, code: 'UNSUPPORTED', message: 'fake: no downloads' }),
    shutdown: () => Promise.resolve(),
  };
  function emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    for (const listener of listeners) listener(name, payload);
  }
  return { studio, calls, emit, listenerCount: () => listeners.size };
}
