import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, DEFAULT_TRAIN_OPTIONS } from '../../src-main/engine/config.js';
import type { NamedArray, TrainerState } from '../../src-main/engine/types.js';
import {
  archiveCheckpoints,
  loadCheckpoint,
  loadLatestCheckpoint,
  openOrCreateProject,
  openProject,
  readLatestCheckpointMeta,
  requireLatestCheckpoint,
  saveCheckpoint,
} from '../../src-main/project/index.js';
import type { UserError } from '../../src-main/util/errors.js';
import { tempDir } from '../helpers/tinyData.js';

function arrays(seed: number): NamedArray[] {
  return [
    {
      name: 'enc/conv0/kernel',
      shape: [2, 3],
      values: Float32Array.from([1, 2, 3, 4, 5, 6].map((v) => v * seed)),
    },
    { name: 'enc/conv0/bias', shape: [3], values: Float32Array.from([0.5, -0.25, seed]) },
  ];
}

function state(epoch: number): TrainerState {
  return {
    epoch,
    globalStep: epoch * 10,
    history: [],
    optimizer: [{ name: 'adam/step', shape: [1], values: Float32Array.of(epoch * 10) }],
  };
}

const dataset = { count: 10, size: 16, channels: 1 as const };

describe('project folder', () => {
  it('creates project.json once and refuses a folder that is not a project', async () => {
    const dir = await tempDir();
    const created = await openOrCreateProject(join(dir, 'p'));
    const again = await openProject(join(dir, 'p'));
    expect(again.meta.createdAt).toBe(created.meta.createdAt);
    await expect(openProject(join(dir, 'missing'))).rejects.toMatchObject({ code: 'NO_PROJECT' });
    await writeFile(join(dir, 'p', 'project.json'), '{"format":"something-else"}');
    await expect(openProject(join(dir, 'p'))).rejects.toMatchObject({ code: 'BAD_PROJECT' });
  });
});

