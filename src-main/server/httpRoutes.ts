/**
 * The HTTP side of the server: the access check first, then `GET /api/health`, the zip download of an output
 * folder, then the renderer's files. Everything else the app does goes over the WebSocket.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { DOWNLOAD_PATH } from '../contract/index.js';
import type { Studio } from '../studio/types.js';
import type { AccessControl } from './auth.js';
import { securityHeaders, sendJson, sendText } from './headers.js';
import { serveStatic } from './staticFiles.js';
import { sendFolderZip } from './zipDownload.js';

/** What `GET /api/health` answers. */
export interface Health {
  ok: true;
  name: 'vae-studio';
  version: string;
  host: 'browser';
  /** WebSocket clients connected now. */
  clients: number;
}

/** Builds the request listener of the HTTP server. */
export function createRequestListener(options: {
  access: AccessControl;
  rendererDir: string;
  /** Whose output folders `GET /api/zip` serves. */
  studio: Studio;
  health: () => Health;
}): RequestListener {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const decision = options.access.checkRequest(req);
    if (decision.kind === 'deny') {
      const challenge = decision.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="VAE Studio"' } : {};
      sendText(req, res, decision.status, decision.message, challenge);
      return;
    }
    if (decision.kind === 'redirect') {
      res.writeHead(302, {
        ...securityHeaders(req),
        Location: decision.location,
        'Set-Cookie': decision.cookie,
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(req, res, 405, `${req.method ?? '?'} is not allowed here; use GET`, { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/api/health') {
      sendJson(req, res, 200, options.health());
      return;
    }
    if (path === DOWNLOAD_PATH) {
      await sendFolderZip(req, res, options.studio);
      return;
    }
    if (path.startsWith('/api/')) {
      sendJson(req, res, 404, { ok: false, code: 'NOT_FOUND', message: `no such API endpoint: ${path}` });
      return;
    }
    await serveStatic(req, res, options.rendererDir);
  };
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else sendText(req, res, 500, `VAE Studio server error: ${(err as Error).message}`);
    });
  };
}
