#!/usr/bin/env node
// `npm start`: the desktop app when an Electron binary is installed, otherwise browser mode (`vae-studio serve`,
// which prints the address to open). Arguments are passed through to whichever starts. Builds first when the
// compiled files are missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

const electron = findElectron();
if (electron.executable) {
  buildIfMissing(['out/main/electron/main.js', 'out/preload/preload.cjs', 'out/renderer/index.html']);
  const env = { ...process.env };
  // Inherited from a parent Electron tool, it would start the binary as plain Node instead of the app.
  delete env.ELECTRON_RUN_AS_NODE;
  run(electron.executable, [root, ...args], env);
} else {
  console.log(`${electron.reason}; starting browser mode instead (vae-studio serve).`);
  buildIfMissing(['out/main/cli/index.js', 'out/renderer/index.html']);
  run(process.execPath, [join(root, 'bin', 'vae-studio.js'), 'serve', ...args], process.env);
}

/**
 * Finds the Electron executable the way node_modules/electron/index.js does, but never requires that file: when
 * the binary is missing, requiring it starts Electron's download, which fails without internet.
 */
function findElectron() {
  const packageDir = join(root, 'node_modules', 'electron');
  if (!existsSync(packageDir)) return { reason: "The electron package isn't installed" };
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : platformExecutable();
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const executable = join(override || join(packageDir, 'dist'), relative);
  if (!existsSync(executable)) {
    return {
      reason: override
        ? `ELECTRON_OVERRIDE_DIST_PATH has no Electron executable at ${executable}`
        : "Electron's binary isn't installed (node_modules/electron/dist is missing: its download failed or was blocked)",
    };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'There is no display to open a window on ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  }
  return { executable };
}

/** The executable inside an Electron dist folder (what electron's install.js writes to path.txt). */
function platformExecutable() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}

function buildIfMissing(files) {
  const missing = files.filter((file) => !existsSync(join(root, file)));
  if (missing.length === 0) return;
  console.log(`Building first (${missing[0]} is missing): npm run build`);
  // Under `npm start`, npm_execpath is npm's own CLI; otherwise the npm on PATH.
  const npmCli = process.env.npm_execpath;
  const result =
    npmCli && npmCli.endsWith('.js')
      ? spawnSync(process.execPath, [npmCli, 'run', 'build'], { cwd: root, stdio: 'inherit' })
      : spawnSync('npm', ['run', 'build'], {
          cwd: root,
          stdio: 'inherit',
          shell: process.platform === 'win32',
        });
  if (result.status !== 0) {
    console.error('The build failed; see its output above.');
    process.exit(result.status ?? 1);
  }
}

function run(command, commandArgs, env) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', env });
  child.on('error', (error) => {
    console.error(`Could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1));
  });
  // Ctrl-C reaches the child from the terminal itself; sending it again would count as a second Ctrl-C
  // (which stops a job without waiting for its step). Signals sent to this process alone are passed on.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
}
