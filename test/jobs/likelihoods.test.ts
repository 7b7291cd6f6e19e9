import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DECODER_LOG_SIGMA, VaeModel } from '../../src-main/engine/model.js';
import { decodeLatents, sampleLatents } from '../../src-main/engine/sampler.js';
import type { Likelihood } from '../../src-main/engine/types.js';
import { runEvaluation, runGeneration, runImport, runTraining } from '../../src-main/jobs/index.js';
import { loadTrainedModel } from '../../src-main/jobs/loadModel.js';
import { openProject } from '../../src-main/project/index.js';
import { tempDir, writeSquares } from '../helpers/tinyData.js';

// Every likelihood through the jobs (train, resume, eval, generate) on a tiny network on the cpu backend.
const tiny = { latentDim: 4, width: 4, batchSize: 16, seed: 7, valFraction: 0.25, conditional: false };

let images: string;

beforeAll(async () => {
  images = join(await tempDir(), 'images');
  await writeSquares(images, 48);
});

async function trainedProject(likelihood: Likelihood, epochs: number): Promise<string> {
  const project = join(await tempDir(), 'project');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  await runTraining({ project, backend: 'cpu', settings: { ...tiny, likelihood, epochs } });
  return project;
}

async function checkpointTensors(project: string): Promise<string[]> {
  const { layout } = await openProject(project);
  const latest = JSON.parse(await readFile(join(layout.checkpointsDir, 'latest.json'), 'utf8')) as {
    checkpoint: string;
  };
  const meta = JSON.parse(
    await readFile(join(layout.checkpointsDir, latest.checkpoint, 'model.json'), 'utf8'),
  ) as { weights: { name: string }[] };
  return meta.weights.map((w) => w.name);
}

describe('checkpoints of each likelihood through the jobs', () => {
  for (const likelihood of ['bernoulli', 'gaussian'] as const) {
    it(`a ${likelihood} checkpoint keeps the old format (parameters only) and still resumes, evaluates and generates`, async () => {
      const project = await trainedProject(likelihood, 1);
      const { model } = await loadTrainedModel((await openProject(project)).layout);
      // The tensors a checkpoint held before the σ-VAE existed: exactly the parameters, nothing added.
      expect(await checkpointTensors(project)).toEqual(model.paramNames);
      model.dispose();
      const resumed = await runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 2 } });
      expect(resumed.startEpoch).toBe(1);
      expect(resumed.history.map((m) => m.decoderSigma)).toEqual([undefined, undefined]);
      const evaluated = await runEvaluation({ project, backend: 'cpu' });
      expect(evaluated.likelihood).toBe(likelihood);
      expect(evaluated.decoderSigma).toBe(likelihood === 'gaussian' ? 0.1 : null);
      const out = join(await tempDir(), 'gen');
      expect((await runGeneration({ project, count: 3, out, backend: 'cpu' })).count).toBe(3);
    });
  }

  it('a σ-VAE checkpoint holds its σ̂, resumes with it, and evaluates and generates with it', async () => {
    const project = await trainedProject('gaussian-optimal', 1);
    expect((await checkpointTensors(project)).at(-1)).toBe(DECODER_LOG_SIGMA);
    const first = await loadTrainedModel((await openProject(project)).layout);
    const sigma1 = first.model.decoderLogSigma;
    expect(Math.exp(sigma1)).toBeCloseTo(first.checkpoint.state.history[0]!.decoderSigma!, 6);
    first.model.dispose();

    const resumed = await runTraining({ project, backend: 'cpu', resume: true, settings: { epochs: 2 } });
    expect(resumed.history).toHaveLength(2);
    expect(Math.log(resumed.history[0]!.decoderSigma!)).toBeCloseTo(sigma1, 6);
    const { model } = await loadTrainedModel((await openProject(project)).layout);
    expect(Math.exp(model.decoderLogSigma)).toBeCloseTo(resumed.history[1]!.decoderSigma!, 6);

    const whole = await runEvaluation({ project, backend: 'cpu' });
    expect(whole.likelihood).toBe('gaussian-optimal');
    expect(whole.decoderSigma).toBeCloseTo(Math.exp(model.decoderLogSigma), 6);
    // The validation figure of the last epoch is that same fixed-σ̂ evaluation (seeds differ, so only close).
    expect(Math.abs(whole.loss.negElbo - resumed.history[1]!.val!.negElbo)).toBeLessThan(
      0.1 * Math.abs(whole.loss.negElbo) + 5,
    );

    // Images are the decoder's mean, round(255·sigmoid(logits)), exactly as for the fixed-σ Gaussian.
    const fixed = VaeModel.create({ ...model.config, likelihood: 'gaussian' }, 0);
    fixed.setWeights((await model.readWeights()).filter((w) => w.name !== DECODER_LOG_SIGMA));
    const z = sampleLatents(6, model.config.latentDim, 11, 1);
    expect(Array.from((await decodeLatents(model, z, 6)).pixels)).toEqual(
      Array.from((await decodeLatents(fixed, z, 6)).pixels),
    );
    [model, fixed].forEach((m) => m.dispose());
    const out = join(await tempDir(), 'gen');
    expect((await runGeneration({ project, count: 3, out, backend: 'cpu' })).count).toBe(3);
    expect((await readdir(out)).filter((f) => f.endsWith('.png'))).toHaveLength(3);
  });
});
