/**
 * Serves the built renderer (`out/renderer`, made by `vite build`) read-only: `index.html` for `/`, each file with
 * its content type, nothing outside the folder, and a page saying how to build it when it is missing.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { securityHeaders, sendText } from './headers.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/** The content type a file is served with, by its extension. */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Where a request path leads inside `root`, or why it may not be served. */
export type ResolvedPath = { ok: true; file: string } | { ok: false; status: 400 | 403; message: string };

/**
 * Maps the path part of a request URL (still percent-encoded, as the client sent it) to a file under `root`.
 * Any `..` segment is refused, whether typed, percent-encoded or written with backslashes, rather than
 * normalised away, so a probe gets a clear 403 and never a file from elsewhere.
 */
export function resolveRequestPath(root: string, rawPath: string): ResolvedPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, message: `malformed path: ${rawPath}` };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0')) {
    return { ok: false, status: 400, message: `malformed path: ${rawPath}` };
  }
  const segments = decoded.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  const file = join(root, ...(decoded.endsWith('/') ? [...segments, 'index.html'] : segments));
  const rel = relative(root, file);
  if (segments.includes('..') || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return { ok: false, status: 403, message: 'refused: the path leads outside the VAE Studio app' };
  }
  return { ok: true, file };
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
