import { openProject, projectInfo } from '../../project/index.js';
import type { Command } from '../command.js';
import { fixed } from '../format.js';

export const infoCommand: Command = {
  name: 'info',
  summary: "show a project's dataset, model and training history",
  usage: '--project <dir>',
  options: { project: { type: 'string', value: 'dir', help: 'project folder' } },
  async run({ options, reporter }) {
    options.positionals(0, []);
    const info = await projectInfo(await openProject(options.required('project')));
    const lines = [`project ${info.name} (${info.root}), created ${info.createdAt}`];
    if (info.dataset) {
      const d = info.dataset;
      const labels = Object.entries(d.perLabel)
        .map(([label, n]) => `${label || '(top level)'} ${n}`)
        .join(', ');
      lines.push(
        `dataset: ${d.count} images ${d.size}×${d.size}×${d.channels} (${d.fit}) from ${d.sourceRoot}`,
      );
      lines.push(`  classes: ${labels}`);
    } else lines.push('dataset: none yet (vae-studio import <folder> --project …)');
    if (info.model) {
      const m = info.model;
      lines.push(
        `model: epoch ${m.epoch}/${m.trainOptions.epochs}, latent ${m.config.latentDim}, β ${m.config.beta}, width ${m.config.width}, ${m.config.likelihood}, trained on ${m.backend}`,
      );
      lines.push(
        m.classes
          ? `  conditional on ${m.classes.length} classes: ${m.classes.map((c) => `${c.name} (${c.images} images)`).join(', ')}`
          : '  unconditional (no classes)',
      );
      lines.push(`  checkpoint ${m.checkpoint} (saved ${m.savedAt})`);
      if (m.note) lines.push(`  note: ${m.note}`);
      for (const h of m.history) {
        lines.push(
          `  epoch ${String(h.epoch).padStart(3)}: train ${fixed(h.train.negElbo)}  val ${fixed(h.val?.negElbo)} nats/image  (${fixed(h.seconds, 1)}s)`,
        );
      }
    } else lines.push('model: none yet (vae-studio train --project …)');
    reporter.result('info', info, lines);
  },
};
