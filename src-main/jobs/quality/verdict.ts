import type { QualityHistoryEntry, QualityReport } from '../../contract/index.js';

/** What the verdict reads of a report. */
export type VerdictFigures = Pick<
  QualityReport,
  | 'precision'
  | 'recall'
  | 'coverage'
  | 'copies'
  | 'scored'
  | 'activeUnits'
  | 'latentDim'
  | 'collapsed'
  | 'perClass'
  | 'classAgreement'
>;

const pct = (x: number) => `${Math.round(x * 100)} %`;

/**
 * What the figures mean, in sentences for a person: coverage and precision first, then copies, the latent code,
 * the classes, the trend against the previous report, and the most useful next step last.
 */
export function verdictOf(f: VerdictFigures, previous: QualityHistoryEntry | null): string[] {
  const lines = [
    `The samples cover ${pct(f.coverage)} of the real images' variety (coverage), and ${pct(f.precision)} of them ` +
      `fall among real images (precision).`,
  ];
  if (f.copies.count === 0) {
    lines.push(`No near-copies of training images among ${f.scored.count} images.`);
  } else {
    lines.push(
      `${f.copies.count} of ${f.scored.count} images (${pct(f.copies.fraction)}) are near-copies of training ` +
        'images: see them beside their training images below.',
    );
  }
  if (f.copies.dataCopyingZ < -3)
    lines.push(
      'As a whole the samples sit closer to the training images than unseen real images do: the model ' +
        'memorises (data-copying test Z = ' +
        `${f.copies.dataCopyingZ.toFixed(1)}). Train for fewer epochs, or on more images.`,
    );
  else if (f.copies.dataCopyingZ > 3)
    lines.push(
      'The samples sit further from the training images than unseen real images do (data-copying test Z = ' +
        `${f.copies.dataCopyingZ.toFixed(1)}): they are blurred or off the data rather than copies.`,
    );
  lines.push(`${f.activeUnits} of ${f.latentDim} latent dimensions are in use.`);
  const scoredClasses = f.perClass.flatMap((c) => (c.figures ? [{ label: c.label, ...c.figures }] : []));
  const weakest = [...scoredClasses].sort((a, b) => a.coverage - b.coverage)[0];
  const strongest = [...scoredClasses].sort((a, b) => b.coverage - a.coverage)[0];
  if (weakest && strongest && weakest !== strongest) {
    lines.push(
      `By class, coverage runs from ${pct(weakest.coverage)} (${weakest.label}) to ${pct(strongest.coverage)} ` +
        `(${strongest.label}).`,
    );
  }
  if (f.classAgreement !== undefined) {
    lines.push(
      `The samples show the class they were asked for ${pct(f.classAgreement)} of the time (their nearest ` +
        'training image is of that class).',
    );
    const worst = [...f.perClass]
      .filter((c) => c.agreement !== undefined)
      .sort((a, b) => a.agreement! - b.agreement!)[0];
    if (worst && worst.agreement! < 0.5)
      lines.push(
        `Asked for ${worst.label}, the model mostly draws other classes (${pct(worst.agreement!)} agree): train ` +
          'longer, or on more images of that class.',
      );
  }
  const tooFew = f.perClass.filter((c) => !c.figures);
  for (const c of f.perClass) {
    if (c.figures && c.realShare > 0.02 && c.scoredShare < c.realShare / 3)
      lines.push(
        `Class ${c.label} is under-represented: ${pct(c.scoredShare)} of the samples against ${pct(c.realShare)} ` +
          'of the real images.',
      );
  }
  if (tooFew.length > 0) {
    const named = tooFew.slice(0, 4).map((c) => `${c.label} (${c.scoredCount} samples, ${c.realCount} real)`);
    const more = tooFew.length > 4 ? ` and ${tooFew.length - 4} more` : '';
    lines.push(`Too few images to score by class (10 of each are needed): ${named.join(', ')}${more}.`);
  }
  if (previous) {
    const change = f.coverage - previous.coverage;
    const model = previous.model.archived
      ? 'an archived model'
      : `the model at epoch ${previous.model.epoch}`;
    // A change of sampler moves the figures as much as more training does: say so.
    const otherSampler =
      previous.sampler && f.scored.sampler && previous.sampler !== f.scored.sampler ? previous.sampler : null;
    const where = otherSampler ? `${model}, the ${otherSampler} sampler` : model;
    lines.push(
      Math.abs(change) < 0.02
        ? `Coverage is about the same as in the previous report (${pct(previous.coverage)}, ${where}).`
        : `Coverage ${change > 0 ? 'rose' : 'fell'} from ${pct(previous.coverage)} in the previous report (${where}).`,
    );
  }
  lines.push(nextStep(f));
  return lines;
}

/** The most useful next step, from the figures. */
function nextStep(f: VerdictFigures): string {
  if (f.collapsed)
    return 'Next: the posterior has collapsed (the model ignores its latent code): lower β or use KL warm-up.';
  if (f.precision < 0.5 && f.recall < 0.2)
    return 'Next: the model is underfit (its samples are far from real images): train longer, or raise the width.';
  if (f.activeUnits === f.latentDim && f.recall < 0.3)
    return 'Next: every latent dimension is in use: raise the latent size.';
  if (f.recall < 0.2)
    return 'Next: the samples miss much of the real variety: lower β or raise the latent size.';
  if (f.copies.fraction > 0.01)
    return 'Next: leave the near-copies out when you generate (Leave out near-copies), or train for fewer epochs.';
  return 'Next: the model is usable; more epochs may still raise coverage.';
}
