/**
 * Reads a folder chosen with `<input type="file" webkitdirectory>`: the browser hands over every file below it,
 * each with its `webkitRelativePath` ('/' separators, starting with the chosen folder's own name).
 */
import { isUploadableImage, type DroppedFile, type UploadSelection } from './droppedFiles';

/**
 * The image files of a picked folder, placed as a dropped folder's would be: the chosen folder is the root, so
 * its subfolders become the classes. Files without a relative path (a plain file input) land at the top level.
 */
export function pickedImageFiles(picked: Iterable<File>): UploadSelection {
  const files: DroppedFile[] = [];
  const leftOut: string[] = [];
  let name: string | null = null;
  for (const file of picked) {
    const segments = (file.webkitRelativePath || file.name).split('/').filter(Boolean);
    const path = segments.length > 1 ? segments.slice(1).join('/') : file.name;
    if (segments.length > 1) name ??= segments[0]!;
    if (isUploadableImage(file.name)) files.push({ path, file });
    else leftOut.push(path);
  }
  return { files, leftOut, name };
}
