import { TRAIN_SETTINGS } from '../../contract/index.js';
import { runTraining } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed, likelihoodNote } from '../format.js';
import { readSettings, settingGiven, settingOptions } from '../settingOptions.js';

export const trainCommand: Command = {
  name: 'train',
  summary: "train the project's VAE on its imported images (checkpoint every epoch)",
  usage: '--project <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project folder with an imported dataset' },
    ...settingOptions(TRAIN_SETTINGS),
    resume: { type: 'boolean', help: 'continue from the last checkpoint' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const settings = readSettings(options, TRAIN_SETTINGS);
    const resume = options.flag('resume');
    if (resume) {
      const ignored = Object.values(TRAIN_SETTINGS)
        .filter((s) => s !== TRAIN_SETTINGS.epochs && settingGiven(options, s))
        .map((s) => s.flag);
      if (ignored.length) {
        reporter.line(
          `--resume keeps the checkpoint's settings; ignoring ${ignored.map((k) => `--${k}`).join(', ')}`,
        );
      }
    }
    const result = await runTraining(
      {
        project: options.required('project'),
        settings,
        backend: readBackend(options),
        resume,
      },
      { signal, emit: reporter.event },
    );
    const f = result.final;
    const lines = [
      result.cancelled
        ? `training stopped at epoch ${result.epochs} of ${result.options.epochs}; continue with --resume`
        : `trained epochs ${result.startEpoch + 1}–${result.epochs} on ${result.backend.backend} (${result.backend.device})${result.backend.native ? `, steps on ${result.backend.native},` : ''} at ${fixed(result.imagesPerSec, 0)} images/s`,
    ];
    if (f) {
      lines.push(
        `final train −ELBO ${fixed(f.train.negElbo)} nats/image (${fixed(f.train.bitsPerDim, 4)} bits/dim)` +
          (f.val
            ? `, validation ${fixed(f.val.negElbo)} nats/image (${fixed(f.val.bitsPerDim, 4)} bits/dim)`
            : ''),
      );
      const { likelihood, gaussianSigma } = result.config;
      const sigma = likelihood === 'gaussian-optimal' ? f.decoderSigma : gaussianSigma;
      lines.push(`  (${likelihoodNote(likelihood, sigma)})`);
    }
    if (result.excluded > 0)
      lines.push(`trained on ${result.trainedImages} images: ${result.excluded} of the dataset are excluded`);
    if (result.checkpoint) lines.push(`checkpoint: ${result.checkpoint}`);
    lines.push(...result.guidance);
    if (result.checkpoint)
      lines.push(`how good its images are: vae-studio quality --project ${result.project}`);
    reporter.result('train', { ...result, history: undefined }, lines);
  },
};
