/** What the Electron preload adds beside `window.vaeApi`; absent in browser mode. */
export interface VaeHost {
  /** The absolute path of a dropped file or folder (Electron's `webUtils.getPathForFile`). */
  pathForFile(file: File): string;
}

/** The Electron host bridge, or undefined in a browser. */
export function vaeHost(): VaeHost | undefined {
  return typeof window === 'undefined' ? undefined : window.vaeHost;
}
