import { describe, expect, it } from 'vitest';
import type { EpochMetrics } from '../../src-main/contract/index.js';
import { trainingGuidance } from '../../src-main/jobs/trainingGuidance.js';

const terms = (negElbo: number, kl = 20) => ({
  reconstruction: negElbo - kl,
  kl,
  negElbo,
  bitsPerDim: negElbo / 543,
});
const epochs = (train: number[], val: (number | null)[], kl = 20): EpochMetrics[] =>
  train.map((t, i) => ({
    epoch: i + 1,
    train: terms(t, kl),
    val: val[i] === null ? null : terms(val[i]!, kl),
    beta: 1,
    seconds: 1,
    imagesPerSec: 100,
  }));

describe('trainingGuidance', () => {
  it('says to keep training while the validation loss still falls', () => {
    const lines = trainingGuidance(epochs([300, 280, 270, 262, 256], [305, 285, 274, 266, 260]), {
      cancelled: false,
    });
    expect(lines).toEqual([
      'The model was still improving when training ended: the validation loss fell by 8.3 nats per image per ' +
        'epoch over the last 3 epochs. Its samples will still be blurry: keep training (resume with more epochs).',
    ]);
  });

  it('says nothing of the trend once the loss has settled', () => {
    expect(
      trainingGuidance(epochs([250, 249.9, 249.8, 249.8, 249.7], [252, 252, 251.9, 251.9, 251.9]), {
        cancelled: false,
      }),
    ).toEqual([]);
  });

  it('says the model starts to learn its images by heart when validation rises as training falls', () => {
    const lines = trainingGuidance(epochs([250, 240, 230, 220, 210], [260, 262, 265, 268, 272]), {
      cancelled: false,
    });
    expect(lines[0]).toMatch(/^The validation loss rose over the last 3 epochs while the training loss fell/);
  });

  it('says so when validation has risen far above its best, though the last epochs only wander', () => {
    // A σ-VAE on a few hundred images: the validation loss bottoms out at epoch 3 and climbs past zero; the last
    // three epochs go up and down, as in a real run.
    const lines = trainingGuidance(
      epochs(
        [6227, -3705, -7126, -9943, -11561, -13012, -13867, -14307],
        [2627, -2993, -3201, -423, 3244, 2900, 3300, 3250],
      ),
      { cancelled: false },
    );
    expect(lines).toEqual([
      'The validation loss was lowest at epoch 3 (-3201.0 nats per image) and is 3250.0 now, while the training ' +
        'loss kept falling: the model is learning its training images by heart. More epochs will not help it ' +
        'with new images; more images would.',
    ]);
    // Near its best, the rule is quiet: the settled run above stays silent.
    expect(
      trainingGuidance(
        epochs([250, 249.9, 249.8, 249.8, 249.7, 249.7], [252, 251.5, 252, 251.9, 251.9, 252]),
        {
          cancelled: false,
        },
      ),
    ).toEqual([]);
  });

  it('warns of a collapsed latent code', () => {
    const lines = trainingGuidance(
      epochs([250, 249.9, 249.8, 249.8, 249.7], [252, 252, 251.9, 251.9, 251.9], 0.1),
      {
        cancelled: true,
      },
    );
    expect(lines[0]).toMatch(/^The latent code carries almost nothing \(KL 0\.10 nats per image\)/);
  });

  it('warns of a code that carries little, naming how many kinds of image it can tell apart', () => {
    // The width-64 Fashion-MNIST run that collapsed at lr 3e-3 ended at KL 4.5 nats (docs/quality.md).
    const lines = trainingGuidance(epochs([303, 303, 302.9, 302.9, 302.8], [305, 305, 305, 305, 305], 4.5), {
      cancelled: false,
    });
    expect(lines).toEqual([
      'The latent code carries little (KL 4.5 nats per image, enough to tell apart at most about 90 kinds of ' +
        'image): its samples will vary little and look like averages of the data. Train again with a longer ' +
        'learning-rate warm-up or a lower learning rate, or a lower β.',
    ]);
    // A normal run's code (20 nats) draws no warning.
    expect(
      trainingGuidance(epochs([303, 303, 302.9, 302.9, 302.8], [305, 305, 305, 305, 305]), {
        cancelled: false,
      }),
    ).toEqual([]);
  });
});
