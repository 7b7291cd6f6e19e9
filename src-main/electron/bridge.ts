/**
 * What the preload puts on the renderer's `window`, built from objects it is handed so that it can be tested
 * without Electron. The renderer gets a small named API and one helper, never `ipcRenderer` itself.
 */
import { buildApi, type VaeApi } from '../contract/index.js';
import { createIpcTransport, type IpcRendererLike } from './ipcTransport.js';

/** `window.vaeHost`: what only the desktop host can do for the renderer. */
export interface VaeHost {
  /** The file's absolute path on disk (for a dropped or picked file); '' for a file made in JavaScript. */
  pathForFile(file: File): string;
}

/** The globals the preload exposes; the renderer can declare `Window` from these. */
export interface ExposedGlobals {
  vaeApi: VaeApi;
  vaeHost: VaeHost;
}

/** The part of Electron's `contextBridge` the preload uses. */
export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

/** The part of Electron's `webUtils` the preload uses. */
export interface WebUtilsLike {
  getPathForFile(file: File): string;
}

/** Builds the globals over an `ipcRenderer`-like object. */
export function createExposedGlobals(ipc: IpcRendererLike, webUtils: WebUtilsLike): ExposedGlobals {
  return {
    vaeApi: buildApi(createIpcTransport(ipc)),
    vaeHost: { pathForFile: (file) => webUtils.getPathForFile(file) },
  };
}

/** Exposes every entry of {@link ExposedGlobals} in the renderer's main world. */
export function exposeGlobals(bridge: ContextBridgeLike, globals: ExposedGlobals): void {
  for (const [key, value] of Object.entries(globals)) bridge.exposeInMainWorld(key, value);
}
