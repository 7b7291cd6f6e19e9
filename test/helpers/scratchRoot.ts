/**
 * One scratch folder per test run, removed when the run ends: Vitest's and Playwright's global setup create it
 * and publish it in VAE_TEST_TMPDIR (workers inherit the environment), and every `tempDir()` lives inside it, so
 * a run leaves nothing behind in the system's temporary folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The variable that names the run's scratch folder. */
export const SCRATCH_ENV = 'VAE_TEST_TMPDIR';

/** Creates the run's scratch folder and returns the teardown that removes it. */
export default async function createScratchRoot(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'vae-studio-tests-'));
  process.env[SCRATCH_ENV] = root;
  return async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
