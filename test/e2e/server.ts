import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A `vae-studio serve` process for one e2e run, with its own HOME so recent projects and defaults are fresh. */
export interface ServedStudio {
  /** The address `serve` printed, with its `?token=…`: opening it sets the token cookie, as for a user. */
  url: string;
  home: string;
  stop(): Promise<void>;
}

/**
 * Starts the real CLI (`bin/vae-studio.js serve --port 0 --json`) as a user would, and reads the login URL (the
 * one with the token) from its JSON result line. The renderer must have been built (`npm run build`).
 */
export async function serveStudio(home: string): Promise<ServedStudio> {
  await mkdir(home, { recursive: true });
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/vae-studio.js', 'serve', '--port', '0', '--json'],
    {
      env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), VAE_STUDIO_BACKEND: 'wasm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { event?: string; loginUrl?: string };
        if (message.event === 'result' && message.loginUrl) resolve(message.loginUrl);
      } catch {
        // progress lines that are not JSON are ignored
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`vae-studio serve exited with ${code} before listening: ${stderr.join('')}`)),
    );
  });
  return {
    url,
    home,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}
