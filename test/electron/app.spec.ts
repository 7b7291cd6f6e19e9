import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { requestNames, type VaeApi } from '../../src-main/contract/index.js';
import type { ExposedGlobals } from '../../src-main/electron/bridge.js';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/appProtocol.js';
import { SCRATCH_ENV } from '../helpers/scratchRoot.js';
import { builtApp, findElectronExecutable, HOW_TO_RUN, missingBuildOutputs } from './electronBinary.js';

/** The renderer's globals as the page sees them (this tsconfig has no DOM library). */
type RendererGlobals = typeof globalThis &
  Partial<ExposedGlobals> & {
    require?: unknown;
    module?: unknown;
    location: { href: string };
    open(url: string): unknown;
    document: {
      createElement(tag: 'script'): { textContent: string };
      head: { append(node: unknown): void };
      addEventListener(
        type: 'securitypolicyviolation',
        listener: (event: { violatedDirective: string }) => void,
      ): void;
    };
    inlineScriptRan?: boolean;
  };

const electron = findElectronExecutable();
const skipReason = 'missing' in electron ? `${electron.missing}. To run these tests: ${HOW_TO_RUN}` : '';
// The list reporter does not print skip reasons; say it once, from the runner (workers have TEST_WORKER_INDEX).
if (skipReason && process.env.TEST_WORKER_INDEX === undefined)
  console.log(`[electron] skipped: ${skipReason}`);

/** The app's windows other than the hidden compute window (which opens when a job needs it). */
function appWindowCount(app: ElectronApplication): Promise<number> {
  return app.evaluate(
    ({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().filter((w) => !w.webContents.getURL().startsWith('vae://compute/'))
        .length,
  );
}

test.describe('the desktop app', () => {
  test.skip(skipReason !== '', skipReason);
  test.describe.configure({ mode: 'serial' });

  let app: ElectronApplication;
  let page: Page;
  let scratch: string;
  let env: Record<string, string>;

  test.beforeAll(async () => {
    const missing = missingBuildOutputs();
    if (missing.length > 0)
      throw new Error(`Build the app first (npm run build); missing: ${missing.join(', ')}`);
    if (!('executable' in electron)) return;
    scratch = await mkdtemp(join(process.env[SCRATCH_ENV] ?? tmpdir(), 'vae-electron-e2e-'));
    env = {
      VAE_STUDIO_USER_DATA: join(scratch, 'user-data'),
      VAE_STUDIO_PROJECTS_DIR: join(scratch, 'projects'),
    };
    for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] ??= value;
    app = await _electron.launch({
      executablePath: electron.executable,
      args: [builtApp.main],
      env,
      timeout: 90_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('opens one window titled VAE Studio, 1280×800 by default and no smaller than 1024×700', async () => {
    await expect(page).toHaveTitle('VAE Studio');
    const windows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => ({ size: w.getSize(), minimum: w.getMinimumSize() })),
    );
    expect(windows).toHaveLength(1);
    expect(windows[0]).toEqual({ size: [1280, 800], minimum: [1024, 700] });
    expect(page.url()).toBe('vae://app/index.html');
  });

  test('shows the five tabs', async () => {
    for (const name of ['Dataset', 'Train', 'Generate', 'Quality', 'Interpolate']) {
      await expect(page.getByRole('tab', { name, exact: true })).toBeVisible();
    }
  });

  test('exposes window.vaeApi from the preload, and project.current answers over IPC', async () => {
    const current = await page.evaluate(() => (globalThis as RendererGlobals).vaeApi!.project.current());
    expect(current).toEqual({ ok: true, value: null });
    const namespaces = await page.evaluate(() =>
      Object.keys((globalThis as RendererGlobals).vaeApi ?? {}).sort(),
    );
    const expected = [...new Set(requestNames.map((name) => name.split('.')[0]!))];
    expect(namespaces).toEqual(expect.arrayContaining(expected));
    const info = await page.evaluate(() => ((globalThis as RendererGlobals).vaeApi as VaeApi).app.info());
    expect(info).toMatchObject({
      ok: true,
      value: { host: 'electron', nativeDialogs: true, openPath: true },
    });
  });

  test('exposes window.vaeHost.pathForFile', async () => {
    const host = await page.evaluate(() => {
      const vaeHost = (globalThis as RendererGlobals).vaeHost;
      // A File made in JavaScript has no path on disk.
      return {
        type: typeof vaeHost?.pathForFile,
        path: vaeHost?.pathForFile(new File(['x'], 'made-here.txt')),
      };
    });
    expect(host).toEqual({ type: 'function', path: '' });
  });

  test('gives the renderer no Node: no require, process or module', async () => {
    const globals = await page.evaluate(() => {
      const scope = globalThis as RendererGlobals;
      return { require: typeof scope.require, process: typeof scope.process, module: typeof scope.module };
    });
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined' });
  });

  test('serves the page with the CSP header, which blocks inline scripts', async () => {
    const header = await page.evaluate(async () => {
      const response = await fetch((globalThis as RendererGlobals).location.href);
      return response.headers.get('content-security-policy');
    });
    expect(header).toBe(CONTENT_SECURITY_POLICY);
    // Not eval: Chromium lets code evaluated over the DevTools protocol (page.evaluate) run eval regardless.
    const inline = await page.evaluate(async () => {
      const scope = globalThis as RendererGlobals;
      const violations: string[] = [];
      scope.document.addEventListener('securitypolicyviolation', (event) =>
        violations.push(event.violatedDirective),
      );
      const script = scope.document.createElement('script');
      script.textContent = 'globalThis.inlineScriptRan = true;';
      scope.document.head.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { ran: scope.inlineScriptRan === true, violations };
    });
    expect(inline.ran).toBe(false);
    expect(inline.violations).toContain('script-src-elem');
  });

  test('refuses new windows and navigation away from the app', async () => {
    const opened = await page.evaluate(
      () => (globalThis as RendererGlobals).open('https://example.com/') === null,
    );
    expect(opened).toBe(true);
    await page.evaluate(() => {
      (globalThis as RendererGlobals).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('vae://app/index.html');
    expect(await appWindowCount(app)).toBe(1);
  });

  test('a second launch exits and leaves the first window as the only one', async () => {
    if (!('executable' in electron)) return;
    // Playwright starts the first with --no-sandbox on Linux (needed as root, e.g. in CI containers); so does this.
    const args = process.platform === 'linux' ? ['--no-sandbox', builtApp.main] : [builtApp.main];
    const second = spawn(electron.executable, args, { env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    expect(await appWindowCount(app)).toBe(1);
  });

  test('answers backend.info for WebGPU from the hidden compute window, which never shows', async () => {
    const info = await page.evaluate(() =>
      ((globalThis as RendererGlobals).vaeApi as VaeApi).backend.info({ preference: 'webgpu' }),
    );
    const windows = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => ({ url: w.webContents.getURL(), visible: w.isVisible() })),
    );
    expect(windows).toContainEqual({ url: 'vae://compute/compute.html', visible: false });
    // With a GPU (or Chromium's software adapter) the page answers; without any, the failure names WebGPU.
    if (info.ok) expect(info.value).toMatchObject({ host: 'renderer', backend: 'webgpu' });
    else expect(info.message).toMatch(/webgpu/i);
  });
});
