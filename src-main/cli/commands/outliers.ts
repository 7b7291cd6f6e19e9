import { runOutliers } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed } from '../format.js';

export const outliersCommand: Command = {
  name: 'outliers',
  summary: 'rank the images by how badly the model explains them (−ELBO, reconstruction), with a CSV of all',
  usage: '--project <dir> [--data <folder>] [--top <n>]',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    data: {
      type: 'string',
      value: 'folder',
      help: "score this folder's images instead, decoded like the project's dataset (default: the dataset)",
    },
    top: { type: 'string', value: 'n', help: 'how many of the worst images to list', default: '50' },
    samples: { type: 'string', value: 'n', help: 'posterior samples per image', default: '4' },
    seed: { type: 'string', value: 'n', help: 'seed of the posterior samples', default: '0' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const data = options.string('data');
    const r = await runOutliers(
      {
        project: options.required('project'),
        ...(data ? { data } : {}),
        top: options.number('top', { min: 1, max: 100_000, integer: true }) ?? 50,
        samples: options.number('samples', { min: 1, max: 64, integer: true }) ?? 4,
        seed: options.number('seed', { min: 0, integer: true }) ?? 0,
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    const width = Math.max(4, ...r.items.map((i) => i.file.length));
    reporter.result('outliers', r, [
      `${r.scored.count} images of ${r.scored.folder} scored by the model at epoch ${r.model.epoch} ` +
        `(${r.likelihood} likelihood, ${r.samples} samples each; median −ELBO ${fixed(r.medianNegElbo)} nats)`,
      `worst explained first (−ELBO and its reconstruction term, nats/image; typicality in robust spreads):`,
      ...r.items.map(
        (i) =>
          `  ${String(i.rank).padStart(4)}  ${i.file.padEnd(width)}  −ELBO ${fixed(i.negElbo).padStart(9)}  ` +
          `rec ${fixed(i.reconstruction).padStart(9)}  ${fixed(i.typicality, 1).padStart(6)}${i.excluded ? '  (excluded)' : ''}`,
      ),
      `most likely (a likelihood calls these typical; look at them too): ${r.mostLikely
        .slice(0, 5)
        .map((i) => i.file)
        .join(', ')}`,
      ...(r.excluded > 0 ? [`${r.excluded} images of the dataset are excluded from training`] : []),
      `every image: ${r.csv}; report: ${r.report} (${fixed(r.seconds, 1)} s)`,
    ]);
  },
};
