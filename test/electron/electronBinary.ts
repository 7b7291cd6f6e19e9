import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The command that runs this suite against a local Electron (the binary's download is blocked on our machines). */
export const HOW_TO_RUN =
  'ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron/dist npm run test:e2e -- --project electron';

/**
 * The Electron executable, found as node_modules/electron/index.js finds it but without requiring that file:
 * when the binary is missing, requiring it starts a download (and Playwright requires it when given no
 * `executablePath`).
 */
export function findElectronExecutable(): { executable: string } | { missing: string } {
  const packageDir = join(root, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : platformExecutable();
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const executable = join(override || join(packageDir, 'dist'), relative);
  if (existsSync(executable)) return { executable };
  return {
    missing: override
      ? `ELECTRON_OVERRIDE_DIST_PATH has no Electron executable at ${executable}`
      : 'No Electron binary: node_modules/electron/dist is missing and ELECTRON_OVERRIDE_DIST_PATH is unset',
  };
}

function platformExecutable(): string {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}

/** The built files the app needs; `npm run build` makes them. */
export const builtApp = {
  root,
  main: join(root, 'out', 'main', 'electron', 'main.js'),
  required: [
    'out/main/electron/main.js',
    'out/preload/preload.cjs',
    'out/preload/computePreload.cjs',
    'out/compute/compute.html',
    'out/renderer/index.html',
    'out/main/worker/jobWorker.js',
  ],
};

/** The required files that are not built yet. */
export function missingBuildOutputs(): string[] {
  return builtApp.required.filter((file) => !existsSync(join(root, file)));
}
