/**
 * Reads a folder chosen with `<input type="file" webkitdirectory>`: the browser hands over every file below it,
 * each with its `webkitRelativePath` ('/' separators, starting with the chosen folder's own name).
 */
import { isUploadableImage, type DroppedFile } from './droppedFiles';

/**
 * The image files of a picked folder, placed as a dropped folder's would be: the chosen folder is the root, so
 * its subfolders become the classes. Files without a relative path (a plain file input) land at the top level.
 */
export function pickedImageFiles(picked: Iterable<File>): { files: DroppedFile[]; ignored: number } {
  const files: DroppedFile[] = [];
  let ignored = 0;
  for (const file of picked) {
    if (!isUploadableImage(file.name)) {
      ignored += 1;
      continue;
    }
    const segments = (file.webkitRelativePath || file.name).split('/').filter(Boolean);
    const path = segments.length > 1 ? segments.slice(1).join('/') : file.name;
    files.push({ path, file });
  }
  return { files, ignored };
}
