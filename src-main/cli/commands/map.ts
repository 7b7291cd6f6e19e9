import { MAP_SETTINGS } from '../../contract/index.js';
import { runMap } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed } from '../format.js';
import { readSettings, settingOptions } from '../settingOptions.js';

export const mapCommand: Command = {
  name: 'map',
  summary: 'the latent map: every image encoded (μ) and laid out in 2-D (UMAP or PCA), as CSV',
  usage: '--project <dir> [--method umap|pca] [--data <folder>] --out <file.csv>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    out: {
      type: 'string',
      value: 'file.csv',
      help: 'the CSV to write: file, label, x, y, z0 … (an existing file must be an earlier map)',
    },
    data: {
      type: 'string',
      value: 'folder',
      help: "map this folder's images (preprocessed like the project's) instead of the project's dataset",
    },
    ...settingOptions(MAP_SETTINGS),
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const data = options.string('data');
    const r = await runMap(
      {
        project: options.required('project'),
        out: options.required('out'),
        ...readSettings(options, MAP_SETTINGS),
        ...(data ? { data } : {}),
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    const how =
      r.method === 'umap' ? `UMAP, ${r.neighbours} neighbours, ${r.epochs} epochs, seed ${r.seed}` : 'PCA';
    const s = r.seconds;
    reporter.result('map', r, [
      `mapped ${r.images} images (${r.latentDim}-dimensional latents of the model at epoch ${r.modelEpoch}; ${how}) to ${r.csv}`,
      `time: ${fixed(s.total, 1)} s (encoding ${fixed(s.encode, 1)} s, layout ${fixed(s.layout, 1)} s; ${fixed(s.cpu, 1)} s of CPU)`,
      ...(r.agreement
        ? [
            `classes: ${fixed(r.agreement.accuracy * 100, 1)}% of images have the class of most of their ${r.agreement.k} nearest map neighbours (chance ${fixed(r.agreement.chance * 100, 1)}%)`,
          ]
        : []),
      ...(r.skipped ? [`  ${r.skipped} files skipped (not readable as images)`] : []),
    ]);
  },
};
