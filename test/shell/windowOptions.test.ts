import { describe, expect, it } from 'vitest';
import {
  computeWindowOptions,
  mainWindowOptions,
  THEME_BACKGROUNDS,
} from '../../src-main/electron/windowOptions.js';

describe('the main window options', () => {
  it('isolate and sandbox the renderer, without Node anywhere and with web security on', () => {
    const { webPreferences } = mainWindowOptions('/app/out/preload/preload.cjs', false);
    expect(webPreferences).toMatchObject({
      preload: '/app/out/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('open at 1280×800, never smaller than 1024×700, hidden until the first paint', () => {
    expect(mainWindowOptions('/p.cjs', false)).toMatchObject({
      width: 1280,
      height: 800,
      minWidth: 1024,
      minHeight: 700,
      show: false,
    });
  });

  it('paint the background of the system theme before the renderer does', () => {
    expect(mainWindowOptions('/p.cjs', true).backgroundColor).toBe(THEME_BACKGROUNDS.dark);
    expect(mainWindowOptions('/p.cjs', false).backgroundColor).toBe(THEME_BACKGROUNDS.light);
  });
});

describe('the compute window options', () => {
  it('never show it, keep it out of the taskbar, sandbox it like the main window and never throttle it', () => {
    const options = computeWindowOptions('/app/out/preload/computePreload.cjs');
    expect(options).toMatchObject({ show: false, skipTaskbar: true });
    expect(options.webPreferences).toEqual({
      ...mainWindowOptions('/app/out/preload/computePreload.cjs', false).webPreferences,
      backgroundThrottling: false,
    });
  });
});
