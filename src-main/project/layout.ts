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
  /** Where an interpolation export writes when no output folder is given (`interpolations/<time>/`). */
  interpolationsDir: string;
  /** Outlier rankings of the dataset (`outliers/<time>/`: outliers.json, scores.csv, images/). */
  outliersDir: string;
  /** Dataset images left out of training (project/exclusions.ts), kept across re-imports of the same files. */
  exclusionsFile: string;
  /** The writers' lock (project/lock.ts): who is changing the dataset or the model now. */
  lockFile: string;
  /** `archive/<time>/`: an old dataset and the model trained on it, moved aside by an import that replaced them. */
  projectArchiveDir: string;
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
    interpolationsDir: join(root, 'interpolations'),
    outliersDir: join(root, 'outliers'),
    exclusionsFile: join(root, 'exclusions.json'),
    lockFile: join(root, '.lock'),
    projectArchiveDir: join(root, 'archive'),
  };
}
