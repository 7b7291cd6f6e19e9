/**
 * The figures of a quality report as the Quality view lists them: a name, the value in words and units, and one
 * line on what the figure means, so a reader needs no paper to read the table.
 */
import type { ClassFigures, QualityHistoryEntry, QualityReport } from '../api/contract';

export interface FigureRow {
  key: string;
  label: string;
  value: string;
  meaning: string;
}

/** A share 0–1 as a whole percentage: "73 %". */
export function formatShare(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x * 100)} %` : '—';
}

/** A figure with four significant digits (FID, KID, distances); '—' when not finite. */
export function formatFigure(x: number, digits = 4): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(digits))) : '—';
}

/** The report's figures, one row each, in the order a reader needs them. */
export function qualityFigureRows(r: QualityReport): FigureRow[] {
  return [
    {
      key: 'fid',
      label: 'Fréchet distance (FID)',
      value: formatFigure(r.fid),
      meaning:
        "How far the samples' features are from the real images' (average and spread); lower is better. " +
        "The features are VAE Studio's own, so compare it only with this project's other reports.",
    },
    {
      key: 'kid',
      label: 'Kernel distance (KID)',
      value: `${formatFigure(r.kid, 3)} ± ${formatFigure(r.kidStandardError, 2)}`,
      meaning: 'Like FID without its bias on small sets; lower is better, near 0 when the sets are alike.',
    },
    {
      key: 'precision',
      label: 'Precision',
      value: formatShare(r.precision),
      meaning: 'Share of the samples that look like real images (they fall among the real images).',
    },
    {
      key: 'recall',
      label: 'Recall',
      value: formatShare(r.recall),
      meaning: 'Share of the real images that some sample resembles: the variety the model can produce.',
    },
    {
      key: 'density',
      label: 'Density',
      value: formatFigure(r.density, 3),
      meaning: 'How closely the samples crowd round real images; about 1 for samples like the real ones.',
    },
    {
      key: 'coverage',
      label: 'Coverage',
      value: formatShare(r.coverage),
      meaning: "Share of the real images' variety the samples reach (real images with a sample close by).",
    },
    {
      key: 'copies',
      label: 'Near-copies',
      value: `${r.copies.count} of ${r.scored.count} (${formatShare(r.copies.fraction)})`,
      meaning: 'Samples closer to a training image than any new real image is: possibly memorised.',
    },
    {
      key: 'dataCopying',
      label: 'Copying test',
      value: formatFigure(r.copies.dataCopyingZ, 3),
      meaning:
        'Below −3 when the samples sit closer to the training images than new real images do: the model copies.',
    },
    {
      key: 'negElbo',
      label: '−ELBO',
      value: `${r.negElbo.toFixed(1)} nats per image`,
      meaning: `How badly the model explains ${r.real.count} held-out images (${formatFigure(r.negElboBitsPerDim, 3)} bits per pixel value); lower is better.`,
    },
    {
      key: 'iwNll',
      label: 'Likelihood (−log p)',
      value: `${r.iwNll.toFixed(1)} nats per image`,
      meaning:
        `A tighter estimate of the same from ${r.iwSamples} samples on ${r.iwImages} images ` +
        `(their −ELBO: ${r.iwNegElbo.toFixed(1)}); lower is better.`,
    },
    {
      key: 'activeUnits',
      label: 'Latent dimensions in use',
      value: `${r.activeUnits} of ${r.latentDim}`,
      meaning: r.collapsed
        ? 'The model ignores its latent code (posterior collapse): its samples barely depend on it.'
        : 'Dimensions of the latent code the model uses; the others carry nothing.',
    },
  ];
}

/** "epoch 12", "epoch 12 (archived)": which model a stored report scored. */
export function modelLabel(model: QualityHistoryEntry['model']): string {
  return model.archived ? `epoch ${model.epoch} (archived)` : `epoch ${model.epoch}`;
}

/** One class's share of the scored images beside its share of the real ones: "40 % (real 50 %)". */
export function classShare(c: ClassFigures): string {
  return `${formatShare(c.scoredShare)} (real ${formatShare(c.realShare)})`;
}
