import { describe, expect, it } from 'vitest';
import { defaultsOf, QUALITY_SETTINGS } from '../../src-main/contract/index.js';

describe('quality settings', () => {
  it('score 2000 sampled images by default', () => {
    expect(defaultsOf(QUALITY_SETTINGS, { imageSize: 28, channels: 1 }).count).toBe(2000);
  });

  it('keep the likelihood to about 5·10⁷ decoded values: fewer held-out images for larger images', () => {
    const images = (imageSize: number, channels: 1 | 3) =>
      defaultsOf(QUALITY_SETTINGS, { imageSize, channels }).likelihoodImages;
    expect([images(28, 1), images(32, 3), images(64, 3), images(16, 1), images(256, 3)]).toEqual([
      64, 16, 10, 100, 10,
    ]);
  });
});
