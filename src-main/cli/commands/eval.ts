import { TRAINING_SETTINGS } from '../../contract/index.js';
import { runEvaluation } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed, likelihoodNote } from '../format.js';
import { readNumberSetting } from '../settingOptions.js';

export const evalCommand: Command = {
  name: 'eval',
  summary: '−ELBO (nats/image, bits/dim) on held-out images',
  usage: '--project <dir> [--data <folder>]',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    data: {
      type: 'string',
      value: 'folder',
      help: "held-out images, preprocessed like the project's (default: validation split)",
    },
    seed: { type: 'string', value: 'n', help: 'seed of the z sample per image', default: '0' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const data = options.string('data');
    const result = await runEvaluation(
      {
        project: options.required('project'),
        ...(data ? { data } : {}),
        seed: readNumberSetting(options, TRAINING_SETTINGS.seed) ?? 0,
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    reporter.result('eval', result, [
      `−ELBO ${fixed(result.loss.negElbo)} nats/image (${fixed(result.loss.bitsPerDim, 4)} bits/dim) on ${result.images} images (${result.source}), model at epoch ${result.epoch}`,
      `  reconstruction ${fixed(result.loss.reconstruction)}  KL ${fixed(result.loss.kl)}  (${likelihoodNote(result.likelihood, result.decoderSigma)})`,
      ...(result.skipped.length ? [`  ${result.skipped.length} files skipped`] : []),
    ]);
  },
};
