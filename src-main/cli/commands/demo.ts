import { DEMO_EPOCHS, runDemo } from '../../jobs/index.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed } from '../format.js';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the whole job on a built-in sample dataset: import → train → generate → interpolate',
  usage: '[--dir <folder>]',
  options: {
    dir: {
      type: 'string',
      value: 'folder',
      help: 'where the sample images, project and outputs go',
      default: 'vae-studio-demo',
    },
    epochs: { type: 'string', value: 'n', help: 'training epochs', default: String(DEMO_EPOCHS) },
    images: { type: 'string', value: 'n', help: 'sample images to draw', default: '600' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const r = await runDemo(
      {
        dir: options.string('dir', 'vae-studio-demo'),
        epochs: options.number('epochs', { integer: true, min: 1, max: 1000 }) ?? DEMO_EPOCHS,
        images: options.number('images', { integer: true, min: 16, max: 100000 }) ?? 600,
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    const f = r.train.final;
    reporter.result(
      'demo',
      {
        dir: r.dir,
        samples: r.samples,
        import: { imported: r.import.imported },
        train: { ...r.train, history: undefined },
        generate: { out: r.generate.out, count: r.generate.count },
        interpolate: r.interpolate,
      },
      [
        `demo finished in ${r.dir}`,
        `  imported ${r.import.imported} sample images (${fixed(r.import.imagesPerSec, 0)} images/s)`,
        `  trained ${r.train.epochs} epochs on ${r.train.backend.backend}: validation −ELBO ${fixed(f?.val?.negElbo)} nats/image`,
        `  training previews: ${r.dir}/project/previews/`,
        `  16 generated images: ${r.generate.out}`,
        `  interpolation: ${r.interpolate.contactSheet}`,
        'next: vae-studio import <your folder> --project <dir>, then train, generate and interpolate (vae-studio --help)',
      ],
    );
  },
};
