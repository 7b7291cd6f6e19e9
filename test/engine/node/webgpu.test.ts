/**
 * The webgpu backend through Dawn (the `webgpu` package) on Chromium's SwiftShader Vulkan driver: a CPU adapter,
 * so these run on machines without a GPU. They need SwiftShader's ICD file and the Vulkan loader, and fail
 * saying what to install when either is missing, unless VAE_STUDIO_SKIP_WEBGPU=1.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { globalNorm } from '../../../src-main/engine/adam.js';
import { resolveBackend } from '../../../src-main/engine/node/backend.js';
import { VaeModel } from '../../../src-main/engine/model.js';
import { Trainer } from '../../../src-main/engine/trainer.js';
import type { EpochPreview, ImageBatch, TrainOptions, VaeConfig } from '../../../src-main/engine/types.js';
import { describeAdapter, hasVulkanLoader } from '../../../src-main/engine/node/dawn.js';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SKIP_VAR = 'VAE_STUDIO_SKIP_WEBGPU';
const skip = process.env[SKIP_VAR] === '1';

// The Vulkan loader reads this when Dawn creates its instance, i.e. at the first resolution below.
process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;

const config: VaeConfig = {
  imageSize: 16,
  channels: 1,
  latentDim: 4,
  beta: 1,
  width: 4,
  likelihood: 'bernoulli',
  gaussianSigma: 0.1,
  conditional: false,
};

const options: TrainOptions = {
  epochs: 3,
  batchSize: 8,
  learningRate: 1e-2,
  lrWarmupSteps: 0,
  seed: 3,
  valFraction: 0.25,
  klWarmupEpochs: 0,
  freeBits: 0,
  gradClipNorm: 0,
};

/** 24 seeded black-and-white 16×16 images. */
function images(): ImageBatch {
  const count = 24;
  const pixels = new Uint8Array(count * 16 * 16);
  let s = 7;
  for (let i = 0; i < pixels.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    pixels[i] = s >>> 24 > 160 ? 255 : 0;
  }
  return { pixels, count, size: 16, channels: 1 };
}

/** Trains the tiny VAE from the same seed and data on `backend`; every tensor lives on that backend. */
async function train(backend: 'cpu' | 'webgpu') {
  await resolveBackend(backend);
  const before = tf.memory().numTensors;
  const model = VaeModel.create(config, 3);
  const previews: EpochPreview[] = [];
  const result = await new Trainer(model, images(), options).run({
    onEpoch: (_metrics, preview) => {
      previews.push(preview);
    },
  });
  const weights = await model.readWeights();
  model.dispose();
  return { result, weights, previews, leaked: tf.memory().numTensors - before };
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

// A native tfjs package, where installed, comes before webgpu in 'auto'.
const requireHere = createRequire(import.meta.url);
const nativeInstalled = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].some((name) => {
  try {
    requireHere.resolve(name);
    return true;
  } catch {
    return false;
  }
});

const cli = fileURLToPath(new URL('../../../bin/vae-studio.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../../out/main/cli/index.js', import.meta.url)));

/** Runs the built CLI with VK_ICD_FILENAMES set to `icd`; resolves whatever the exit code. */
async function vaeStudio(args: string[], icd: string) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      timeout: 180_000, // SwiftShader on 2 busy cores: a minute is not always enough
      env: { ...process.env, VK_ICD_FILENAMES: icd, VAE_STUDIO_BACKEND: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('describeAdapter', () => {
  it("names a GPU from Dawn's normalized identifiers and tells software adapters apart", () => {
    const h100 = {
      vendor: 'nvidia',
      architecture: 'hopper',
      device: 'nvidia-h100-80gb-hbm3',
      description: 'NVIDIA: 550.54.15',
      isFallbackAdapter: false,
    };
    expect(describeAdapter(h100, 'vulkan')).toEqual({
      name: 'NVIDIA H100 80GB HBM3 (vulkan)',
      hardware: true,
    });
    const swiftShader = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: 'swiftshader-device-subzero-',
      description: 'SwiftShader driver 5.0.0',
      isFallbackAdapter: true,
    };
    expect(describeAdapter(swiftShader, 'vulkan')).toEqual({
      name: 'Google SwiftShader device subzero (CPU, vulkan)',
      hardware: false,
    });
    // lavapipe is a CPU adapter even where the fallback flag is missing.
    const lavapipe = {
      vendor: 'mesa',
      architecture: '',
      device: 'llvmpipe-llvm-15-0-6-256-bits',
      description: '',
    };
    expect(describeAdapter(lavapipe, 'vulkan').hardware).toBe(false);
  });
});

