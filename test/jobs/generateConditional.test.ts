import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src-main/dataset/index.js';
import { splitIndices } from '../../src-main/engine/index.js';
import {
  prepareSampler,
  runGeneration,
  runImport,
  runInterpolation,
  runQuality,
  runTraining,
  type GenerateJobInput,
} from '../../src-main/jobs/index.js';
import { qualityReportSchema } from '../../src-main/contract/index.js';
import { loadTrainedModel } from '../../src-main/jobs/loadModel.js';
import { projectLayout, type ClassMixturesFile } from '../../src-main/project/index.js';
import { BAR_CLASSES, tempDir, writeBarsAndBlocks } from '../helpers/tinyData.js';

interface Row {
  file: string;
  class?: string;
  classIndex?: number;
  index: number;
  seed: number;
  latentSeed: number;
  z: number[];
}

async function rows(out: string): Promise<Row[]> {
  const text = await readFile(join(out, 'manifest.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
}

/** The PNGs under each class folder of `out`, as `<class>/<file>`, sorted. */
async function imageFolderFiles(out: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(out, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const name of await readdir(join(out, entry.name))) files.push(`${entry.name}/${name}`);
  }
  return files.sort();
}

/** A grayscale image file's pixels. */
async function pixelsOf(file: string): Promise<Uint8Array> {
  const { data } = await sharp(file).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/**
 * The classifier the samples are judged by, trained on the real training images only: k-nearest neighbours
 * (k = 5, Euclidean) in pixel space, majority vote (the nearest one breaks a tie).
 */
function knnClassifier(train: { pixels: Uint8Array; label: string }[], k = 5): (x: Uint8Array) => string {
  return (x) => {
    const nearest = train
      .map((t) => {
        let d = 0;
        for (let i = 0; i < x.length; i++) d += (x[i]! - t.pixels[i]!) ** 2;
        return { d, label: t.label };
      })
      .sort((a, b) => a.d - b.d)
      .slice(0, k);
    const votes = new Map<string, number>();
    for (const n of nearest) votes.set(n.label, (votes.get(n.label) ?? 0) + 1);
    const top = Math.max(...votes.values());
    return nearest.find((n) => votes.get(n.label) === top)!.label;
  };
}

let project: string;
let classify: (x: Uint8Array) => string;
let heldOutAccuracy = 0;

beforeAll(async () => {
  const images = join(await tempDir(), 'bars');
  await writeBarsAndBlocks(images, 60);
  project = join(await tempDir(), 'project');
  await runImport({ folder: images, project, size: 16, channels: 1, fit: 'cover' });
  // The dataset has 3 class folders: the model is conditional without being asked.
  await runTraining({
    project,
    backend: 'wasm',
    settings: {
      latentDim: 4,
      width: 8,
      epochs: 25,
      batchSize: 16,
      learningRate: 3e-3,
      lrWarmupSteps: 0, // 75 steps in all
      seed: 1,
      valFraction: 0.2,
    },
  });
  const { manifest, images: data } = await loadDataset(projectLayout(project).datasetDir);
  const { train, val } = splitIndices(data.count, 0.2, 1);
  const per = 16 * 16;
  const item = (i: number) => ({
    pixels: data.pixels.slice(i * per, (i + 1) * per),
    label: manifest.items[i]!.label,
  });
  classify = knnClassifier(Array.from(train, item));
  const held = Array.from(val, item);
  heldOutAccuracy = held.filter((h) => classify(h.pixels) === h.label).length / held.length;
}, 120_000);

const gen = (out: string, more: Partial<GenerateJobInput> = {}) =>
  runGeneration({ project, out, seed: 7, backend: 'wasm', ...more });

describe('a conditional model (trained by default on a dataset with class folders)', () => {
  it('records its classes in the checkpoint, and the class counts it was trained on', async () => {
    const { checkpoint, model } = await loadTrainedModel(projectLayout(project));
    model.dispose();
    expect(checkpoint.meta.config).toMatchObject({ conditional: true, classes: [...BAR_CLASSES] });
    expect(checkpoint.meta.dataset.classCounts).toEqual([60, 60, 60]);
  });

  it('draws the class it is asked for: a k-NN trained on the real images classifies its samples as that class', async () => {
    // The classifier itself must be good on real images it has not seen, or its verdict on samples says nothing.
    expect(heldOutAccuracy).toBeGreaterThanOrEqual(0.95);
    const out = join(await tempDir(), 'judged');
    await gen(out, { perClass: 30 });
    const listed = await rows(out);
    expect(listed).toHaveLength(90);
    let right = 0;
    const confusion: Record<string, Record<string, number>> = {};
    for (const row of listed) {
      const said = classify(await pixelsOf(join(out, row.file)));
      confusion[row.class!] ??= {};
      confusion[row.class!]![said] = (confusion[row.class!]![said] ?? 0) + 1;
      if (said === row.class) right++;
    }
    // Measured: 90 of 90 (seed 1, 25 epochs); the margin is for other machines' float rounding.
    expect(right / listed.length, JSON.stringify(confusion)).toBeGreaterThanOrEqual(0.9);
  });

  it('writes the ImageFolder layout: the asked counts in <out>/<class>/, each row naming its file and class', async () => {
    const out = join(await tempDir(), 'counts');
    const result = await gen(out, { perClass: { horizontal: 4, vertical: 2 } });
    expect(result.classes).toEqual([
      { name: 'horizontal', index: 1, folder: 'horizontal', count: 4, written: 4 },
      { name: 'vertical', index: 2, folder: 'vertical', count: 2, written: 2 },
    ]);
    const listed = await rows(out);
    expect(listed.map((r) => r.file).sort()).toEqual(await imageFolderFiles(out));
    expect(listed.map((r) => `${r.file} ${r.class} ${r.classIndex} ${r.index}`)).toEqual([
      'horizontal/sample-s7-000000.png horizontal 1 0',
      'horizontal/sample-s7-000001.png horizontal 1 1',
      'horizontal/sample-s7-000002.png horizontal 1 2',
      'horizontal/sample-s7-000003.png horizontal 1 3',
      'vertical/sample-s7-000000.png vertical 2 0',
      'vertical/sample-s7-000001.png vertical 2 1',
    ]);
    const csv = (await readFile(join(out, 'manifest.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe(
      'file,index,seed,latent_seed,temperature,sampler,sampler_sha256,epoch,weights_sha256,checkpoint,z,class,class_index',
    );
    expect(csv.slice(1).map((line) => line.split(',').slice(-2).join(','))).toEqual([
      ...Array<string>(4).fill('horizontal,1'),
      ...Array<string>(2).fill('vertical,2'),
    ]);
    // A second run of the same folder adds another class beside them, and lists nothing twice.
    await gen(out, { perClass: 3, classes: ['block'] });
    expect((await imageFolderFiles(out)).filter((f) => f.startsWith('block/'))).toHaveLength(3);
    expect(await rows(out)).toHaveLength(9);
  });

  it('splits --count by the training data’s class proportions (largest remainder), summing to the count', async () => {
    const out = join(await tempDir(), 'split');
    const result = await gen(out, { count: 10, sampler: 'prior' });
    expect(result.classes!.map((c) => [c.name, c.count])).toEqual([
      ['block', 4],
      ['horizontal', 3],
      ['vertical', 3],
    ]);
    expect(result.count).toBe(10);
    expect((await rows(out)).length).toBe(10);
  });

  it('regenerates image i of class c byte for byte from its row: --classes c --per-class 1 --start i', async () => {
    for (const sampler of ['gmm', 'prior'] as const) {
      const out = join(await tempDir(), `all-${sampler}`);
      const all = await gen(out, { perClass: 5, sampler });
      const row = (await rows(out)).find((r) => r.class === 'vertical' && r.index === 3)!;
      const again = join(await tempDir(), `one-${sampler}`);
      const one = await gen(again, {
        seed: row.seed,
        classes: [row.class!],
        perClass: 1,
        start: row.index,
        sampler,
        batchSize: 1,
      });
      const original = all.files.find((f) => f.endsWith(row.file))!;
      expect(one.files).toEqual([join(again, row.file)]);
      expect(await readFile(one.files[0]!)).toEqual(await readFile(original));
      expect((await rows(again))[0]).toEqual(row);
    }
  });

  it('draws each class from its own stream of the seed: the classes’ latents differ, and asking for more keeps the first', async () => {
    const out = join(await tempDir(), 'streams');
    await gen(out, { perClass: 2, sampler: 'prior' });
    const listed = await rows(out);
    const first = listed.filter((r) => r.index === 0);
    expect(new Set(first.map((r) => r.latentSeed)).size).toBe(3);
    const more = join(await tempDir(), 'more');
    await gen(more, { perClass: 4, sampler: 'prior' });
    const wider = await rows(more);
    for (const r of listed) {
      expect(wider.find((w) => w.class === r.class && w.index === r.index)!.z).toEqual(r.z);
    }
  });

  it('fits one mixture per class, reproducibly: the same fit, and the same samples, from the same seed', async () => {
    const layout = projectLayout(project);
    const prepareOnce = async () => {
      const { model, checkpoint } = await loadTrainedModel(layout);
      try {
        // A fresh fit each time: the file saved by another test must not answer for it.
        const images = (await loadDataset(layout.datasetDir)).images;
        images.labels = Uint16Array.from((await loadDataset(layout.datasetDir)).manifest.items, (item) =>
          BAR_CLASSES.indexOf(item.label as (typeof BAR_CLASSES)[number]),
        );
        const { rm } = await import('node:fs/promises');
        await rm(join(checkpoint.dir, 'sampler-gmm.json'), { force: true });
        return await prepareSampler({
          kind: 'gmm',
          checkpoint,
          model,
          datasetDir: layout.datasetDir,
          images,
        });
      } finally {
        model.dispose();
      }
    };
    const a = await prepareOnce();
    const b = await prepareOnce();
    const file = a.file as ClassMixturesFile;
    expect(file.version).toBe(2);
    expect(file.classes.map((c) => c.name)).toEqual([...BAR_CLASSES]);
    // A class of n training latents of 4 dimensions gets ⌊n / (2·5)⌋ components (here 46, 47 and 51 images).
    expect(file.classes.map((c) => [c.trainingImages, c.components])).toEqual([
      [46, 4],
      [47, 4],
      [51, 5],
    ]);
    expect(file.classes.reduce((n, c) => n + c.trainingImages, 0)).toBe(144);
    expect((b.file as ClassMixturesFile).classes.map((c) => c.mixture)).toEqual(
      file.classes.map((c) => c.mixture),
    );
    expect(b.sha256).toBe(a.sha256);
    for (let k = 0; k < 3; k++)
      expect(b.samplerOf(k).sample(6, 11, 1)).toEqual(a.samplerOf(k).sample(6, 11, 1));
    // Each class's mixture is its own.
    expect(a.samplerOf(0).sample(1, 11, 1)).not.toEqual(a.samplerOf(1).sample(1, 11, 1));
    expect(() => a.samplerOf(null)).toThrow('a conditional model samples per class');
  });

  it('refuses unknown classes, naming them and listing the known ones, and images without classes beside its folders', async () => {
    const out = join(await tempDir(), 'bad');
    await expect(gen(out, { perClass: { diagonal: 3 } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'perClass: the model has no class "diagonal"; its classes are block, horizontal, vertical',
    });
    await expect(gen(out, { count: 3, classes: ['vertical', 'Vertical'] })).rejects.toMatchObject({
      message: 'classes: the model has no class "Vertical"; its classes are block, horizontal, vertical',
    });
    await expect(gen(out, { count: 3, perClass: 2 })).rejects.toMatchObject({
      message: 'count and perClass: give one of them (perClass sets the count)',
    });
    // A folder of images without classes (an unconditional model's) is no place for class folders.
    const plain = join(await tempDir(), 'plain');
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(plain);
    await writeFile(
      join(plain, 'manifest.jsonl'),
      JSON.stringify({ file: 'sample-s1-000000.png', index: 0, seed: 1 }) + '\n',
    );
    await expect(gen(plain, { perClass: 1 })).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      message:
        `${plain} already holds images without classes (seed 1), and this model draws them by class into class ` +
        'folders; nothing was written. Generate into another folder.',
    });
    // No class folder was made (the csv is the manifest's own, rebuilt from its jsonl).
    expect((await readdir(plain)).sort()).toEqual(['manifest.csv', 'manifest.jsonl']);
  });

  it('leaves near-copies out per class with --reject-copies, and its rows keep their classes', async () => {
    const out = join(await tempDir(), 'reject');
    const result = await gen(out, { perClass: 3, rejectCopies: true });
    expect(result.count).toBe(9);
    expect(result.classes!.map((c) => c.written)).toEqual([3, 3, 3]);
    const listed = await rows(out);
    expect(listed.map((r) => r.file).sort()).toEqual(await imageFolderFiles(out));
    const rejected = (await readFile(join(out, 'rejected.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row);
    expect(rejected.every((r) => BAR_CLASSES.includes(r.class as (typeof BAR_CLASSES)[number]))).toBe(true);
    // Run again: nothing more to write, the same files.
    const again = await gen(out, { perClass: 3, rejectCopies: true });
    expect(again).toMatchObject({ count: 0, alreadyThere: 9 });
  });

  it('interpolates between images of two classes, walking the label from one class to the other', async () => {
    const layout = projectLayout(project);
    const { manifest } = await loadDataset(layout.datasetDir);
    const a = manifest.items.findIndex((item) => item.label === 'horizontal');
    const b = manifest.items.findIndex((item) => item.label === 'vertical');
    const out = join(await tempDir(), 'walk');
    const result = await runInterpolation({
      project,
      imageA: { datasetIndex: a },
      imageB: { datasetIndex: b },
      out,
      steps: 5,
      animation: 'none',
      backend: 'wasm',
    });
    expect(result).toMatchObject({ classA: 'horizontal', classB: 'vertical' });
    const record = JSON.parse(await readFile(result.record, 'utf8')) as Record<string, unknown>;
    expect(record).toMatchObject({
      a: `dataset image #${a}`,
      b: `dataset image #${b}`,
      classA: 'horizontal',
      classB: 'vertical',
      classWeights: [0, 0.25, 0.5, 0.75, 1],
    });
    // The ends look like their classes.
    expect(classify(await pixelsOf(result.frames[0]!))).toBe('horizontal');
    expect(classify(await pixelsOf(result.frames[4]!))).toBe('vertical');
    // A file outside the dataset needs its class.
    const { frames } = result;
    await expect(
      runInterpolation({
        project,
        imageA: frames[0]!,
        imageB: frames[4]!,
        out: join(out, 'x'),
        backend: 'wasm',
      }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('give its class') as string,
    });
    const classed = await runInterpolation({
      project,
      imageA: { file: frames[0]!, class: 'horizontal' },
      imageB: { file: frames[4]!, class: 'block' },
      out: join(out, 'y'),
      steps: 3,
      animation: 'none',
      backend: 'wasm',
    });
    expect(classed).toMatchObject({ classA: 'horizontal', classB: 'block' });
  });

  it('scores its own samples by the class each was generated for, and reports how often their nearest training image agrees', async () => {
    const r = await runQuality({
      project,
      count: 30,
      likelihoodImages: 4,
      likelihoodSamples: 8,
      backend: 'wasm',
    });
    expect(qualityReportSchema.parse(r)).toEqual(r);
    // 30 samples split by the classes' shares (60 each): 10 of each, each class scored against its own.
    expect(r.perClass.map((c) => [c.label, c.scoredCount, c.realCount])).toEqual([
      ['block', 10, 14],
      ['horizontal', 10, 13],
      ['vertical', 10, 9],
    ]);
    // Measured 1 for every class (the nearest training image in feature space is of the class asked for), and
    // 0.97 for the folder below.
    expect(r.classAgreement).toBeGreaterThanOrEqual(0.8);
    for (const c of r.perClass) expect(c.agreement).toBeGreaterThanOrEqual(0.6);
    expect(r.verdict).toContain(
      `The samples show the class they were asked for ${Math.round(r.classAgreement! * 100)} % of the time ` +
        '(their nearest training image is of that class).',
    );
    const markdown = await readFile(r.markdown, 'utf8');
    expect(markdown).toMatch(/\| class \| samples \(share\) \|.* \| copies \| class agreement \|/);
    expect(markdown).toMatch(/\| block \| 10 \(33.3 %\) \|.* \| 100.0 % \|/);
    // A folder of its generation (the ImageFolder layout) is scored by its class folders the same way.
    const out = join(await tempDir(), 'scored');
    await gen(out, { perClass: 10 });
    const folder = await runQuality({
      project,
      generated: out,
      likelihoodImages: 4,
      likelihoodSamples: 8,
      backend: 'wasm',
    });
    expect(folder.perClass.map((c) => c.scoredCount)).toEqual([10, 10, 10]);
    expect(folder.classAgreement).toBeGreaterThanOrEqual(0.8);
  });
});
