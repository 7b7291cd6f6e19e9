/**
 * The folder a new project gets from its name: a folder name anyone can type in a terminal ("My cats!" →
 * "my-cats"), letters of any script kept, accents dropped; "my-project" when nothing is left.
 */
export function folderNameFor(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug || 'my-project';
}

/** `child` inside `dir`, with the separator `dir` already uses (a Windows server's projects folder has '\'). */
export function joinFolder(dir: string, child: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return `${dir.replace(/[\\/]+$/, '')}${sep}${child}`;
}

/** Whether `path` is absolute on either kind of system (the main side resolves a relative one in `dir`). */
export function isAbsoluteFolder(path: string): boolean {
  return /^([a-zA-Z]:[\\/]|[\\/])/.test(path);
}
