import { join } from 'node:path';

/** Where everything lives inside a project folder. One place, so no other module spells a path. */
export interface ProjectLayout {
  root: string;
  projectFile: string;
  datasetDir: string;
  checkpointsDir: string;
  latestPointer: string;
  archiveDir: string;
  previewsDir: string;
  generatedDir: string;
}

/** The fixed layout of the project folder at `root`. */
export function projectLayout(root: string): ProjectLayout {
  const checkpointsDir = join(root, 'checkpoints');
  return {
    root,
    projectFile: join(root, 'project.json'),
    datasetDir: join(root, 'dataset'),
    checkpointsDir,
    latestPointer: join(checkpointsDir, 'latest.json'),
    archiveDir: join(checkpointsDir, 'archive'),
    previewsDir: join(root, 'previews'),
    generatedDir: join(root, 'generated'),
  };
}
