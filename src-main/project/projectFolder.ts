import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/atomicWrite.js';
import { projectLayout, type ProjectLayout } from './layout.js';
import { makeFolder } from '../util/folders.js';

export const PROJECT_FORMAT = 'vae-studio-project';

/** Contents of `project.json`. */
export interface ProjectFile {
  format: typeof PROJECT_FORMAT;
  version: 1;
  name: string;
  createdAt: string;
}

export interface Project {
  layout: ProjectLayout;
  meta: ProjectFile;
}

/**
 * Opens the project at `dir`, creating it (and `project.json`) when the folder is new or empty of a project.
 * A folder whose `project.json` is not ours is refused rather than overwritten.
 */
export async function openOrCreateProject(dir: string): Promise<Project> {
  const layout = projectLayout(resolve(dir));
  const existing = await readProjectFile(layout);
  if (existing) return { layout, meta: existing };
  await makeFolder(layout.root);
  const meta: ProjectFile = {
    format: PROJECT_FORMAT,
    version: 1,
    name: layout.root.split(/[\\/]/).pop() ?? 'project',
    createdAt: new Date().toISOString(),
  };
  await writeJsonAtomic(layout.projectFile, meta);
  return { layout, meta };
}

/** Opens an existing project; a missing folder or `project.json` is a `NO_PROJECT` error naming the path. */
export async function openProject(dir: string): Promise<Project> {
  const layout = projectLayout(resolve(dir));
  const meta = await readProjectFile(layout);
  if (!meta) {
    throw new UserError('NO_PROJECT', `${layout.root} is not a VAE Studio project (it has no project.json)`);
  }
  return { layout, meta };
}

async function readProjectFile(layout: ProjectLayout): Promise<ProjectFile | null> {
  try {
    const s = await stat(layout.root);
    if (!s.isDirectory())
      throw new UserError('NOT_A_FOLDER', `${layout.root} is a file, not a project folder`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let text: string;
  try {
    text = await readFile(layout.projectFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError('BAD_PROJECT', `${layout.projectFile}: not valid JSON`);
  }
  const meta = parsed as Partial<ProjectFile>;
  if (meta.format !== PROJECT_FORMAT) {
    throw new UserError(
      'BAD_PROJECT',
      `${layout.projectFile}: not a VAE Studio project file (format "${String(meta.format)}")`,
    );
  }
  return meta as ProjectFile;
}
