import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  test: {
    // The JSON report feeds the closing line of .ci/run.
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // One scratch folder for the run's temporary files, removed at the end (test/helpers/scratchRoot.ts).
    globalSetup: ['test/helpers/scratchRoot.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        // Inline projects inherit nothing unless told to: without this they ran with Vitest's 5 s default timeout.
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ['test/renderer/**', 'test/e2e/**', 'test/electron/**'],
          environment: 'node',
          // tfjs keeps one global engine per process; isolating files in forks keeps backends from leaking.
          pool: 'forks',
        },
      },
      {
        extends: true,
        plugins: [vue()],
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});
