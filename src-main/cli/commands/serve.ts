import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer, type RunningServer } from '../../server/index.js';
import { createStudio } from '../../studio/index.js';
import type { EventPayload } from '../../contract/index.js';
import type { Studio, StudioOptions } from '../../studio/types.js';
import { UserError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { findPackage, type PackageInfo } from '../../util/packageInfo.js';
import { UsageError } from '../args.js';
import type { Command } from '../command.js';

/** What `serve` needs from outside, so tests can hand it a fake studio. */
export interface ServeDependencies {
  createStudio(options: StudioOptions): Promise<Studio>;
}

/** Builds the `serve` command over `deps`; `serveCommand` is the one wired to the real studio. */
export function createServeCommand(deps: ServeDependencies): Command {
  return {
    name: 'serve',
    summary: 'run VAE Studio in a web browser: a local server for the app, until Ctrl-C',
    usage: '[--port <n>] [--project <dir>] [--token <t> | --no-token]',
    options: {
      port: { type: 'string', value: 'n', help: 'TCP port (0 = any free port)', default: '7860' },
      host: {
        type: 'string',
        value: 'address',
        help: 'address to listen on (127.0.0.1, ::1 or localhost: this machine only)',
        default: '127.0.0.1',
      },
      project: { type: 'string', value: 'dir', help: 'project folder to open (created if it is none yet)' },
      token: {
        type: 'string',
        value: 't',
        help: 'access token, part of the printed address and kept in a cookie (default: a random one)',
      },
      'no-token': {
        type: 'boolean',
        help: 'serve without a token (loopback only): anyone with an account on this machine can use it',
      },
    },
    async run({ options, reporter, signal }) {
      options.positionals(0, []);
      const port = options.number('port', { integer: true, min: 0, max: 65535 }) ?? 7860;
      const host = options.string('host', '127.0.0.1');
      const project = options.string('project');
      const token = options.string('token');
      if (host.trim() === '') throw new UsageError('--host must not be empty');
      if (token === '') throw new UsageError('--token must not be empty');
      const noToken = options.flag('no-token');
      if (noToken && token !== undefined) throw new UsageError('--token and --no-token exclude each other');
      const pkg = packageInfo();

      const studio = await deps.createStudio({
        host: 'browser',
        version: pkg.version,
        stateDir: stateDir(),
        projectsDir: join(homedir(), 'VAE Studio'),
      });
      let server: RunningServer | undefined;
      // The terminal shows each job's start and end; progress is the browser's to show.
      const stopListening = studio.subscribe((name, payload) => {
        if (name === 'job.started')
          reporter.line(`job started: ${(payload as EventPayload<'job.started'>).title}`);
        if (name === 'job.done') {
          const done = payload as EventPayload<'job.done'>;
          reporter.line(`${done.kind} job ${done.cancelled ? 'cancelled' : 'finished'}`);
        }
        if (name === 'job.failed') {
          const failed = payload as EventPayload<'job.failed'>;
          reporter.line(`${failed.kind} job failed: ${failed.message}`);
        }
      });
      try {
        if (project !== undefined) {
          const opened = await studio.invoke('project.create', { path: resolve(project) });
          if (!opened.ok) throw new UserError(opened.code, `--project ${project}: ${opened.message}`);
        }
        server = await startServer({
          studio,
          host,
          port,
          token,
          noToken,
          rendererDir: join(pkg.root, 'out', 'renderer'),
          version: pkg.version,
        }).catch((err: unknown) => {
          if (err instanceof UserError && err.code === 'INVALID_TOKEN')
            throw new UsageError(`--token: ${err.message}`);
          if (err instanceof UserError && err.code === 'NO_TOKEN_OFF_LOOPBACK')
            throw new UsageError(`--no-token: ${err.message}`);
          throw err;
        });
        if (noToken) {
          log.warn(
            'serve',
            'running without a token (--no-token): anyone with an account on this machine can use it',
          );
        }
        reporter.result(
          'serve',
          {
            url: server.url,
            loginUrl: server.loginUrl,
            port: server.port,
            host,
            tokenRequired: server.token !== null,
          },
          [
            `VAE Studio is running at ${server.loginUrl}`,
            ...(host === '0.0.0.0' || host === '::'
              ? [
                  `from other machines: ${server.loginUrl.replace(server.url, `http://${hostname()}:${server.port}/`)}`,
                ]
              : []),
            'Ctrl-C to stop',
          ],
        );
        await stopped(signal);
        reporter.line('stopping: cancelling running jobs (finished checkpoints and files are kept)…');
      } finally {
        stopListening();
        // The studio first, so the browsers still hear how the cancelled jobs ended.
        try {
          await studio.shutdown();
        } finally {
          await server?.close();
        }
      }
    },
  };
}

/** `vae-studio serve`. */
export const serveCommand = createServeCommand({ createStudio });

/** Resolves on the command's abort signal (Ctrl-C, via the CLI) or SIGTERM. */
function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      signal.removeEventListener('abort', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', stop);
    process.on('SIGTERM', stop);
  });
}

/** `$XDG_CONFIG_HOME/vae-studio`, else `~/.config/vae-studio`: where the studio keeps its recent projects. */
function stateDir(): string {
  const config = process.env.XDG_CONFIG_HOME?.trim() || join(homedir(), '.config');
  return join(config, 'vae-studio');
}

/** The installed package's folder and version (the renderer is served from its out/renderer). */
function packageInfo(): PackageInfo {
  const pkg = findPackage();
  if (!pkg) {
    throw new UserError(
      'NOT_INSTALLED',
      'cannot find the vae-studio package folder (its package.json) above this file',
    );
  }
  return pkg;
}
