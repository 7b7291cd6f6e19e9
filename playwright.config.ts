import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests. `browser`: the renderer served by `vae-studio serve`, driven in Debian's Chromium (never a
 * downloaded browser). `electron`: the real desktop app through Playwright's `_electron`; it needs an Electron
 * binary and skips with instructions without one. Training runs on a 2-core CPU here, so timeouts are generous
 * and one worker runs at a time.
 */
export default defineConfig({
  // A folder of its own: Playwright empties its outputDir first, and test-results/ also holds Vitest's report.
  outputDir: 'test-results/playwright/',
  // One scratch folder for the run's temporary files, removed at the end.
  globalSetup: './test/helpers/scratchRoot.ts',
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 15_000 },
  // The JSON report feeds the closing line of .ci/run.
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  projects: [
    {
      name: 'browser',
      testDir: 'test/e2e',
      use: {
        browserName: 'chromium',
        headless: true,
        viewport: { width: 1024, height: 700 },
        screenshot: 'only-on-failure',
        trace: 'retain-on-failure',
        launchOptions: {
          executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    {
      name: 'electron',
      testDir: 'test/electron',
    },
  ],
});
