import { describe, expect, it } from 'vitest';
import { verdictOf, type VerdictFigures } from '../../../src-main/jobs/quality/verdict.js';

const good: VerdictFigures = {
  precision: 0.7,
  recall: 0.5,
  coverage: 0.62,
  copies: { count: 0, fraction: 0, threshold: 1, rule: '', dataCopyingZ: 0.4, files: [] },
  scored: { source: 'model', count: 2000, folder: null },
  activeUnits: 12,
  latentDim: 16,
  collapsed: false,
  perClass: [],
};

describe('the verdict', () => {
  it('says coverage and precision in per cent, and that there are no copies', () => {
    const lines = verdictOf(good, null);
    expect(lines[0]).toBe(
      "The samples cover 62 % of the real images' variety (coverage), and 70 % of them fall among real images (precision).",
    );
    expect(lines[1]).toBe('No near-copies of training images among 2000 images.');
    expect(lines.at(-1)).toBe('Next: the model is usable; more epochs may still raise coverage.');
  });

  it('calls samples far from real images underfit before anything else it could suggest', () => {
    const lines = verdictOf({ ...good, precision: 0.004, recall: 0, coverage: 0.01, activeUnits: 16 }, null);
    expect(lines.at(-1)).toMatch(/^Next: the model is underfit .*train longer/);
  });

  it('says a collapsed posterior first', () => {
    expect(verdictOf({ ...good, collapsed: true, activeUnits: 0 }, null).at(-1)).toMatch(
      /collapsed.*lower β/,
    );
  });

  it('says the model memorises when the data-copying test is below −3, and to leave the copies out', () => {
    const copies = { ...good.copies, count: 60, fraction: 0.03, dataCopyingZ: -5.2 };
    const lines = verdictOf({ ...good, copies }, null);
    expect(lines).toContain(
      '60 of 2000 images (3 %) are near-copies of training images: see them beside their training images below.',
    );
    expect(lines.join(' ')).toContain('the model memorises (data-copying test Z = -5.2)');
    expect(lines.at(-1)).toMatch(/Leave out near-copies/);
  });

  it('names under-represented classes, and only those it could score', () => {
    const figures = {
      fid: 1,
      kid: 0,
      kidStandardError: 0,
      precision: 0.7,
      recall: 0.5,
      density: 1,
      coverage: 0.5,
    };
    const cls = (label: string, scoredShare: number, realShare: number, scoredFigures = true) => ({
      label,
      realCount: Math.round(realShare * 1000),
      scoredCount: Math.round(scoredShare * 2000),
      scoredShare,
      realShare,
      copies: 0,
      figures: scoredFigures ? figures : null,
    });
    const lines = verdictOf(
      { ...good, perClass: [cls('boot', 0.02, 0.1), cls('bag', 0.9, 0.8), cls('rare', 0.001, 0.1, false)] },
      null,
    );
    expect(lines).toContain(
      'Class boot is under-represented: 2 % of the samples against 10 % of the real images.',
    );
    expect(lines.join(' ')).not.toContain('Class rare is under-represented');
    expect(lines).toContain(
      'Too few images to score by class (10 of each are needed): rare (2 samples, 100 real).',
    );
  });

  it('compares coverage with the previous report', () => {
    const previous = {
      report: 'r',
      createdAt: '2026-12-01T00:00:00Z',
      model: { checkpoint: 'c', epoch: 5, archived: null, savedAt: '' },
      scoredCount: 2000,
      fid: 9,
      kid: 0.1,
      kidStandardError: 0,
      precision: 0.5,
      recall: 0.3,
      density: 1,
      coverage: 0.4,
      copiesFraction: 0,
      negElbo: 1,
      iwNll: 1,
      activeUnits: 10,
    };
    expect(verdictOf(good, previous)).toContain(
      'Coverage rose from 40 % in the previous report (the model at epoch 5).',
    );
    // Another sampler is named, since it moves the figures too.
    const gmm = { ...good, scored: { ...good.scored, sampler: 'gmm' as const } };
    expect(verdictOf(gmm, { ...previous, sampler: 'prior' })).toContain(
      'Coverage rose from 40 % in the previous report (the model at epoch 5, the prior sampler).',
    );
    expect(verdictOf(gmm, { ...previous, sampler: 'gmm' })).toContain(
      'Coverage rose from 40 % in the previous report (the model at epoch 5).',
    );
  });
});
