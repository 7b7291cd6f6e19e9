import { runTraversal } from '../../jobs/index.js';
import { makeFolder } from '../../studio/paths.js';
import { BACKEND_OPTION, readBackend, type Command } from '../command.js';
import { fixed } from '../format.js';

export const traverseCommand: Command = {
  name: 'traverse',
  summary:
    'a sheet of latent traversals: one row per dimension (most active first), decoded across its range',
  usage: '--project <dir> [--image <file>] --out <dir>',
  options: {
    project: { type: 'string', value: 'dir', help: 'project with a trained model' },
    image: { type: 'string', value: 'file', help: "walk around this image's μ (default: the origin)" },
    class: { type: 'string', value: 'class', help: 'a conditional model: the class to decode under' },
    dims: { type: 'string', value: 'n', help: 'rows: the most active dimensions', default: '8' },
    range: { type: 'string', value: 'σ', help: 'how far each walk goes either side, in σ', default: '3' },
    steps: { type: 'string', value: 'n', help: 'columns: decodes per row', default: '9' },
    frames: { type: 'boolean', help: 'also write every decode as a PNG of its own' },
    out: { type: 'string', value: 'dir', help: 'output folder (must not already hold a traversal.png)' },
    ...BACKEND_OPTION,
  },
  async run({ options, reporter, signal }) {
    options.positionals(0, []);
    const out = options.required('out');
    await makeFolder(out, '--out');
    const image = options.string('image');
    const className = options.string('class');
    const r = await runTraversal(
      {
        project: options.required('project'),
        ...(image ? { image } : {}),
        ...(className ? { class: className } : {}),
        dims: options.number('dims', { min: 1, max: 4096, integer: true }) ?? 8,
        range: options.number('range', { min: 0.01, max: 10 }) ?? 3,
        steps: options.number('steps', { min: 2, max: 64, integer: true }) ?? 9,
        frames: options.flag('frames'),
        out,
        backend: readBackend(options),
      },
      { signal, emit: reporter.event },
    );
    reporter.result('traverse', r, [
      `sheet: ${r.sheet} (${r.width}×${r.height}: ${r.rows.length} dimensions × ${r.steps} steps, ±${r.range}σ ` +
        `around ${r.centre.image ?? 'the origin'})`,
      ...r.rows.map(
        (row) =>
          `  dim ${String(row.dim).padStart(3)}  KL ${fixed(row.kl, 3)} nats  sd of μ ${fixed(row.sd, 3)}` +
          `${row.active ? '' : '  (inactive)'}`,
      ),
      `rows described in ${r.json}` +
        (r.frames.length ? `; ${r.frames.length} frames in ${r.out}/frames` : ''),
    ]);
  },
};
