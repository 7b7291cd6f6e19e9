/**
 * The windows' construction options (main and compute), kept apart from window.ts and computeWindow.ts (which need
 * Electron at run time) so the security-relevant settings are tested in Node.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

/** Background colours that match the renderer's dark and light themes, shown before its first paint. */
export const THEME_BACKGROUNDS = { dark: '#1f1f1f', light: '#ffffff' } as const;

/** Every window's page: isolated from its preload, sandboxed, no Node anywhere, web security on. */
const ISOLATED = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const satisfies BrowserWindowConstructorOptions['webPreferences'];

/**
 * 1280×800, at least 1024×700, hidden until ready to show. The renderer is isolated from the preload, sandboxed
 * and without Node; `webSecurity` stays on.
 */
export function mainWindowOptions(preload: string, dark: boolean): BrowserWindowConstructorOptions {
  return {
    title: 'VAE Studio',
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: dark ? THEME_BACKGROUNDS.dark : THEME_BACKGROUNDS.light,
    webPreferences: {
      preload,
      ...ISOLATED,
    },
  };
}

/**
 * The hidden compute window's options: never shown, no taskbar entry, the same isolation and sandbox as the main
 * window, and no background throttling (it is always in the background, and training must not slow down).
 */
export function computeWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    title: 'VAE Studio compute',
    width: 480,
    height: 320,
    show: false,
    skipTaskbar: true,
    webPreferences: {
      preload,
      ...ISOLATED,
      backgroundThrottling: false,
    },
  };
}