describe('checkpoints', () => {
  it('reads a checkpoint saved before a setting existed with that setting at its default', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    const saved = await saveCheckpoint(layout, {
      config: { ...defaultConfig(16, 1), latentDim: 5 },
      trainOptions: { ...DEFAULT_TRAIN_OPTIONS, epochs: 3 },
      state: state(3),
      weights: arrays(1),
      backend: 'cpu',
      dataset,
    });
    // As an older version wrote it: without gaussianSigma, freeBits and the learning-rate warm-up.
    const file = join(saved.dir, 'model.json');
    const meta = JSON.parse(await readFile(file, 'utf8')) as {
      config: Record<string, unknown>;
      trainOptions: Record<string, unknown>;
    };
    delete meta.config.gaussianSigma;
    delete meta.trainOptions.freeBits;
    delete meta.trainOptions.lrWarmupSteps;
    await writeFile(file, JSON.stringify(meta));
    const loaded = await requireLatestCheckpoint(layout);
    expect(loaded.meta.config).toEqual({ ...defaultConfig(16, 1), latentDim: 5 });
    expect(loaded.meta.config.gaussianSigma).toBe(0.1);
    // It trained without a warm-up, so it resumes without one, whatever today's default.
    expect(DEFAULT_TRAIN_OPTIONS.lrWarmupSteps).toBeGreaterThan(0);
    expect(loaded.meta.trainOptions).toEqual({ ...DEFAULT_TRAIN_OPTIONS, epochs: 3, lrWarmupSteps: 0 });
  });

  it('round-trips weights, optimizer state and metadata exactly', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    const config = defaultConfig(16, 1);
    await saveCheckpoint(layout, {
      config,
      trainOptions: DEFAULT_TRAIN_OPTIONS,
      state: state(3),
      weights: arrays(2),
      backend: 'cpu',
      dataset,
    });
    const loaded = await requireLatestCheckpoint(layout);
    expect(loaded.meta.epoch).toBe(3);
    expect(loaded.meta.config).toEqual(config);
    expect(loaded.weights.map((w) => [w.name, w.shape, Array.from(w.values)])).toEqual(
      arrays(2).map((w) => [w.name, w.shape, Array.from(w.values)]),
    );
    expect(Array.from(loaded.state.optimizer[0]!.values)).toEqual([30]);
    expect(loaded.meta.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('points latest at the newest epoch, keeps one previous and ignores a half-written temporary folder', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    const base = {
      config: defaultConfig(16, 1),
      trainOptions: DEFAULT_TRAIN_OPTIONS,
      backend: 'cpu',
      dataset,
    };
    for (const epoch of [1, 2, 3])
      await saveCheckpoint(layout, { ...base, state: state(epoch), weights: arrays(epoch) });
    // What a kill in the middle of writing epoch 4 leaves behind.
    await mkdir(join(layout.checkpointsDir, '.tmp-epoch-0004-dead'));
    await writeFile(join(layout.checkpointsDir, '.tmp-epoch-0004-dead', 'weights.bin'), 'partial');
    const latest = await loadLatestCheckpoint(layout);
    expect(latest?.meta.epoch).toBe(3);
    expect(Array.from(latest!.weights[1]!.values)).toEqual([0.5, -0.25, 3]);
    const names = (await readdir(layout.checkpointsDir)).filter((n) => n.startsWith('epoch-')).sort();
    expect(names).toEqual(['epoch-0002', 'epoch-0003']);
  });

  it('names the file when weights.bin is truncated', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    const saved = await saveCheckpoint(layout, {
      config: defaultConfig(16, 1),
      trainOptions: DEFAULT_TRAIN_OPTIONS,
      state: state(1),
      weights: arrays(1),
      backend: 'cpu',
      dataset,
    });
    await truncate(join(saved.dir, 'weights.bin'), 8);
    await expect(loadLatestCheckpoint(layout)).rejects.toThrow(
      /weights\.bin: 8 bytes, model\.json expects 36/,
    );
  });

  it('archives the previous model instead of deleting it', async () => {
    const { layout } = await openOrCreateProject(await tempDir());
    await saveCheckpoint(layout, {
      config: defaultConfig(16, 1),
      trainOptions: DEFAULT_TRAIN_OPTIONS,
      state: state(5),
      weights: arrays(5),
      backend: 'cpu',
      dataset,
    });
    const archived = await archiveCheckpoints(layout);
    expect(archived).not.toBeNull();
    expect(await loadLatestCheckpoint(layout)).toBeNull();
    const pointer = JSON.parse(await readFile(join(archived!, 'latest.json'), 'utf8')) as { epoch: number };
    expect(pointer.epoch).toBe(5);
    expect(await readdir(archived!)).toContain('epoch-0005');
    await expect(requireLatestCheckpoint(layout)).rejects.toMatchObject({ code: 'NO_MODEL' });
  });
});

