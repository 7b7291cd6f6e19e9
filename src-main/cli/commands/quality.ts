import { QUALITY_SETTINGS } from '../../contract/index.js';
import { runQuality } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed } from '../format.js';
import { readSettings, settingOptions } from '../settingOptions.js';

export const qualityCommand: Command = {
  name: 'quality',
  summary: 'how good the model’s images are: FID/KID, precision/recall, near-copies, likelihood, latent use',
  usage: '--project <dir> [--count <n> | --generated <folder>] [--data <folder>] [--all-models]',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    generated: {
      type: 'string',
      value: 'folder',
      help: 'score the images of this folder instead of sampling (a generate output)',
    },
    data: { type: 'string', value: 'folder', help: 'held-out real images (default: the validation split)' },
    ...settingOptions(QUALITY_SETTINGS),
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const generated = options.string('generated');
    const data = options.string('data');
    const r = await runQuality(
      {
        project: options.required('project'),
        // The likelihood's image count defaults by the model's image size, in the job.
        ...readSettings(options, QUALITY_SETTINGS),
        ...(generated ? { generated } : {}),
        ...(data ? { data } : {}),
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    reporter.result('quality', r, [
      ...r.verdict,
      `FID ${fixed(r.fid)}  KID ${fixed(r.kid, 4)} ± ${fixed(r.kidStandardError, 4)}  precision ${fixed(r.precision, 3)}  recall ${fixed(r.recall, 3)}  density ${fixed(r.density, 3)}  coverage ${fixed(r.coverage, 3)}`,
      `−ELBO ${fixed(r.negElbo)} nats/image; importance-weighted −log p(x) ${fixed(r.iwNll)} (k = ${r.iwSamples}, on ${r.iwImages} images whose −ELBO is ${fixed(r.iwNegElbo)}); ${r.activeUnits} of ${r.latentDim} latent units active`,
      ...r.perClass.map(
        (c) =>
          `  ${c.label}: ${c.scoredCount} samples, ${c.realCount} real  ` +
          (c.figures
            ? `FID ${fixed(c.figures.fid)}  precision ${fixed(c.figures.precision, 3)}  recall ${fixed(c.figures.recall, 3)}  coverage ${fixed(c.figures.coverage, 3)}  copies ${c.copies}`
            : 'too few images to score') +
          (c.agreement !== undefined ? `  class agreement ${fixed(c.agreement, 3)}` : ''),
      ),
      `near-copies: ${r.copies.count} (threshold ${fixed(r.copies.threshold, 4)}); data-copying test Z = ${fixed(r.copies.dataCopyingZ, 2)}`,
      `features: ${r.featureNetwork}`,
      `report: ${r.html} and ${r.markdown} (${fixed(r.seconds, 1)} s)`,
    ]);
  },
};
