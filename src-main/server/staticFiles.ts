/**
 * Serves the built renderer (`out/renderer`, made by `vite build`) read-only: `index.html` for `/`, each file with
 * its content type, nothing outside the folder, and a page saying how to build it when it is missing.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { contentTypeOf, resolveStaticPath } from '../util/staticFiles.js';
import { securityHeaders, sendText } from './headers.js';

/** Where a request path leads inside `root`, or the status and message that refuse it. */
type ResolvedPath = { ok: true; file: string } | { ok: false; status: 400 | 403; message: string };

/**
 * Maps the path part of a request URL (still percent-encoded) to a file under `root` by
 * {@link resolveStaticPath}: a malformed path is a 400, one leading outside the folder a clear 403.
 */
function resolveRequestPath(root: string, rawPath: string): ResolvedPath {
  const resolved = resolveStaticPath(root, rawPath);
  if (resolved.ok) return resolved;
  return resolved.reason === 'malformed'
    ? { ok: false, status: 400, message: `malformed path: ${rawPath}` }
    : { ok: false, status: 403, message: 'refused: the path leads outside the VAE Studio app' };
}

/** Answers a GET or HEAD for a file of the renderer. */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  rendererDir: string,
): Promise<void> {
  if (!(await isFile(join(rendererDir, 'index.html')))) {
    sendText(
      req,
      res,
      503,
      `The VAE Studio web app has not been built yet: ${rendererDir} has no index.html.\n` +
        'Run `npm run build` in the vae-studio folder, then reload this page.',
    );
    return;
  }
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const resolved = resolveRequestPath(rendererDir, rawPath);
  if (!resolved.ok) {
    sendText(req, res, resolved.status, resolved.message);
    return;
  }
  const info = await stat(resolved.file).catch(() => null);
  if (!info?.isFile()) {
    sendText(req, res, 404, `not found: ${rawPath}`);
    return;
  }
  res.writeHead(200, {
    ...securityHeaders(req),
    'Content-Type': contentTypeOf(resolved.file),
    'Content-Length': info.size,
    // Small local files: always revalidate, so a rebuilt renderer shows up on reload.
    'Cache-Control': 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(resolved.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() ?? false;
}
