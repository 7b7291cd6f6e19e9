/**
 * The folder each class of a conditional generation is written to, `<out>/<folder>/`: the ImageFolder layout
 * that PyTorch's `ImageFolder` and Keras's `image_dataset_from_directory` read as a labelled dataset. A class's
 * name came from a folder on the machine it was imported on, so it is usually a fine folder name already; what
 * another system refuses is replaced, so one output folder copies to Windows, macOS and Linux alike.
 */

/** Characters Windows refuses in a name (and `/`, which no system allows), and control characters. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a folder name
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
/** Names Windows reserves for devices, with or without an extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;
/** Longest folder name kept, in UTF-16 units: well inside every common file system's 255-byte limit. */
const MAX_LENGTH = 100;

/** One class's folder name on its own: unsafe characters as `_`, no trailing dot or space, no device name. */
export function safeFolderName(name: string): string {
  let folder = name.normalize('NFC').replace(UNSAFE, '_').slice(0, MAX_LENGTH);
  // Windows drops a trailing dot or space, which would merge "a." with "a"; a leading dot hides the folder.
  folder = folder.replace(/[. ]+$/, (end) => '_'.repeat(end.length)).replace(/^\./, '_');
  if (folder === '' || RESERVED.test(folder)) folder = `_${folder}`;
  return folder;
}

/**
 * The folder of each class, in the order given (a model's sorted `config.classes`): {@link safeFolderName}, and
 * where two classes would share a folder on a case-insensitive file system (macOS, Windows), or a class would take
 * one of the `reserved` names (the manifest's files beside the folders), the later one gets `-2`, `-3`, … So every
 * class has its own folder, and the same classes always get the same folders.
 */
export function classFolders(classes: readonly string[], reserved: readonly string[] = []): string[] {
  const taken = new Set(reserved.map((name) => name.toLowerCase()));
  return classes.map((name) => {
    const base = safeFolderName(name);
    let folder = base;
    for (let n = 2; taken.has(folder.toLowerCase()); n++) folder = `${base}-${n}`;
    taken.add(folder.toLowerCase());
    return folder;
  });
}