// What these tests need; when something is missing, one test fails saying what to install and the rest skip.
const missing = [
  ...(existsSync(SWIFTSHADER_ICD) ? [] : [`SwiftShader's Vulkan driver (${SWIFTSHADER_ICD})`]),
  ...(hasVulkanLoader() ? [] : ['the Vulkan loader (libvulkan.so.1)']),
];

describe.skipIf(skip)('the webgpu test machine', () => {
  it('has SwiftShader and the Vulkan loader', () => {
    const install = `apt-get install chromium libvulkan1, or set ${SKIP_VAR}=1 to skip the WebGPU tests`;
    expect(missing, `the WebGPU tests need ${missing.join(' and ')}: ${install}`).toEqual([]);
  });
});

describe.skipIf(skip || missing.length > 0)('the webgpu backend on SwiftShader', () => {
  it("'webgpu' starts on SwiftShader and names it as a CPU adapter", async () => {
    const choice = await resolveBackend('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(choice).toMatchObject({
      backend: 'webgpu',
      device: 'cpu',
      package: '@tensorflow/tfjs-backend-webgpu',
    });
    expect(choice.adapter).toMatch(/^Google SwiftShader .*\(CPU, vulkan\)$/);
    expect(choice.reason).toBe(
      `webgpu: Dawn WebGPU on ${choice.adapter}: a software adapter, slower than wasm on the same cores`,
    );
    expect(choice.attempts.map((a) => [a.backend, a.ok])).toEqual([['webgpu', true]]);
  });

  it.skipIf(nativeInstalled)("'auto' skips the SwiftShader adapter for wasm and says why", async () => {
    const choice = await resolveBackend('auto');
    const webgpu = choice.attempts.find((a) => a.backend === 'webgpu');
    expect(webgpu?.ok).toBe(false);
    expect(webgpu?.detail).toMatch(
      /^skipped Google SwiftShader .*\(CPU, vulkan\): a software adapter, slower than wasm on the same cores/,
    );
    expect(choice.backend).toBe('wasm');
    expect(choice.reason).toContain('webgpu: skipped Google SwiftShader');
  });

  it('trains a tiny VAE to the losses, weights and previews of the cpu backend', async () => {
    const cpu = await train('cpu');
    const gpu = await train('webgpu');
    expect(gpu.result.history).toHaveLength(3);
    gpu.result.history.forEach((m, i) => {
      const ref = cpu.result.history[i]!;
      expect(relative(m.train.negElbo, ref.train.negElbo)).toBeLessThan(1e-5);
      expect(relative(m.val!.negElbo, ref.val!.negElbo)).toBeLessThan(1e-5);
      expect(relative(m.train.kl, ref.train.kl)).toBeLessThan(1e-3);
    });
    // Training moved the weights, and both backends moved them alike (Adam steps are ~1e-2 each).
    gpu.weights.forEach((w, i) => {
      const ref = cpu.weights[i]!.values;
      const maxDiff = w.values.reduce((m, v, j) => Math.max(m, Math.abs(v - ref[j]!)), 0);
      expect(maxDiff, w.name).toBeLessThan(1e-3);
    });
    // 18 training images in batches of 8: 3 steps per epoch.
    expect(gpu.result.state.optimizer.find((s) => s.name === 'adam/step')?.values[0]).toBe(9);
    const last = gpu.previews.at(-1)!;
    const ref = cpu.previews.at(-1)!;
    const pixelDiff = last.samples.pixels.reduce(
      (m, v, j) => Math.max(m, Math.abs(v - ref.samples.pixels[j]!)),
      0,
    );
    expect(pixelDiff).toBeLessThanOrEqual(1);
    expect(gpu.leaked).toBe(0);
  });

  it("gets the decoder dense layer's input gradient right (tfjs-webgpu's split-K transposeB path, fixed)", async () => {
    // dy [64, 4096] · Wᵀ with W [32, 4096]: a small output over a long inner axis, where the package's split-K
    // program reads Bᵀ along the wrong axis unless engine/webgpu/kernels.ts has transposed it first.
    const seeded = (n: number, seed: number) =>
      Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.5);
    const dy = seeded(64 * 4096, 1);
    const w = seeded(32 * 4096, 2);
    const product = async (backend: 'cpu' | 'webgpu') => {
      await resolveBackend(backend);
      const out = tf.tidy(() =>
        tf.matMul(tf.tensor2d(dy, [64, 4096]), tf.tensor2d(w, [32, 4096]), false, true),
      );
      const values = (await out.data()) as Float32Array;
      out.dispose();
      return values;
    };
    const ref = await product('cpu');
    const got = await product('webgpu');
    const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const diff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i]!)), 0);
    expect(diff / scale).toBeLessThan(1e-4);
  });

  it('takes the global gradient norm over more tensors than WebGPU binds at once (8)', async () => {
    const norm = async (backend: 'cpu' | 'webgpu') => {
      await resolveBackend(backend);
      const grads = Array.from({ length: 12 }, (_, i) => tf.fill([3, 5], i + 1));
      const n = globalNorm(grads);
      const value = (await n.data())[0]!;
      tf.dispose([...grads, n]);
      return value;
    };
    // √(15 · Σ k², k = 1…12) = √(15 · 650)
    expect(await norm('cpu')).toBeCloseTo(Math.sqrt(15 * 650), 3);
    expect(await norm('webgpu')).toBeCloseTo(Math.sqrt(15 * 650), 3);
  });

  it('refuses a synchronous weight read on webgpu, pointing at readWeights', async () => {
    await resolveBackend('webgpu');
    const model = VaeModel.create(config, 1);
    expect(() => model.getWeights()).toThrow(/webgpu backend cannot; use readWeights/);
    model.dispose();
  });

  describe.skipIf(!built)('from the command line (built: npx tsc -p tsconfig.build.json)', () => {
    it('benchmarks std28 with --backend webgpu and prints the adapter', async () => {
      const args = [
        'bench',
        '--arch',
        'std28',
        '--steps',
        '1',
        '--warmup',
        '0',
        '--batch',
        '4',
        '--backend',
        'webgpu',
      ];
      const r = await vaeStudio(args, SWIFTSHADER_ICD);
      expect(r.stderr).not.toMatch(/validation|vae-studio( \[[a-z-]+\])?:/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /^std28 batch 4 on webgpu \(cpu, Google SwiftShader .*\(CPU, vulkan\)\): [\d.]+ training images\/s/,
      );
    }, 240_000);

    it('without a Vulkan driver, fails --backend webgpu in one line naming the cause, and auto uses wasm', async () => {
      const args = ['bench', '--arch', 'std28', '--steps', '1', '--warmup', '0', '--batch', '2'];
      const webgpu = await vaeStudio([...args, '--backend', 'webgpu'], '/nonexistent.json');
      expect(webgpu.code).toBe(1);
      const errors = webgpu.stderr.split('\n').filter((l) => l.startsWith('vae-studio:'));
      expect(errors).toEqual([
        "vae-studio: no 'webgpu' backend could be started. Tried webgpu: Dawn found no Vulkan adapter: " +
          'VK_ICD_FILENAMES names /nonexistent.json, which does not exist',
      ]);

      const auto = await vaeStudio([...args, '--backend', 'auto', '--json'], '/nonexistent.json');
      expect(auto.code).toBe(0);
      const result = JSON.parse(auto.stdout.trim().split('\n').at(-1)!) as {
        backend: { backend: string; attempts: { backend: string; ok: boolean; detail: string }[] };
      };
      expect(result.backend.backend).toBe('wasm');
      expect(result.backend.attempts.find((a) => a.backend === 'webgpu')).toEqual({
        backend: 'webgpu',
        ok: false,
        detail:
          'Dawn found no Vulkan adapter: VK_ICD_FILENAMES names /nonexistent.json, which does not exist',
      });
    });
  });
});
