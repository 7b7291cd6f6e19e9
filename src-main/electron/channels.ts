/**
 * IPC channel names, derived from the contract so that the preload and the main side cannot drift apart: one
 * `vae:<request name>` channel per request, answered with `ipcMain.handle`, and one channel for every event.
 */
import type { RequestName } from '../contract/index.js';

/** The one main → renderer channel; each message carries `(eventName, payload)`. */
export const EVENT_CHANNEL = 'vae:event';

/** The invoke channel of a request: 'training.start' → 'vae:training.start'. */
export function requestChannel(name: RequestName): `vae:${RequestName}` {
  return `vae:${name}`;
}

/**
 * Main → hidden compute window: a MessagePort (in the event's `ports`) over which the page serves training to one
 * job process. See computeWindow.ts.
 */
export const TRAINING_PORT_CHANNEL = 'vae:training-port';
