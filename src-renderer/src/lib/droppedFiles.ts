/**
 * Reads what the user dropped. Browser mode walks dropped folders with `webkitGetAsEntry()` (the only way a page
 * can read a folder's contents) and uploads the files; Electron asks the preload for the dropped folder's path.
 */

/** A dropped file and where it goes below the upload folder ('/' separators). */
export interface DroppedFile {
  path: string;
  file: File;
}

/**
 * What a drop or a picked folder hands to an upload: the image files, the files left out (not images, or hidden;
 * their paths as `files`' are), and the dropped folder's own name, which the upload folder takes (null for loose
 * files or several folders).
 */
export interface UploadSelection {
  files: DroppedFile[];
  leftOut: string[];
  name: string | null;
}

/** Image types the import understands; everything else is left out of an upload. */
const IMAGE_EXTENSIONS = /\.(png|jpe?g|webp|gif|bmp|tiff?|avif)$/i;

/** Whether a file of this name goes into an upload: an image type the import reads, and not a hidden file. */
export function isUploadableImage(name: string): boolean {
  return IMAGE_EXTENSIONS.test(name) && !name.startsWith('.');
}

/**
 * The entries of a drop. Must be called synchronously inside the `drop` handler: the browser empties the
 * DataTransfer once the event returns.
 */
export function droppedEntries(transfer: DataTransfer): FileSystemEntry[] {
  const entries: FileSystemEntry[] = [];
  for (const item of Array.from(transfer.items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * Every image file below the dropped entries. One dropped folder is the dataset root (its subfolders become the
 * classes); several dropped folders each become a class; loose files land at the top level.
 */
export async function collectImageFiles(entries: FileSystemEntry[]): Promise<UploadSelection> {
  const files: DroppedFile[] = [];
  const leftOut: string[] = [];
  const single = entries.length === 1 && entries[0]!.isDirectory ? entries[0]!.fullPath : null;
  const relative = (fullPath: string) =>
    (single && fullPath.startsWith(`${single}/`) ? fullPath.slice(single.length + 1) : fullPath).replace(
      /^\/+/,
      '',
    );

  async function walk(entry: FileSystemEntry): Promise<void> {
    if (isFile(entry)) {
      if (!isUploadableImage(entry.name)) {
        leftOut.push(relative(entry.fullPath));
        return;
      }
      files.push({ path: relative(entry.fullPath), file: await fileOf(entry) });
    } else if (isDirectory(entry)) {
      for (const child of await readAll(entry)) await walk(child);
    }
  }
  for (const entry of entries) await walk(entry);
  return { files, leftOut, name: single ? entries[0]!.name : null };
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

/** `readEntries` answers in batches (100 in Chrome) until it returns an empty one. */
async function readAll(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}
