import { folderZipUrl } from '../api/contract';

/**
 * The address that downloads `folder` as a zip in browser mode, where the user cannot open the server's folders:
 * only for the project's own output folders (generated/…, interpolations/…), the ones the server serves (it
 * checks again, links followed: server/zipDownload.ts). Undefined in the desktop app, which opens folders instead.
 */
export function zipDownloadOf(
  folder: string | null | undefined,
  projectRoot: string | null | undefined,
  host: 'electron' | 'browser' | undefined,
): string | undefined {
  if (host !== 'browser' || !folder || !projectRoot) return undefined;
  const slashes = (path: string) => path.replace(/\\/g, '/').replace(/\/+$/, '');
  const path = slashes(folder);
  const root = slashes(projectRoot);
  const inside = ['generated', 'interpolations'].some((outputs) => {
    const prefix = `${root}/${outputs}/`;
    return path.startsWith(prefix) && path.length > prefix.length;
  });
  return inside ? folderZipUrl(folder) : undefined;
}
