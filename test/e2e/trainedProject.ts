import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Imports `images` into a new project at `project` and trains it with the real CLI (`bin/vae-studio.js`, as a
 * user would before opening the app), on wasm. `train` are extra `vae-studio train` options.
 */
export async function trainWithCli(
  images: string,
  project: string,
  size: number,
  train: string[],
): Promise<void> {
  const env = { ...process.env, VAE_STUDIO_BACKEND: 'wasm' };
  const cli = (args: string[]) =>
    run(process.execPath, ['bin/vae-studio.js', ...args], { env, maxBuffer: 1 << 26 });
  await cli(['import', images, '--project', project, '--size', String(size), '--channels', '3']);
  await cli(['train', '--project', project, '--backend', 'wasm', '--no-conditional', ...train]);
}
