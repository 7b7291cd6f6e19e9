import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OptionReader, parseCommandArgs } from '../../src-main/cli/args.js';
import { createServeCommand } from '../../src-main/cli/commands/serve.js';
import { main } from '../../src-main/cli/index.js';
import { Reporter } from '../../src-main/cli/reporter.js';
import { tempDir } from '../helpers/tinyData.js';
import { fakeStudio } from './fakeStudio.js';

function capture() {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { stdout: '', stderr: '' };
  out.on('data', (d: Buffer) => (text.stdout += d.toString()));
  err.on('data', (d: Buffer) => (text.stderr += d.toString()));
  return { out, err, text };
}

/** The JSON line `serve --json` prints once it listens. */
async function listening(text: { stdout: string }): Promise<{ url: string; loginUrl: string; port: number }> {
  await expect.poll(() => text.stdout, { timeout: 60_000 }).toContain('"command":"serve"');
  return JSON.parse(text.stdout.split('\n').find((l) => l.includes('"command":"serve"'))!) as {
    url: string;
    loginUrl: string;
    port: number;
  };
}

let saved: { HOME?: string; XDG_CONFIG_HOME?: string };
let home: string;
beforeEach(async () => {
  saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  home = await tempDir('vae-serve-home-');
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = join(home, 'config');
});
afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('vae-studio serve with a fake studio', () => {
  it('opens --project, prints the address, serves until aborted, then shuts the studio down', async () => {
    const fake = fakeStudio({
      'project.create': () => ({ ok: true, value: { name: 'p' } }),
    });
    const seen: unknown[] = [];
    const command = createServeCommand({
      createStudio: (options) => {
        seen.push(options);
        return Promise.resolve(fake.studio);
      },
    });
    const { out, err, text } = capture();
    const controller = new AbortController();
    const args = parseCommandArgs(['--port', '0', '--project', 'rel/p', '--json'], command.options);
    const running = command.run({
      options: new OptionReader(args),
      reporter: new Reporter(true, out, err),
      signal: controller.signal,
    });
    const { url, loginUrl, port } = await listening(text);
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    expect(loginUrl).toMatch(new RegExp(`^${url}\\?token=[0-9a-f]{64}$`));
    expect(seen).toEqual([
      {
        host: 'browser',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/) as unknown,
        stateDir: join(home, 'config', 'vae-studio'),
        projectsDir: join(home, 'VAE Studio'),
      },
    ]);
    expect(fake.calls[0]).toEqual({ name: 'project.create', input: { path: resolve('rel/p') } });
    expect((await fetch(`${url}api/health`)).status).toBe(401);
    const health = await fetch(`${url}api/health`, {
      headers: { Authorization: `Bearer ${new URL(loginUrl).searchParams.get('token')!}` },
    });
    expect(health.status).toBe(200);
    expect(fake.state.shutdowns).toBe(0);

    controller.abort();
    await running;
    expect(fake.state.shutdowns).toBe(1);
    expect(fake.listenerCount()).toBe(0);
    await expect(fetch(`${url}api/health`)).rejects.toThrow();
  });

  it('fails with the studio’s code when --project cannot be opened, and still shuts the studio down', async () => {
    const fake = fakeStudio({
      'project.create': () => ({ ok: false, code: 'NOT_A_FOLDER', message: '/x is a file' }),
    });
    const command = createServeCommand({ createStudio: () => Promise.resolve(fake.studio) });
    const { out, err } = capture();
    const args = parseCommandArgs(['--port', '0', '--project', '/x'], command.options);
    const run = command.run({
      options: new OptionReader(args),
      reporter: new Reporter(false, out, err),
      signal: new AbortController().signal,
    });
    await expect(run).rejects.toMatchObject({ code: 'NOT_A_FOLDER', message: '--project /x: /x is a file' });
    expect(fake.state.shutdowns).toBe(1);
  });
});

describe('vae-studio serve on the command line', () => {
  async function run(argv: string[]) {
    const { out, err, text } = capture();
    const code = await main(argv, { stdout: out, stderr: err });
    return { code, ...text };
  }

  it('exits 2 naming the option on a usage error', async () => {
    const port = await run(['serve', '--port', 'high']);
    expect([port.code, port.stderr]).toEqual([
      2,
      'vae-studio: serve: --port: expected a whole number, got "high" (see vae-studio serve --help)\n',
    ]);
    expect((await run(['serve', '--port', '70000'])).stderr).toContain(
      '--port: must be a whole number of at most 65535, got 70000',
    );
    expect((await run(['serve', '--token', ''])).stderr).toContain('--token must not be empty');
    expect((await run(['serve', 'extra'])).code).toBe(2);
    const help = await run(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--port <n> +TCP port \(0 = any free port\) \(default 7860\)/);
    expect((await run(['--help'])).stdout).toMatch(/^ {2}serve +run VAE Studio in a web browser/m);
  });

  it('starts the real studio, answers /api/health, and stops on SIGTERM with exit 0', async () => {
    const project = join(home, 'projects', 'first');
    const { out, err, text } = capture();
    const exited = main(['serve', '--port', '0', '--project', project, '--json'], {
      stdout: out,
      stderr: err,
    });
    const { url, loginUrl } = await listening(text);
    // The address's token, as a browser would get it: the printed address answers with the cookie.
    const login = await fetch(loginUrl, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const health = await fetch(`${url}api/health`, { headers: { Cookie: cookie } });
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, name: 'vae-studio', host: 'browser', clients: 0 });
    expect(existsSync(project)).toBe(true);

    process.emit('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${url}api/health`)).rejects.toThrow();
  });

  it('serves without a token with --no-token, after a one-line warning, on loopback only', async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((line: string) => void warnings.push(line));
    try {
      const fake = fakeStudio();
      const command = createServeCommand({ createStudio: () => Promise.resolve(fake.studio) });
      const { out, err, text } = capture();
      const controller = new AbortController();
      const running = command.run({
        options: new OptionReader(parseCommandArgs(['--port', '0', '--no-token', '--json'], command.options)),
        reporter: new Reporter(true, out, err),
        signal: controller.signal,
      });
      const { url, loginUrl } = await listening(text);
      expect(loginUrl).toBe(url);
      expect((await fetch(`${url}api/health`)).status).toBe(200);
      expect(warnings).toEqual([
        'vae-studio [serve]: running without a token (--no-token): anyone with an account on this machine can use it',
      ]);
      controller.abort();
      await running;
    } finally {
      spy.mockRestore();
    }
    const offLoopback = await run(['serve', '--port', '0', '--host', '0.0.0.0', '--no-token']);
    expect([offLoopback.code, offLoopback.stderr]).toEqual([
      2,
      'vae-studio: serve: --no-token: refusing to serve 0.0.0.0 without a token: other machines could use the studio; drop --no-token (see vae-studio serve --help)\n',
    ]);
    expect((await run(['serve', '--token', 'a', '--no-token'])).stderr).toContain(
      '--token and --no-token exclude each other',
    );
  });

  it('exits 1 with PORT_IN_USE when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await run(['serve', '--port', String(port), '--json']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout.trim())).toEqual({
        event: 'error',
        code: 'PORT_IN_USE',
        message: `port ${port} on 127.0.0.1 is already in use (is another vae-studio serve running?); choose another with --port <n>`,
      });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
