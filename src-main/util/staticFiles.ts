/**
 * Serving a folder of built files read-only, shared by the Electron `vae://` scheme and the browser server: which
 * file a request path names (never one outside the folder) and the content type it is sent with. Security code,
 * so it exists once.
 */
import { extname, isAbsolute, join, relative, sep } from 'node:path';

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

/**
 * The Content-Type a file is served with, by its extension (case-insensitive); `application/octet-stream` when
 * unknown. Module scripts need a JavaScript type, or the browser refuses them.
 */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Where a request path leads inside a root folder: the file, or why it may not be served (`malformed`: not
 * decodable, not starting with `/`, or holding a NUL byte; `outside`: it would leave the root).
 */
export type StaticPath = { ok: true; file: string } | { ok: false; reason: 'malformed' | 'outside' };

/**
 * Maps the path part of a request URL (still percent-encoded, as the client sent it) to a file under `root`; a path
 * ending in `/` names that folder's `index.html`. Any `..` segment is refused, whether typed, percent-encoded or
 * written with backslashes, rather than normalised away, so a probe never gets a file from elsewhere. Symbolic
 * links inside `root` are followed as they are (the built folders hold none).
 */
export function resolveStaticPath(root: string, urlPath: string): StaticPath {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!decoded.startsWith('/') || decoded.includes('\0')) return { ok: false, reason: 'malformed' };
  const segments = decoded.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, reason: 'outside' };
  const file = join(
    root,
    ...(decoded.endsWith('/') || segments.length === 0 ? [...segments, 'index.html'] : segments),
  );
  const rel = relative(root, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return { ok: false, reason: 'outside' };
  }
  return { ok: true, file };
}
