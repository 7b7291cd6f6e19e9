/**
 * The preload of the hidden compute window. The main process sends a MessagePort on {@link TRAINING_PORT_CHANNEL}
 * for each job that trains there; this hands the port to the page (the main world), which serves training over
 * it. Nothing else is exposed: the page needs no API of the app. Bundled by vite.preload.config.ts.
 */
import { ipcRenderer } from 'electron';
import { TRAINING_PORT_MESSAGE } from '../engine/host/protocol.js';
import { TRAINING_PORT_CHANNEL } from './channels.js';

/** The page's window as far as this file needs it (src-main is typed without the DOM library). */
const page = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
  location: { origin: string };
};

ipcRenderer.on(TRAINING_PORT_CHANNEL, (event) => {
  // A port cannot cross contextBridge; window.postMessage with a transfer list is Electron's way into the page.
  page.postMessage(TRAINING_PORT_MESSAGE, page.location.origin, event.ports);
});
