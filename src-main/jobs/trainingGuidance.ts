import type { EpochMetrics } from '../contract/index.js';

/** Epochs the trend is read over. */
const WINDOW = 3;
/** A validation −ELBO still falling by more than this share per epoch means the model is still learning. */
const STILL_LEARNING = 0.003;
/**
 * A validation −ELBO this share of the run's scale above its best, while the training loss fell since, means the
 * model has been learning its training images by heart for a while, even where epoch-to-epoch noise hides the trend.
 */
const ABOVE_BEST = 0.01;
/** Below this KL (nats/image) the latent code carries next to nothing. */
const COLLAPSED_KL = 0.5;
/**
 * Below this KL (nats/image) at the end of a run the code tells apart at most e^KL kinds of image (the KL bounds the
 * information z carries about x): a code mostly collapsed. Fashion-MNIST's runs that trained normally end at 18–60
 * nats, the colour runs at 40–125; the width-64 run that collapsed at lr 3e-3 ended at 4.5 (docs/quality.md).
 */
const LITTLE_KL = 8;

/**
 * What a finished run's losses say about the next step, in sentences for a person: still learning (keep training),
 * starting to overfit (the validation loss rises while the training loss falls), or a collapsed latent code. The
 * figures are nats per image of the run's own likelihood, compared only within the run.
 */
export function trainingGuidance(history: EpochMetrics[], options: { cancelled: boolean }): string[] {
  const lines: string[] = [];
  const last = history.at(-1);
  if (!last) return lines;
  const loss = (m: EpochMetrics) => (m.val ?? m.train).negElbo;
  const which = last.val ? 'validation' : 'training';
  if (last.train.kl < COLLAPSED_KL) {
    lines.push(
      `The latent code carries almost nothing (KL ${last.train.kl.toFixed(2)} nats per image): the model ignores it ` +
        'and its samples will all look alike. Lower β, or add KL warm-up, and train again.',
    );
  } else if (last.train.kl < LITTLE_KL && history.length > WINDOW) {
    // After a few epochs only: a code opens up during the first hundred or so steps (a 64×64 Bernoulli run of
    // the icons read 1.6 nats at epoch 2 and 43 at epoch 20).
    const kinds = Math.max(2, Math.round(Math.exp(last.train.kl)));
    lines.push(
      `The latent code carries little (KL ${last.train.kl.toFixed(1)} nats per image, enough to tell apart at most ` +
        `about ${kinds.toLocaleString('en-US')} kinds of image): its samples will vary little and look like ` +
        'averages of the data. Train again with a longer learning-rate warm-up or a lower learning rate, or a lower β.',
    );
  }
  if (history.length > WINDOW) {
    const before = history.at(-1 - WINDOW)!;
    const perEpoch = (loss(before) - loss(last)) / WINDOW;
    const share = perEpoch / Math.abs(loss(before));
    const trainFell = before.train.negElbo - last.train.negElbo > 0;
    const best = bestValidation(history);
    const scale = Math.max(Math.abs(loss(history[0]!)), Math.abs(best ? loss(best) : 0));
    if (last.val && share < -STILL_LEARNING && trainFell) {
      lines.push(
        `The validation loss rose over the last ${WINDOW} epochs while the training loss fell: the model is ` +
          'starting to learn its training images by heart. More epochs will not help; more images would.',
      );
    } else if (
      last.val &&
      best &&
      best.epoch < last.epoch - WINDOW &&
      loss(last) - loss(best) > ABOVE_BEST * scale &&
      best.train.negElbo > last.train.negElbo
    ) {
      lines.push(
        `The validation loss was lowest at epoch ${best.epoch} (${best.val!.negElbo.toFixed(1)} nats per image) and ` +
          `is ${last.val.negElbo.toFixed(1)} now, while the training loss kept falling: the model is learning its ` +
          'training images by heart. More epochs will not help it with new images; more images would.',
      );
    } else if (share > STILL_LEARNING) {
      lines.push(
        `The model was still improving when ${options.cancelled ? 'training stopped' : 'training ended'}: the ` +
          `${which} loss fell by ${perEpoch.toFixed(1)} nats per image per epoch over the last ${WINDOW} epochs. ` +
          'Its samples will still be blurry: keep training (resume with more epochs).',
      );
    }
  } else if (history.length > 1 && loss(history[0]!) - loss(last) > 0) {
    lines.push(
      'Only a few epochs have run and the loss is still falling: keep training (resume with more epochs).',
    );
  }
  return lines;
}

/** The epoch of lowest validation −ELBO; null when the run measured none. */
function bestValidation(history: EpochMetrics[]): EpochMetrics | null {
  let best: EpochMetrics | null = null;
  for (const m of history) if (m.val && (!best || m.val.negElbo < best.val!.negElbo)) best = m;
  return best;
}
