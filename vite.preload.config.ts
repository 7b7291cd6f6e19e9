import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Bundles the Electron preload (src-main/electron/preload.ts and the contract code it imports) into one
 * CommonJS file, out/preload/preload.cjs: a sandboxed preload can load neither ES modules nor other files, and
 * its `require` knows only 'electron' (and a few Node built-ins), which stays external.
 */
export default defineConfig({
  root: fromRoot('./'),
  publicDir: false,
  envDir: false,
  logLevel: 'warn',
  build: {
    outDir: fromRoot('./out/preload'),
    emptyOutDir: true,
    copyPublicDir: false,
    // Electron 45 runs Chromium 140; the file is read from disk, so size matters little and names help stacks.
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    lib: {
      entry: fromRoot('./src-main/electron/preload.ts'),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: {
      external: ['electron'],
      output: { codeSplitting: false },
    },
  },
});
