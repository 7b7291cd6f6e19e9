import { flushPromises, mount } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { QualityReport } from '../../../src-renderer/src/api/contract';
import QualityView from '../../../src-renderer/src/views/QualityView.vue';
import { useAppStore } from '../../../src-renderer/src/stores';
import { byButton, byLabel } from '../dom';
import { createFakeApi, installStores, mountOptions, ok, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary, qualityHistoryEntry, qualityReport } from '../fixtures';

let fake: FakeApi;
let pinia: Pinia;
let stored: QualityReport[];

async function mountView(openPath: boolean) {
  fake.on('app.info', () =>
    ok({
      version: '1',
      host: 'electron' as const,
      platform: 'linux',
      projectsDir: '/p',
      nativeDialogs: true,
      openPath,
    }),
  );
  await useAppStore().init();
  const wrapper = mount(QualityView, mountOptions(fake, pinia));
  await flushPromises();
  return wrapper;
}

beforeEach(() => {
  fake = createFakeApi();
  stored = [];
  fake.on('project.current', () => ok(projectSummary({ model: modelSummary(5) })));
  fake.on('quality.start', () => ok({ jobId: 'quality-1', kind: 'quality' }));
  fake.on('shell.openPath', () => ok({ opened: true }));
  fake.on('quality.reports', () => ok(stored.map(qualityHistoryEntry)));
  fake.on('quality.report', (input) => {
    const r = stored.find((s) => s.report === input.report)!;
    return ok({
      report: r,
      folder: r.report.replace(/\/report\.json$/, ''),
      samples: null,
      copies: r.copies.files.map((_, i) => ({
        image: `data:image/png;base64,C${i}`,
        training: `data:image/png;base64,T${i}`,
        pixelTraining: i === 0 ? null : `data:image/png;base64,P${i}`,
      })),
      closest: (r.copies.closest ?? []).map((_, i) => ({
        image: `data:image/png;base64,N${i}`,
        training: null,
        pixelTraining: `data:image/png;base64,Q${i}`,
      })),
    });
  });
  ({ pinia } = installStores(fake));
});

describe('QualityView', () => {
  it('says what to do before the first report, and scores with the count typed', async () => {
    const wrapper = await mountView(false);
    expect(wrapper.text()).toContain('No report yet: each one you make adds a point here.');
    expect(wrapper.text()).toContain('The quality report of the current model appears here.');
    await byLabel(wrapper, 'Images to score').setValue(40);
    await byButton(wrapper, 'Score the model').trigger('click');
    await wrapper.get('form[aria-label="Quality settings"]').trigger('submit');
    await flushPromises();
    expect(fake.inputsOf('quality.start')).toEqual([
      {
        count: 40,
        likelihoodImages: 64,
        likelihoodSamples: 1000,
        sampler: 'gmm',
        seed: 0,
        allModels: false,
      },
    ]);
    fake.emit('quality.progress', { jobId: 'quality-1', phase: 'sampling', done: 10, total: 40 });
    await flushPromises();
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('25');
    expect(wrapper.get('[role="progressbar"]').attributes('aria-valuetext')).toBe('sampling: 10 of 40');
    expect(byButton(wrapper, 'Cancel').exists()).toBe(true);
  });

  it('shows the verdict, each figure with its meaning, the copies beside their training images and the trend', async () => {
    stored.push(
      qualityReport(
        { stamp: 'a', epoch: 2 },
        {
          createdAt: '2025-01-01T00:00:00.000Z',
          model: { checkpoint: 'x', epoch: 2, archived: 'checkpoints/archive/t', savedAt: 't' },
        },
      ),
      qualityReport({ stamp: 'b', epoch: 5, copies: 2 }),
    );
    const wrapper = await mountView(true);
    expect(wrapper.get('[aria-label="Verdict"]').text()).toContain("58 % of the real images' variety");
    const coverage = wrapper.get('tr[data-figure="coverage"]');
    expect(coverage.text()).toContain('58 %');
    expect(coverage.text()).toContain("Share of the real images' variety the samples reach");
    expect(wrapper.get('tr[data-figure="fid"] td').text()).toBe('12.35');
    expect(wrapper.get('tr[data-figure="activeUnits"] td').text()).toBe('3 of 4');

    const copies = wrapper.get('[aria-label="Near-copies"]').findAll('li');
    expect(copies).toHaveLength(2);
    expect(copies[0]!.get('img[alt="Sample 1"]').attributes('src')).toBe('data:image/png;base64,C0');
    expect(
      copies[0]!.get('img[alt="Nearest training image by features: a/img-0.png"]').attributes('src'),
    ).toBe('data:image/png;base64,T0');
    expect(copies[0]!.text()).toContain('not in the dataset now');
    expect(copies[1]!.find('img[alt="Nearest training image by pixels: b/img-2.png"]').exists()).toBe(true);
    // The samples nearest a training image in pixels, flagged or not, each beside it.
    const closest = wrapper.get('[aria-labelledby="closest-heading"]').findAll('li');
    expect(closest.map((li) => li.get('figcaption').text())).toEqual([
      'Sample 1, a near-copy',
      'Sample 4, a near-copy',
      'Sample 7',
    ]);
    expect(
      closest[2]!.get('img[alt="Nearest training image by pixels: b/img-7.png"]').attributes('src'),
    ).toBe('data:image/png;base64,Q2');
    expect(closest[2]!.text()).toContain('Pixels: 0.04');

    // One point per stored report on each of the four series; the older model is marked archived.
    for (const series of ['fid', 'precision', 'recall', 'coverage']) {
      expect(wrapper.findAll(`circle[data-point="${series}"]`)).toHaveLength(2);
    }
    expect(wrapper.get('svg').text()).toContain('archived');

    await byButton(wrapper, 'Show in folder').trigger('click');
    expect(fake.inputsOf('shell.openPath')).toEqual([{ path: '/home/ada/vae-projects/pets/quality/b' }]);
    expect(wrapper.get('code.report-file').text()).toBe('/home/ada/vae-projects/pets/quality/b/report.html');

    // A point of the trend opens its report.
    await wrapper.get('circle[data-point="fid"]').trigger('click');
    await flushPromises();
    expect(fake.inputsOf('quality.report').at(-1)).toEqual({ report: stored[0]!.report });
    expect(wrapper.text()).toContain('No near-copies: none of the 40 samples');
  });

  it('offers the report folder as text to copy where the host cannot open it', async () => {
    stored.push(qualityReport({ stamp: 'b' }));
    const wrapper = await mountView(false);
    expect((byLabel(wrapper, 'Report shown').element as HTMLSelectElement).value).toBe(stored[0]!.report);
    expect((wrapper.get('input[aria-label="Report folder path"]').element as HTMLInputElement).value).toBe(
      '/home/ada/vae-projects/pets/quality/b',
    );
    expect(() => byButton(wrapper, 'Show in folder')).toThrow();
  });
});
