// @vitest-environment node
/**
 * The live view keeps up with training whatever the disk does: with a checkpoint writer slowed far below the
 * pace of the epochs, every `training.epoch` still reaches the renderer's store (and the CLI's JSON stream)
 * before the next epoch ends, and the files are reported afterwards by `training.checkpoint`.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from 'vue';
import { createPinia, setActivePinia } from 'pinia';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApi, type EventName, type Transport } from '../../../src-main/contract/index.js';
import { main } from '../../../src-main/cli/index.js';
import { loadCheckpoint } from '../../../src-main/project/index.js';
import { runImport } from '../../../src-main/jobs/index.js';
import { apiKey } from '../../../src-renderer/src/api/inject.js';
import { routeEvents, useAppStore, useTrainingStore } from '../../../src-renderer/src/stores/index.js';
import { tempDir, writeSquares } from '../../helpers/tinyData.js';
import { testStudio } from '../../studio/harness.js';

/** Each checkpoint write waits this long first: several epochs' worth of training. */
const SLOW_WRITE_MS = 700;

vi.mock('../../../src-main/project/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src-main/project/index.js')>();
  return {
    ...actual,
    saveCheckpoint: async (...args: Parameters<typeof actual.saveCheckpoint>) => {
      await new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS));
      return actual.saveCheckpoint(...args);
    },
  };
});

const EPOCHS = 4;
// 48 images of 16×16, batch 16, no validation: 3 steps an epoch, well under SLOW_WRITE_MS on wasm.
const tiny = { latentDim: 2, width: 4, batchSize: 16, valFraction: 0, seed: 3 };
let images: string;

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 48);
});

describe('with a slowed checkpoint writer', () => {
  it("every training.epoch reaches the renderer's store before the next epoch ends", async () => {
    const t = await testStudio();
    await t.call('project.create', { path: 'live' });
    await t.jobEnd((await t.call('dataset.import', { folder: images, size: 16, channels: 1 })).jobId);

    // The renderer's stores over the studio itself, as the app's preload or WebSocket would connect them.
    const transport: Transport = {
      invoke: (name, input) => t.studio.invoke(name, input),
      subscribe: (name, listener) =>
        t.studio.subscribe((heard: EventName, payload) => {
          if (heard === name) listener(payload);
        }),
    };
    const api = buildApi(transport);
    const app = createApp({});
    app.provide(apiKey, api);
    const pinia = createPinia();
    app.use(pinia);
    setActivePinia(pinia);
    app.runWithContext(() => routeEvents(api));
    const training = app.runWithContext(() => {
      useAppStore();
      return useTrainingStore();
    });
    await app.runWithContext(() => useAppStore().init());

    // After the router (subscribed first) has handed each event to the store: what the store shows then.
    const lateAtProgress: string[] = [];
    const epochsAtCheckpoint: number[][] = [];
    const loadedAtAnnouncement: Promise<number>[] = [];
    t.studio.subscribe((name, payload) => {
      if (name === 'training.progress') {
        const epoch = (payload as { epoch: number }).epoch;
        const shown = training.history.map((m) => m.epoch);
        const missing = Array.from({ length: epoch - 1 }, (_, i) => i + 1).filter((e) => !shown.includes(e));
        if (missing.length) lateAtProgress.push(`epoch ${epoch} trains, store lacks ${missing.join(', ')}`);
      }
      if (name === 'training.checkpoint') {
        epochsAtCheckpoint.push(training.history.map((m) => m.epoch));
        // Whole when announced: it loads (older epoch folders are pruned later, so load it now).
        const dir = (payload as { checkpoint: string }).checkpoint;
        loadedAtAnnouncement.push(loadCheckpoint(dir).then((c) => c.meta.epoch));
      }
    });

    Object.assign(training.form, { ...tiny, epochs: EPOCHS });
    expect(await training.start()).toBe(true);
    const jobId = training.jobId!;
    const end = await t.jobEnd(jobId);
    expect(end.name).toBe('job.done');

    expect(lateAtProgress).toEqual([]);
    expect(training.history.map((m) => m.epoch)).toEqual([1, 2, 3, 4]);
    expect(training.previews?.epoch).toBe(4);
    expect(training.previews?.samples).toMatch(/^data:image\/png;base64,/);
    // The writes really were slow: training had finished every epoch before the first checkpoint was whole.
    expect(epochsAtCheckpoint[0]).toEqual([1, 2, 3, 4]);
    const checkpoints = t.payloads('training.checkpoint', jobId);
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3, 4]);
    expect(await Promise.all(loadedAtAnnouncement)).toEqual([1, 2, 3, 4]);
    // The app's project summary follows the checkpoints, not a re-read per epoch.
    expect(useAppStore(pinia).project?.model?.epoch).toBe(4);
  });

  it("every training.epoch line of the CLI's JSON stream comes before the next epoch ends", async () => {
    const project = join(await tempDir(), 'cli');
    await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
    let out = '';
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    const stderr = new Writable({ write: (_chunk, _encoding, done) => done() });
    const args = ['--latent', '2', '--width', '4', '--batch', '16', '--val', '0', '--seed', '3'];
    const code = await main(
      ['train', '--project', project, '--epochs', String(EPOCHS), ...args, '--backend', 'wasm', '--json'],
      { stdout, stderr },
    );
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; epoch?: number; metrics?: { epoch: number } });
    let announced = 0;
    const late: string[] = [];
    for (const line of lines) {
      if (line.event === 'training.epoch') announced = line.metrics!.epoch;
      if (line.event === 'training.progress' && announced < line.epoch! - 1) {
        late.push(`epoch ${line.epoch} trains, only ${announced} announced`);
      }
    }
    expect(late).toEqual([]);
    expect(lines.filter((l) => l.event === 'training.epoch').map((l) => l.metrics!.epoch)).toEqual([
      1, 2, 3, 4,
    ]);
    const checkpoints = lines.filter((l) => l.event === 'training.checkpoint').map((l) => l.epoch);
    expect(checkpoints).toEqual([1, 2, 3, 4]);
    // The epoch lines carry no preview pixels (the checkpoint lines name the files).
    expect(out).not.toContain('data:image');
    expect(lines.at(-1)).toMatchObject({ event: 'result', epochs: EPOCHS });
    // Writes were slowed: the last epoch trained before the second checkpoint had been written.
    const lastEpochLine = lines.findIndex((l) => l.event === 'training.epoch' && l.metrics!.epoch === 4);
    const secondCheckpoint = lines.findIndex((l) => l.event === 'training.checkpoint' && l.epoch === 2);
    expect(lastEpochLine).toBeLessThan(secondCheckpoint);
  });
});
