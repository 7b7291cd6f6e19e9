import { nextTick } from 'vue';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GenerationRun } from '../../../src-renderer/src/api/contract';
import { useGenerationRunsStore, useGenerationStore } from '../../../src-renderer/src/stores';
import { createFakeApi, installStores, ok, settle, type FakeApi } from '../fakeApi';
import { modelSummary, projectSummary } from '../fixtures';

let fake: FakeApi;
const run = (name: string): GenerationRun => ({
  out: `/home/ada/vae-projects/pets/generated/${name}`,
  name,
  count: 12,
  seeds: [7],
  samplers: ['gmm'],
  temperatures: [1],
  epochs: [2],
  writtenAt: '2025-06-01T12:00:00.000Z',
});

beforeEach(async () => {
  fake = createFakeApi();
  fake.on('generation.runs', () => ok([run('run-2'), run('run-1')]));
  fake.on('generation.start', () => ok({ jobId: 'gen-1', kind: 'generate', out: '/p/generated/run-3' }));
  installStores(fake);
  fake.emit('project.changed', projectSummary({ model: modelSummary(2) }));
  await nextTick();
});

describe('useGenerationRunsStore', () => {
  it('reads nothing until something shows the list, then lists the project’s runs', async () => {
    const runs = useGenerationRunsStore();
    await settle();
    expect(fake.inputsOf('generation.runs')).toHaveLength(0);
    await runs.refresh();
    expect(runs.runs.map((r) => r.name)).toEqual(['run-2', 'run-1']);
    expect(runs.loaded).toBe(true);
  });

  it('reads again when a run ends and when another project opens', async () => {
    const runs = useGenerationRunsStore();
    await runs.refresh();
    const generation = useGenerationStore();
    await generation.start();
    fake.emit('job.done', {
      jobId: 'gen-1',
      kind: 'generate',
      cancelled: false,
      result: {
        out: '/p/generated/run-3',
        files: [],
        manifest: { jsonl: '', csv: '' },
        count: 1,
        alreadyThere: 0,
        rejected: 0,
        cancelled: false,
        seconds: 1,
        imagesPerSec: 1,
      },
    });
    await settle();
    expect(fake.inputsOf('generation.runs')).toHaveLength(2);
    fake.emit('project.changed', projectSummary({ model: modelSummary(2), root: '/p/other' }));
    await settle();
    expect(fake.inputsOf('generation.runs')).toHaveLength(3);
  });

  it('warns when the form’s seed already drew a past run, and offers the first seed none has used', async () => {
    fake.on('generation.runs', () =>
      ok([
        { ...run('run-2'), seeds: [1] },
        { ...run('run-1'), seeds: [0] },
      ]),
    );
    const runs = useGenerationRunsStore();
    await runs.refresh();
    const generation = useGenerationStore();
    expect(generation.form.seed).toBe(0);
    expect(generation.seedRepeat).toEqual({ seed: 0, run: 'run-1', unused: 2 });
    generation.useSeed(generation.seedRepeat!.unused);
    expect(generation.form.seed).toBe(2);
    expect(generation.seedRepeat).toBeNull();
  });
});
