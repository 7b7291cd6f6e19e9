/**
 * Browser mode's download of an output folder (a generation run, an interpolation export) as one zip file, for a
 * user whose server has no screen: `GET /api/zip?folder=<path>`. The studio says which folders may go (the current
 * project's outputs, links followed); the files are streamed one by one, so a large run never sits in memory.
 */
import type { Dirent } from 'node:fs';
import { lstat, readFile, readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join } from 'node:path';
import { DOWNLOAD_FOLDER_PARAM, type ApiFailure } from '../contract/index.js';
import type { Studio } from '../studio/types.js';
import { ZipWriter } from '../util/zipWriter.js';
import { securityHeaders, sendText } from './headers.js';

/** The status a refused download answers with. */
function statusOf(failure: ApiFailure): number {
  switch (failure.code) {
    case 'NOT_AN_OUTPUT':
      return 403;
    case 'NOT_FOUND':
    case 'NO_PROJECT':
      return 404;
    case 'INVALID_INPUT':
      return 400;
    default:
      return 500;
  }
}

/** Answers `GET /api/zip?folder=…` (HEAD: the headers only). */
export async function sendFolderZip(
  req: IncomingMessage,
  res: ServerResponse,
  studio: Studio,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://server.invalid');
  const asked = url.searchParams.get(DOWNLOAD_FOLDER_PARAM);
  if (!asked) {
    sendText(req, res, 400, `say which folder to download: ?${DOWNLOAD_FOLDER_PARAM}=<its path>`);
    return;
  }
  const resolved = await studio.outputFolder(asked);
  if (!resolved.ok) {
    sendText(req, res, statusOf(resolved), resolved.message);
    return;
  }
  const folder = resolved.value;
  const files = await listFiles(folder);
  const name = `${basename(folder)}.zip`;
  res.writeHead(200, {
    ...securityHeaders(req),
    'Content-Type': 'application/zip',
    'Content-Disposition': attachment(name),
    'Cache-Control': 'no-store',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let closed = false;
  res.on('close', () => (closed = true));
  const zip = new ZipWriter(
    (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error('the download was cancelled'));
        if (res.write(chunk)) return resolve();
        res.once('drain', resolve);
      }),
  );
  try {
    // Inside the folder, named as the folder names it: `a/sample-s0-000000.png`, `manifest.jsonl`.
    const top = basename(folder);
    for (const file of files) {
      const data = await readFile(join(folder, file.path)).catch(() => null);
      // Gone since the folder was listed (a run still writing replaces temporary files): left out.
      if (data === null) continue;
      await zip.add(`${top}/${file.path}`, data, file.modified);
    }
    await zip.finish();
    res.end();
  } catch {
    // The client went away, or a read failed after the headers were sent: all that is left is to stop.
    res.destroy();
  }
}

/**
 * The regular files under `folder`, relative paths with '/' separators, sorted. Hidden files (a run's temporary
 * files) are left out, and links are not followed, so nothing outside the folder is ever read.
 */
async function listFiles(folder: string, prefix = ''): Promise<{ path: string; modified: Date }[]> {
  const found: { path: string; modified: Date }[] = [];
  let entries: Dirent[];
  try {
    entries = await readdir(join(folder, prefix), { withFileTypes: true });
  } catch {
    return found;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) found.push(...(await listFiles(folder, path)));
    else if (entry.isFile()) {
      const info = await lstat(join(folder, path)).catch(() => null);
      if (info?.isFile()) found.push({ path, modified: info.mtime });
    }
  }
  return found;
}

/** A Content-Disposition that names the file in plain ASCII and, for any other name, in UTF-8 too (RFC 6266). */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
