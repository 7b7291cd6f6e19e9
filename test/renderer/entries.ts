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

/**
 * A file as `<input type="file" webkitdirectory>` hands it over: its `webkitRelativePath` starts with the chosen
 * folder's name. happy-dom's File has no such path, so it is set on the instance.
 */
export function pickedFile(relativePath: string, bytes = 4): File {
  const file = new File([new Uint8Array(bytes)], relativePath.split('/').pop()!);
  Object.defineProperty(file, 'webkitRelativePath', { value: relativePath });
  return file;
}

/** Makes `files` what a file input holds, as the browser's chooser would, and fires its `change`. */
export function chooseFiles(input: HTMLInputElement, files: File[]): void {
  Object.defineProperty(input, 'files', { value: files, configurable: true });
  input.dispatchEvent(new Event('change'));
}
