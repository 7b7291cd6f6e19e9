/**
 * The preload's side of the IPC bridge: a contract `Transport` over an `ipcRenderer`-like object. It takes the
 * object as a parameter so that it runs (and is tested) without Electron.
 */
import { BOUNDARY_CODES, type ApiResult, type EventName, type Transport } from '../contract/index.js';
import { log } from '../util/log.js';
import { unexpectedMessage } from '../util/unexpected.js';
import { EVENT_CHANNEL, requestChannel } from './channels.js';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The part of Electron's `ipcRenderer` the transport uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

/**
 * Builds the transport: `invoke` goes out on the request's own channel; events arrive on {@link EVENT_CHANNEL}
 * and are fanned out to the subscribers of that event name. The IPC listener is attached while at least one
 * subscription exists.
 */
export function createIpcTransport(ipc: IpcRendererLike): Transport {
  // A wrapper object per subscription, so the same function subscribed twice needs two unsubscribes.
  const subscribers = new Map<string, Set<{ listener: (payload: unknown) => void }>>();
  let subscriptionCount = 0;

  const onEvent: IpcListener = (_event, name, payload) => {
    if (typeof name !== 'string') return;
    for (const subscription of [...(subscribers.get(name) ?? [])]) {
      try {
        subscription.listener(payload);
      } catch (error) {
        // One broken listener must not keep the event from the others.
        log.error('preload', `a listener of '${name}' threw`, error);
      }
    }
  };

  return {
    async invoke(name, input) {
      try {
        return (await ipc.invoke(requestChannel(name), input)) as ApiResult<unknown>;
      } catch (error) {
        // The handlers never reject, so a rejection means the main side is gone or broken; keep it as data.
        log.error('preload', `${name} was rejected`, error);
        return {
          ok: false,
          code: BOUNDARY_CODES.internal,
          message: unexpectedMessage(error),
        };
      }
    },

    subscribe(name: EventName, listener) {
      const subscription = { listener };
      let set = subscribers.get(name);
      if (!set) subscribers.set(name, (set = new Set()));
      set.add(subscription);
      if (subscriptionCount++ === 0) ipc.on(EVENT_CHANNEL, onEvent);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        set.delete(subscription);
        if (--subscriptionCount === 0) ipc.removeListener(EVENT_CHANNEL, onEvent);
      };
    },
  };
}
