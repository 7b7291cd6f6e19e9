import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Bundles an Electron preload into one CommonJS file: a sandboxed preload can load neither ES modules nor other
 * files, and its `require` knows only 'electron' (and a few Node built-ins), which stays external. The main
 * window's (src-main/electron/preload.ts and the contract code it imports) goes to out/preload/preload.cjs; with
 * `--mode compute`, the hidden compute window's (computePreload.ts) to out/preload/computePreload.cjs.
 */
/** The preloads, by build mode. */
const ENTRIES: Record<string, string> = {
  production: 'preload',
  compute: 'computePreload',
};

export default defineConfig(({ mode }) => {
  const name = ENTRIES[mode];
  if (name === undefined) throw new Error(`vite.preload.config.ts: no preload for mode ${mode}`);
  return {
    root: fromRoot('./'),
    publicDir: false,
    envDir: false,
    logLevel: 'warn',
    build: {
      outDir: fromRoot('./out/preload'),
      // Two builds share the folder (one file each), so neither empties it.
      emptyOutDir: false,
      copyPublicDir: false,
      // Electron 45 runs Chromium 140; the file is read from disk, so size matters little and names help stacks.
      target: 'chrome140',
      minify: false,
      sourcemap: false,
      lib: {
        entry: fromRoot(`./src-main/electron/${name}.ts`),
        formats: ['cjs'],
        fileName: () => `${name}.cjs`,
      },
      rolldownOptions: {
        external: ['electron'],
        output: { codeSplitting: false },
      },
    },
  };
});
