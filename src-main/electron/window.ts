/**
 * The main window and the rules around it: the renderer served from the app scheme with its CSP, no Node, no
 * new windows, no navigation away, and a background that follows the system theme.
 */
import { BrowserWindow, nativeTheme, protocol, session } from 'electron';
import { log } from '../util/log.js';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  appRootFor,
  isAppUrl,
  needsContentSecurityPolicy,
  serveAppFile,
  withContentSecurityPolicy,
} from './appProtocol.js';
import { appPaths } from './paths.js';
import { mainWindowOptions, THEME_BACKGROUNDS } from './windowOptions.js';

/**
 * Serves the built renderer (`vae://app/`) and the compute page (`vae://compute/`) on the app scheme and puts the
 * CSP on every document of the default session. Call once, after the app is ready.
 */
export function installRendererSession(
  roots = { renderer: appPaths.rendererDir, compute: appPaths.computeDir },
): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(appRootFor(request.url, roots), request.url));
  // The app scheme's responses carry the CSP already; this covers any other document the session loads.
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback(
      needsContentSecurityPolicy(details.url, details.resourceType)
        ? { responseHeaders: withContentSecurityPolicy(details.responseHeaders) }
        : {},
    );
  });
  // The renderer needs no camera, geolocation, notifications permission or the like.
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
}

function themeBackground(): string {
  return nativeTheme.shouldUseDarkColors ? THEME_BACKGROUNDS.dark : THEME_BACKGROUNDS.light;
}

/** Creates the main window and starts loading the renderer; it shows once the first paint is ready. */
export function createMainWindow(): BrowserWindow {
  nativeTheme.themeSource = 'system';
  const window = new BrowserWindow(mainWindowOptions(appPaths.preload, nativeTheme.shouldUseDarkColors));

  const onThemeUpdated = (): void => window.setBackgroundColor(themeBackground());
  nativeTheme.on('updated', onThemeUpdated);
  window.on('closed', () => nativeTheme.off('updated', onThemeUpdated));
  window.once('ready-to-show', () => window.show());
  // A page that fails to load may never paint; a visible error beats a running app with no window.
  window.webContents.once('did-fail-load', () => window.show());

  const contents = window.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('render-process-gone', (_event, details) => {
    log.error('window', `the renderer process is gone (${details.reason}, exit code ${details.exitCode})`);
  });

  window
    .loadURL(APP_ENTRY_URL)
    .catch((error: unknown) => log.error('window', 'the renderer did not load', error));
  return window;
}
