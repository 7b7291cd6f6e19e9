import type { TrainOptions, VaeConfig } from '../../engine/index.js';
import { runTraining } from '../../jobs/index.js';
import { BACKEND_OPTION, BACKENDS, type Command } from '../command.js';
import { fixed } from '../format.js';

export const trainCommand: Command = {
  name: 'train',
  summary: "train the project's VAE on its imported images (checkpoint every epoch)",
  usage: '--project <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project folder with an imported dataset' },
    latent: { type: 'string', value: 'n', help: 'latent dimension 1–512 (default 16 for 28×28, else 32)' },
    beta: { type: 'string', value: 'x', help: 'weight of the KL term (β-VAE)', default: '1' },
    epochs: {
      type: 'string',
      value: 'n',
      help: 'total epochs (with --resume: the new total)',
      default: '10',
    },
    batch: { type: 'string', value: 'n', help: 'batch size', default: '64' },
    lr: { type: 'string', value: 'x', help: 'Adam learning rate', default: '1e-3' },
    seed: {
      type: 'string',
      value: 'n',
      help: 'seed of initialisation, split, shuffling and noise',
      default: '0',
    },
    val: { type: 'string', value: 'f', help: 'fraction held out for validation', default: '0.1' },
    warmup: { type: 'string', value: 'n', help: 'linear KL warm-up over n epochs (0 = off)', default: '0' },
    'free-bits': {
      type: 'string',
      value: 'x',
      help: 'free bits, nats per latent dimension (0 = off)',
      default: '0',
    },
    width: { type: 'string', value: 'n', help: 'channels of the first conv layer', default: '32' },
    likelihood: {
      type: 'string',
      value: 'bernoulli|gaussian',
      help: 'decoder likelihood',
      default: 'bernoulli',
    },
    sigma: { type: 'string', value: 'x', help: 'σ of the Gaussian likelihood', default: '0.1' },
    clip: { type: 'string', value: 'x', help: 'gradient-norm clip (0 = off)' },
    resume: { type: 'boolean', help: 'continue from the last checkpoint' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const config: Partial<VaeConfig> = {};
    const train: Partial<TrainOptions> = {};
    const set = <T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined) => {
      if (value !== undefined) target[key] = value;
    };
    set(config, 'latentDim', options.number('latent', { integer: true, min: 1, max: 512 }));
    set(config, 'beta', options.number('beta', { min: 0 }));
    set(config, 'width', options.number('width', { integer: true, min: 1, max: 512 }));
    set(config, 'likelihood', options.choice('likelihood', ['bernoulli', 'gaussian'] as const));
    set(config, 'gaussianSigma', options.number('sigma', { min: 1e-4 }));
    set(train, 'epochs', options.number('epochs', { integer: true, min: 1, max: 100000 }));
    set(train, 'batchSize', options.number('batch', { integer: true, min: 1, max: 4096 }));
    set(train, 'learningRate', options.number('lr', { min: 0 }));
    set(train, 'seed', options.number('seed', { integer: true, min: 0 }));
    set(train, 'valFraction', options.number('val', { min: 0, max: 0.9 }));
    set(train, 'klWarmupEpochs', options.number('warmup', { min: 0 }));
    set(train, 'freeBits', options.number('free-bits', { min: 0 }));
    set(train, 'gradClipNorm', options.number('clip', { min: 0 }));
    const resume = options.flag('resume');
    if (resume) {
      const ignored = Object.keys(trainCommand.options).filter(
        (k) => !['project', 'epochs', 'resume', 'backend'].includes(k) && options.given(k),
      );
      if (ignored.length) {
        reporter.line(
          `--resume keeps the checkpoint's settings; ignoring ${ignored.map((k) => `--${k}`).join(', ')}`,
        );
      }
    }
    const result = await runTraining(
      {
        project: options.required('project'),
        config,
        options: train,
        backend: options.choice('backend', BACKENDS) ?? 'auto',
        resume,
      },
      { signal, emit: reporter.event },
    );
    const f = result.final;
    const lines = [
      result.cancelled
        ? `training stopped at epoch ${result.epochs} of ${result.options.epochs}; continue with --resume`
        : `trained epochs ${result.startEpoch + 1}–${result.epochs} on ${result.backend.backend} (${result.backend.device}) at ${fixed(result.imagesPerSec, 0)} images/s`,
    ];
    if (f) {
      lines.push(
        `final train −ELBO ${fixed(f.train.negElbo)} nats/image (${fixed(f.train.bitsPerDim, 4)} bits/dim)` +
          (f.val
            ? `, validation ${fixed(f.val.negElbo)} nats/image (${fixed(f.val.bitsPerDim, 4)} bits/dim)`
            : ''),
      );
    }
    if (result.checkpoint) lines.push(`checkpoint: ${result.checkpoint}`);
    reporter.result('train', { ...result, history: undefined }, lines);
  },
};