describe('checkpoint verification and fallback', () => {
  const base = { config: defaultConfig(16, 1), trainOptions: DEFAULT_TRAIN_OPTIONS, backend: 'cpu', dataset };

  async function twoEpochs() {
    const { layout } = await openOrCreateProject(await tempDir());
    await saveCheckpoint(layout, { ...base, state: state(1), weights: arrays(1) });
    const latest = await saveCheckpoint(layout, { ...base, state: state(2), weights: arrays(2) });
    return { layout, dir: latest.dir };
  }

  it('refuses NaN weights of the same size (checksum, then finiteness) and falls back to the intact epoch', async () => {
    const { layout, dir } = await twoEpochs();
    const file = join(dir, 'weights.bin');
    const size = (await readFile(file)).byteLength;
    const nan = Buffer.from(new Float32Array(size / 4).fill(NaN).buffer);
    await writeFile(file, nan);
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /weights\.bin does not match the checksum in model\.json/,
    );
    const fallback = await loadLatestCheckpoint(layout);
    expect(fallback?.meta.epoch).toBe(1);
    expect(fallback?.note).toMatch(
      /epoch-0002.weights\.bin does not match the checksum.*; using the newest intact earlier checkpoint, .*epoch-0001$/,
    );
    // With the checksum rewritten to match, the values themselves are refused.
    const metaFile = join(dir, 'model.json');
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as { weightsSha256: string };
    meta.weightsSha256 = createHash('sha256').update(nan).digest('hex');
    await writeFile(metaFile, JSON.stringify(meta));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /weights\.bin holds values that are not finite numbers/,
    );
  });

  it('refuses a flipped byte, a missing optimizer.bin, a truncated or garbage model.json, each in one line', async () => {
    const cases: [string, (dir: string) => Promise<void>, RegExp][] = [
      [
        'flipped byte',
        async (dir) => {
          const bytes = await readFile(join(dir, 'weights.bin'));
          bytes[5] = bytes[5]! ^ 0x10;
          await writeFile(join(dir, 'weights.bin'), bytes);
        },
        /weights\.bin does not match the checksum/,
      ],
      [
        'missing optimizer.bin',
        (dir) => rm(join(dir, 'optimizer.bin')),
        /optimizer\.bin is missing \(the checkpoint in .* is incomplete\)/,
      ],
      [
        'truncated model.json',
        async (dir) => {
          const text = await readFile(join(dir, 'model.json'), 'utf8');
          await writeFile(join(dir, 'model.json'), text.slice(0, text.length / 2));
        },
        /model\.json is not valid JSON \(truncated or damaged\)/,
      ],
      [
        'garbage model.json',
        (dir) => writeFile(join(dir, 'model.json'), 'garbage\n{{{\nmore'),
        /model\.json is not valid JSON/,
      ],
      [
        'model.json without arrays',
        (dir) =>
          writeFile(
            join(dir, 'model.json'),
            JSON.stringify({
              format: 'vae-studio-checkpoint',
              config: { imageSize: 16 },
              epoch: 1,
              globalStep: 1,
              history: [],
            }),
          ),
        /model\.json is damaged: the list of arrays in weights\.bin is missing/,
      ],
    ];
    for (const [, damage, message] of cases) {
      const { layout } = await openOrCreateProject(await tempDir());
      const saved = await saveCheckpoint(layout, { ...base, state: state(1), weights: arrays(1) });
      await damage(saved.dir);
      const err = (await loadLatestCheckpoint(layout).catch((e: unknown) => e)) as UserError;
      expect(err.code).toBe('BAD_CHECKPOINT');
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/no intact earlier checkpoint .* train a new model/);
      expect(err.message.split('\n')).toHaveLength(1);
    }
  });

  it('falls back to the newest intact epoch when latest.json is missing or garbage, and says so', async () => {
    const { layout } = await twoEpochs();
    await rm(layout.latestPointer);
    const missing = await loadLatestCheckpoint(layout);
    expect(missing?.meta.epoch).toBe(2);
    expect(missing?.note).toMatch(
      /latest\.json is missing; using the newest intact checkpoint, .*epoch-0002$/,
    );
    const meta = await readLatestCheckpointMeta(layout);
    expect(meta?.meta.epoch).toBe(2);
    await writeFile(layout.latestPointer, '{"checkpoint": 12');
    expect((await loadLatestCheckpoint(layout))?.note).toMatch(/latest\.json is not valid JSON/);
  });

  it('archives a project whose pointer is missing without deleting any epoch folder', async () => {
    const { layout } = await twoEpochs();
    await rm(layout.latestPointer);
    const archived = await archiveCheckpoints(layout);
    expect((await readdir(archived!)).sort()).toEqual(['epoch-0001', 'epoch-0002', 'latest.json']);
    const pointer = JSON.parse(await readFile(join(archived!, 'latest.json'), 'utf8')) as {
      checkpoint: string;
    };
    expect(pointer.checkpoint).toBe('epoch-0002');
    expect((await loadCheckpoint(join(archived!, 'epoch-0002'))).meta.epoch).toBe(2);
  });

  it('records and checks the sha256 of optimizer.bin', async () => {
    const { dir } = await twoEpochs();
    const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { optimizerSha256: string };
    expect(meta.optimizerSha256).toMatch(/^[0-9a-f]{64}$/);
    const bytes = await readFile(join(dir, 'optimizer.bin'));
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(join(dir, 'optimizer.bin'), bytes);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/optimizer\.bin does not match the checksum/);
  });
});
