/** Stand-ins for the File System Entry API objects a drop gives (`webkitGetAsEntry()`), and a DataTransfer. */

export function fileEntry(fullPath: string, bytes = 4): FileSystemFileEntry {
  const name = fullPath.split('/').pop()!;
  return {
    isFile: true,
    isDirectory: false,
    name,
    fullPath,
    file: (success: (file: File) => void) => success(new File([new Uint8Array(bytes)], name)),
  } as unknown as FileSystemFileEntry;
}

/** A folder whose reader answers in batches of `batchSize`, then an empty batch, as Chrome's does. */
export function dirEntry(
  fullPath: string,
  children: FileSystemEntry[],
  batchSize = 2,
): FileSystemDirectoryEntry {
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.split('/').pop()!,
    fullPath,
    createReader: () => {
      let next = 0;
      return {
        readEntries: (success: (entries: FileSystemEntry[]) => void) => {
          success(children.slice(next, next + batchSize));
          next += batchSize;
        },
      };
    },
  } as unknown as FileSystemDirectoryEntry;
}

export function dataTransfer(entries: FileSystemEntry[]): DataTransfer {
  return {
    items: entries.map((entry) => ({ kind: 'file', webkitGetAsEntry: () => entry })),
    files: entries.map((entry) => new File([], entry.name)),
  } as unknown as DataTransfer;
}
