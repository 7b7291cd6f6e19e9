import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Builds the compute page (src-renderer/compute: the engine on WebGPU/WebGL in a Chromium page) into
 * out/compute/compute.html. Relative asset paths, so Electron's hidden window can load it from the app's files
 * and a test can serve the folder from any path.
 */
export default defineConfig({
  root: fromRoot('./src-renderer/compute'),
  base: './',
  publicDir: false,
  envDir: false,
  logLevel: 'warn',
  build: {
    outDir: fromRoot('./out/compute'),
    emptyOutDir: true,
    // Electron 45 runs Chromium 140; Debian's Chromium is newer.
    target: 'chrome140',
    // tfjs-core and three backends: one ~0.9 MB module, loaded from disk or loopback.
    chunkSizeWarningLimit: 1500,
    rolldownOptions: { input: fromRoot('./src-renderer/compute/compute.html') },
  },
});
