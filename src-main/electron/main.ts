/**
 * The desktop app's entry point. Everything the app does lives in the studio; this file wires Electron to it:
 * one instance, one window, the contract over IPC, jobs in utility processes, and a quit that lets running jobs
 * stop cleanly (their checkpoints are kept).
 *
 * `VAE_STUDIO_USER_DATA` and `VAE_STUDIO_PROJECTS_DIR` move the state folder and the default projects folder
 * (tests use them to stay out of the user's own).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, shell, utilityProcess } from 'electron';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createStudio } from '../studio/index.js';
import type { Studio } from '../studio/types.js';
import { log } from '../util/log.js';
import { APP_SCHEME_PRIVILEGES } from './appProtocol.js';
import { ComputeWindow } from './computeWindow.js';
import { forwardStudioEvents, isTrustedSender, registerIpcHandlers } from './ipcHandlers.js';
import { buildMenuTemplate, type MenuActions } from './menu.js';
import { appPaths, readAppVersion, unpackedPath } from './paths.js';
import { createShellServices } from './shellServices.js';
import { cachedDescription, chooseTrainingRoute } from './trainingRoute.js';
import { createUtilityProcessRunner, type TransferablePort } from './utilityProcessRunner.js';
import { createMainWindow, installRendererSession } from './window.js';

/** The longest a quit waits for running jobs to stop; the runner ends stuck job processes sooner. */
const QUIT_TIMEOUT_MS = 90_000;

let mainWindow: BrowserWindow | null = null;

// The single-instance lock is per user-data folder, so it must be chosen before the lock is taken.
app.setPath('userData', process.env.VAE_STUDIO_USER_DATA ?? join(app.getPath('appData'), 'VAE Studio'));
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

if (app.requestSingleInstanceLock()) {
  app.on('second-instance', () => showMainWindow());
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox(
        'VAE Studio could not start',
        error instanceof Error ? error.message : String(error),
      );
      app.exit(1);
    });
} else {
  app.quit();
}

/**
 * The port a `train` or `backend-info` job gets when it belongs in the compute window (WebGPU/WebGL), else null
 * (the job process's own backend). The choice and its reason are logged, and the job's own log line names the
 * backend and adapter it got.
 */
function trainingPortSource(
  compute: ComputeWindow,
): (kind: string, input: { backend?: string; preference?: string }) => Promise<TransferablePort | null> {
  const requireHere = createRequire(import.meta.url);
  const facts = {
    cudaPackageInstalled: () => {
      try {
        requireHere.resolve('@tensorflow/tfjs-node-gpu');
        return true;
      } catch {
        return false;
      }
    },
    describeComputeWindow: cachedDescription(() => compute.describe('auto')),
  };
  return async (kind, input) => {
    const preference = input.backend ?? input.preference ?? 'auto';
    const route = await chooseTrainingRoute(preference, facts);
    log.info('main', `${kind} runs in the ${route.where}: ${route.why}`);
    return route.where === 'compute-window' ? compute.connect() : null;
  };
}

async function start(): Promise<void> {
  installRendererSession();
  const compute = new ComputeWindow();
  app.on('will-quit', () => compute.close());
  const projectsDir = process.env.VAE_STUDIO_PROJECTS_DIR ?? join(app.getPath('documents'), 'VAE Studio');
  const studio = await createStudio({
    host: 'electron',
    version: readAppVersion(),
    stateDir: app.getPath('userData'),
    projectsDir,
    reopenLast: true,
    runner: createUtilityProcessRunner({
      fork: (kind) => utilityProcess.fork(appPaths.jobWorker, [], { serviceName: `VAE Studio ${kind} job` }),
      trainingPort: trainingPortSource(compute),
    }),
    shell: createShellServices(() => mainWindow),
  });

  registerIpcHandlers(
    ipcMain,
    studio,
    (event) => !!mainWindow && !mainWindow.isDestroyed() && isTrustedSender(event, mainWindow.webContents.id),
  );
  forwardStudioEvents(studio, (channel, ...args) => {
    if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, ...args);
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(buildMenuTemplate(menuActions(studio, projectsDir), process.platform)),
  );
  stopJobsBeforeQuit(studio);

  app.on('activate', () => showMainWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  showMainWindow();
}

/** Shows the one window, creating it if there is none (first start, macOS dock click), and focuses it. */
function showMainWindow(): void {
  if (!app.isReady()) return;
  if (!mainWindow || mainWindow.isDestroyed()) {
    const window = createMainWindow();
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
      // The hidden compute window would keep 'window-all-closed' from ever firing.
      if (process.platform !== 'darwin') app.quit();
    });
    mainWindow = window;
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

function menuActions(studio: Studio, projectsDir: string): MenuActions {
  async function pickProject(request: 'project.create' | 'project.open'): Promise<void> {
    const creating = request === 'project.create';
    const options = {
      title: creating ? 'New project: choose or create an empty folder' : 'Open a project folder',
      defaultPath: projectsDir,
      properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'>,
    };
    const { canceled, filePaths } = mainWindow
      ? await dialog.showOpenDialog(mainWindow, options)
      : await dialog.showOpenDialog(options);
    const folder = filePaths[0];
    if (canceled || folder === undefined) return;
    const result = await studio.invoke(request, { path: folder });
    if (!result.ok) {
      dialog.showErrorBox(
        creating ? 'Could not create the project' : 'Could not open the project',
        result.message,
      );
    }
  }
  async function openBundled(relativePath: string): Promise<void> {
    const error = await shell.openPath(unpackedPath(join(appPaths.root, relativePath)));
    if (error) dialog.showErrorBox(`Could not open ${relativePath}`, error);
  }
  const report = (error: unknown): void => log.error('menu', 'a menu action failed', error);
  return {
    newProject: () => void pickProject('project.create').catch(report),
    openProject: () => void pickProject('project.open').catch(report),
    openReadme: () => void openBundled('README.md').catch(report),
    openDocs: () => void openBundled('docs').catch(report),
  };
}

/**
 * Holds the quit until the studio has cancelled its jobs and they have stopped: training keeps its last
 * checkpoint, generation the files it wrote. The window hides meanwhile, so the quit feels immediate.
 */
function stopJobsBeforeQuit(studio: Studio): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'stopped') return;
    event.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    mainWindow?.hide();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, QUIT_TIMEOUT_MS)));
    Promise.race([studio.shutdown(), timeout])
      .catch((error: unknown) => log.error('main', 'stopping the jobs failed', error))
      .finally(() => {
        clearTimeout(timer);
        state = 'stopped';
        app.quit();
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}
