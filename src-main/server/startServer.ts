/**
 * `startServer`: the studio behind one HTTP port, the renderer's files over HTTP and the contract over a
 * WebSocket at `/ws`. It owns neither the studio nor its jobs: closing the server leaves the studio running, and
 * the caller shuts it down.
 */
import { STATUS_CODES, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { TOKEN_PARAM, WIRE_PATH } from '../contract/wire.js';
import type { Studio } from '../studio/types.js';
import { UserError } from '../util/errors.js';
import { AccessControl, generateToken, isLoopbackHost } from './auth.js';
import { createRequestListener } from './httpRoutes.js';
import { DEFAULT_LIMITS, HeavyWorkGate, type ServerLimits } from './limits.js';
import { broadcastEvent, startSession } from './websocketSession.js';

/** How to start the server. */
export interface ServerOptions {
  studio: Studio;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** TCP port; default 7860, 0 for any free port. */
  port?: number;
  /** Access token; a random one when not given. Required on every address, loopback included. */
  token?: string;
  /**
   * Serve without a token (`--no-token`): anyone who can reach the port may use the studio. Allowed on a
   * loopback address only; refused with UserError NO_TOKEN_OFF_LOOPBACK elsewhere.
   */
  noToken?: boolean;
  /** The built renderer (`out/renderer`). */
  rendererDir: string;
  /** The app's version, for `hello` and `/api/health`. */
  version: string;
  /** Overrides of {@link DEFAULT_LIMITS} (tests shrink the timeouts). */
  limits?: Partial<ServerLimits>;
}

/** A listening server. */
export interface RunningServer {
  /** Where to open the app, e.g. `http://127.0.0.1:7860/`. */
  url: string;
  /** `url` with `?token=…` when a token is required: the address to hand to the user. */
  loginUrl: string;
  /** The access token, or null when none is required (`noToken`). */
  token: string | null;
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Closes every WebSocket (code 1001) and stops listening; the studio keeps running. */
  close(): Promise<void>;
}

/** How long closing clients get to answer the close handshake before they are cut off. */
const CLOSE_GRACE_MS = 1000;
const TOKEN_CHARS = /^[\w.~+/=-]+$/;

/**
 * Starts the server and resolves once it listens. Rejects with UserError PORT_IN_USE when the port is taken,
 * ADDRESS_NOT_AVAILABLE for an address this machine does not have, INVALID_TOKEN for an unusable token and
 * NO_TOKEN_OFF_LOOPBACK for `noToken` on an address other machines can reach.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  if (options.token !== undefined && !TOKEN_CHARS.test(options.token)) {
    throw new UserError(
      'INVALID_TOKEN',
      'the token must be non-empty and use only letters, digits and . _ ~ + / = -',
    );
  }
  if (options.noToken && !loopback) {
    throw new UserError(
      'NO_TOKEN_OFF_LOOPBACK',
      `refusing to serve ${host} without a token: other machines could use the studio; drop --no-token`,
    );
  }
  const token = options.noToken ? null : (options.token ?? generateToken());
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const gate = new HeavyWorkGate(limits);
  const access = new AccessControl(token, loopback);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const server = createServer(
    {
      // Slow-loris: a client must send its headers, and its whole request, promptly.
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckMs,
    },
    createRequestListener({
      access,
      rendererDir: options.rendererDir,
      studio: options.studio,
      health: () => ({
        ok: true,
        name: 'vae-studio',
        version: options.version,
        host: 'browser',
        clients: sockets.clients.size,
      }),
    }),
  );
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (path !== WIRE_PATH) {
      refuseUpgrade(socket, 404, `no WebSocket endpoint at ${path}; the app connects to ${WIRE_PATH}`);
      return;
    }
    const decision = access.checkUpgrade(req);
    if (decision.kind === 'deny') {
      refuseUpgrade(socket, decision.status, decision.message);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) =>
      startSession(ws, { studio: options.studio, version: options.version, limits, gate }),
    );
  });

  const port = await listen(server, options.port ?? 7860, host).catch((err: unknown) => {
    sockets.close();
    throw err;
  });
  access.setPort(port);
  const unsubscribe = options.studio.subscribe((name, payload) =>
    broadcastEvent(sockets.clients, name, payload, limits.maxBufferedBytes),
  );
  const url = `http://${urlHost(host)}:${port}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    loginUrl: token === null ? url : `${url}?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    token,
    port,
    close: () =>
      (closing ??= (async () => {
        unsubscribe();
        await closeClients([...sockets.clients]);
        sockets.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new UserError(
            'PORT_IN_USE',
            `port ${port} on ${host} is already in use (is another vae-studio serve running?); choose another with --port <n>`,
          ),
        );
      } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        reject(
          new UserError(
            'ADDRESS_NOT_AVAILABLE',
            `cannot listen on ${host}: this machine has no such address`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new UserError(
            'PORT_NOT_ALLOWED',
            `not allowed to listen on port ${port}; choose one above 1023 with --port <n>`,
          ),
        );
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

async function closeClients(clients: WebSocket[]): Promise<void> {
  const closed = clients.map((c) => new Promise<void>((resolve) => c.once('close', () => resolve())));
  for (const c of clients) c.close(1001, 'the VAE Studio server is shutting down');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(closed),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
  ]);
  clearTimeout(timer);
  for (const c of clients) c.terminate();
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(`${message}\n`, 'utf8');
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${body.length}\r\n` +
    'Connection: close\r\n\r\n';
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/** A host for URLs: the unspecified addresses become this machine's loopback; IPv6 gets its brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
