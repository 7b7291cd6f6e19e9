/**
 * Where the shell's built files are, relative to this module (out/main/electron/), so the same code works from
 * the repository and from inside a packaged app.asar.
 */
import { readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const fromHere = (relativePath: string): string => fileURLToPath(new URL(relativePath, import.meta.url));

/** The built files the desktop app needs. */
export const appPaths = {
  /** The app's root: the repository, or `…/resources/app.asar` when packaged. */
  root: fromHere('../../../'),
  /** The Vue renderer, built by `vite build`. */
  rendererDir: fromHere('../../renderer/'),
  /** The bundled preload (vite.preload.config.ts). */
  preload: fromHere('../../preload/preload.cjs'),
  /** The compute page (vite.compute.config.ts): the engine on WebGPU/WebGL in a hidden window. */
  computeDir: fromHere('../../compute/'),
  /** The compute window's preload: it only hands training ports to the page. */
  computePreload: fromHere('../../preload/computePreload.cjs'),
  /** The job worker, run in a utility process per job. */
  jobWorker: fromHere('../worker/jobWorker.js'),
};

/**
 * The same path outside the asar archive: the OS (opening a file in its default app) cannot read inside
 * app.asar, so files it must open are unpacked (see electron-builder.yml).
 */
export function unpackedPath(path: string): string {
  return path.replace(`${sep}app.asar${sep}`, `${sep}app.asar.unpacked${sep}`);
}

/** The version in the app's package.json (Electron reports its own when started as `electron main.js`). */
export function readAppVersion(root = appPaths.root): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}
