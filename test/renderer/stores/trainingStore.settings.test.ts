// @vitest-environment node
/**
 * One declaration per setting: the app (its Train form, through the studio) and the CLI train the same default
 * model on the same images, and every setting value the CLI accepts is a valid value of the app's form.
 */
import { join } from 'node:path';
import { nextTick } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import {
  defaultEpochs,
  TRAIN_SETTINGS,
  type Setting,
  type TrainSettings,
} from '../../../src-main/contract/index.js';
import { OptionReader, parseCommandArgs } from '../../../src-main/cli/args.js';
import { main } from '../../../src-main/cli/index.js';
import { trainCommand } from '../../../src-main/cli/commands/train.js';
import { readSettings } from '../../../src-main/cli/settingOptions.js';
import { resolveTrainSettings } from '../../../src-main/engine/index.js';
import { runImport, type TrainJobInput } from '../../../src-main/jobs/index.js';
import type { JobRunner } from '../../../src-main/worker/runner.js';
import { useTrainingStore } from '../../../src-renderer/src/stores/index.js';
import { createFakeApi, installStores, ok } from '../fakeApi';
import { datasetSummary, modelSummary, projectSummary } from '../fixtures';
import { tempDir, writeSquares } from '../../helpers/tinyData.js';
import { testStudio } from '../../studio/harness.js';

// The CLI's train command runs the job in its own process: catch its input instead of training.
const cliTrainInputs: TrainJobInput[] = [];
vi.mock('../../../src-main/jobs/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src-main/jobs/index.js')>();
  return {
    ...actual,
    runTraining: (input: TrainJobInput) => {
      cliTrainInputs.push(input);
      return Promise.reject(new Error('caught by the test'));
    },
  };
});

/** A job runner that keeps the studio's train job input and never runs it. */
function catchingRunner(inputs: TrainJobInput[]): JobRunner {
  return {
    start: (kind, input) => {
      if (kind === 'train') inputs.push(input as TrainJobInput);
      return { result: new Promise(() => undefined), cancel: () => undefined };
    },
    shutdown: () => Promise.resolve(),
  };
}

const SHAPES = [
  { imageSize: 28, channels: 1 },
  { imageSize: 64, channels: 3 },
] as const;

describe('the app and the CLI train the same default model', () => {
  for (const shape of SHAPES) {
    it(`on ${shape.imageSize}×${shape.imageSize}×${shape.channels} images`, async () => {
      const folder = join(await tempDir(), 'images');
      await writeSquares(folder, 8, shape.imageSize);
      const project = join(await tempDir(), 'p');
      await runImport({ folder, project, size: shape.imageSize, channels: shape.channels, fit: 'cover' });

      // The app: its Train form's untouched request, into the studio, to the train job's input.
      const fake = createFakeApi();
      fake.on('training.start', () => ok({ jobId: 'train-1', kind: 'train' }));
      installStores(fake);
      const dataset = datasetSummary({
        size: shape.imageSize,
        channels: shape.channels,
        count: 8,
        labels: ['a', 'b'],
        perLabel: { a: 4, b: 4 },
      });
      fake.emit('project.changed', projectSummary({ root: project, dataset }));
      await nextTick();
      expect(await useTrainingStore().start()).toBe(true);
      const appRequest = fake.inputsOf('training.start')[0]!;
      const studioInputs: TrainJobInput[] = [];
      const studio = await testStudio({ runner: catchingRunner(studioInputs) });
      await studio.call('project.open', { path: project });
      await studio.call('training.start', appRequest);
      expect(studioInputs).toHaveLength(1);

      // The CLI: `vae-studio train --project p`, no other option.
      cliTrainInputs.length = 0;
      await main(['train', '--project', project], { stdout: sink(), stderr: sink() });
      expect(cliTrainInputs).toHaveLength(1);

      // Both inputs become a model the way the train job makes one (the squares lie in class folders a/ and b/).
      // The train job also knows how many images there are: the training length scales with them.
      const data = { ...shape, classes: ['a', 'b'], count: 8 };
      const fromApp = resolveTrainSettings(data, studioInputs[0]!.settings ?? {});
      const fromCli = resolveTrainSettings(data, cliTrainInputs[0]!.settings ?? {});
      expect(fromApp).toEqual(fromCli);
      expect(fromCli.config).toEqual({
        ...shape,
        latentDim: 32,
        // Colour images train the σ-VAE at β 1, grey ones the Bernoulli decoder at β 0.1 (docs/quality.md).
        beta: shape.channels === 3 ? 1 : 0.1,
        width: 32,
        likelihood: shape.channels === 3 ? 'gaussian-optimal' : 'bernoulli',
        gaussianSigma: 0.1,
        conditional: true,
        classes: ['a', 'b'],
      });
      expect(fromCli.options).toMatchObject({
        epochs: defaultEpochs(8),
        batchSize: 64,
        learningRate: 3e-3,
        valFraction: 0.1,
      });
      expect(studioInputs[0]!.backend).toBe(cliTrainInputs[0]!.backend === 'auto' ? 'wasm' : undefined);
    });
  }
});

/** Values at the ends of a setting's range and its default: the ones most likely to disagree. */
function probes(s: Setting): (number | string | boolean)[] {
  if (s.kind === 'choice') return s.choices.map((c) => c.value);
  if (s.kind === 'boolean') return [true];
  const low = s.minExclusive ? (s.integer ? s.min + 1 : s.min + 1e-9) : s.min;
  return [low, s.max, typeof s.default === 'number' ? s.default : s.default({ imageSize: 28, channels: 1 })];
}

describe("every setting the CLI accepts is valid in the app's form", () => {
  const cases = Object.entries(TRAIN_SETTINGS).flatMap(([key, s]) =>
    probes(s).map((value) => ({ key: key as keyof TrainSettings, flag: s.flag, value })),
  );

  it(`${cases.length} values, each setting at both ends of its range and at its default`, async () => {
    const fake = createFakeApi();
    installStores(fake);
    const training = useTrainingStore();
    const refused: string[] = [];
    for (const [i, { key, flag, value }] of cases.entries()) {
      const typed = new OptionReader(parseCommandArgs([`--${flag}`, String(value)], trainCommand.options));
      const settings = readSettings(typed, TRAIN_SETTINGS);
      expect(settings[key], flag).toBe(value);
      // A dataset of two classes, on which every model setting is allowed (a conditional model included).
      const { config, options } = resolveTrainSettings(
        { imageSize: 28, channels: 1, classes: ['a', 'b'] },
        settings,
      );
      // The CLI's model opens in the app: its settings fill the form.
      const model = modelSummary(1, { config, trainOptions: options });
      fake.emit('project.changed', projectSummary({ root: `/p/${i}`, model }));
      await nextTick();
      expect(training.form[key], flag).toBe(value);
      if (!training.isValid) refused.push(`--${flag} ${value}: ${JSON.stringify(training.fieldErrors)}`);
    }
    expect(refused).toEqual([]);
  });

  it('a model trained with --width 512 (the issue that started this) leaves Start enabled', async () => {
    const fake = createFakeApi();
    installStores(fake);
    const { config, options } = resolveTrainSettings({ imageSize: 28, channels: 1 }, { width: 512 });
    fake.emit(
      'project.changed',
      projectSummary({ model: modelSummary(1, { config, trainOptions: options }) }),
    );
    await nextTick();
    const training = useTrainingStore();
    expect(training.form.width).toBe(512);
    expect(training.fieldErrors).toEqual({});
    expect(training.canStart).toBe(true);
  });
});

function sink() {
  return { write: () => true } as unknown as NodeJS.WritableStream;
}
