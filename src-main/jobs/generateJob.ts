import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { encodeImage, type ImageFormat } from '../dataset/index.js';
import { GENERATE_SETTINGS } from '../contract/index.js';
import {
  classLatentSeed,
  decodeLatents,
  latentSeed,
  type SamplerKind,
  type VaeConfig,
} from '../engine/index.js';
import { resolveBackend, type BackendPreference } from '../engine/node/index.js';
import { openProject } from '../project/index.js';
import { UserError, throwIfCancelled, CancelledError } from '../util/errors.js';
import { ignoreEvents, jobEvent, logEvent, type JobContext } from './events.js';
import {
  appendOrUnlink,
  classImageName,
  imageName,
  unlistedFile,
  writeFailure,
  writeImage,
} from './generationFiles.js';
import {
  planClassDraws,
  unconditionalModel,
  type ClassDraw,
  type ClassRequest,
} from './generationClasses.js';
import { DrawPlan, LazyCopyDetector, resumeLine, tooManyCopies } from './generationFilter.js';
import { GenerationManifest, MANIFEST_JSONL } from './generationManifest.js';
import { prepareSampler } from './latentSampler.js';
import { refuseMixedKinds, refuseMixedSeed } from './generationRefusals.js';
import { loadTrainedModel } from './loadModel.js';
import { RejectedList, REJECTED_JSONL } from './rejectedCopies.js';
import { makeFolder } from '../util/folders.js';

export type { GeneratedImage } from './generationManifest.js';

export interface GenerateJobInput {
  project: string;
  /**
   * Images to write. A conditional model's are split over its classes (or those of `classes`) by the training
   * data's class proportions; give `perClass` instead to say each class's count. Required without `perClass`.
   */
  count?: number;
  out: string;
  temperature?: number;
  seed?: number;
  /**
   * Index of the first image: image i of a run is fully determined by (seed, start + i, temperature, sampler); a
   * conditional model's by (seed, class, start + i, …), each class counting its own images from `start`.
   */
  start?: number;
  /**
   * Where the latents come from: the prior N(0, I), or the checkpoint's mixture fitted to its training latents
   * (fitted and saved beside the checkpoint on first use; one per class for a conditional model). Default:
   * GENERATE_SETTINGS' sampler.
   */
  sampler?: SamplerKind;
  format?: ImageFormat;
  batchSize?: number;
  /**
   * Leave out images the quality report would call near-copies of training images, and draw further indices of
   * the seed in their place (generationFilter.ts). Default false.
   */
  rejectCopies?: boolean;
  /** A conditional model only: n images of each class, or the count of each class named (generationClasses.ts). */
  perClass?: ClassRequest['perClass'];
  /** A conditional model only: draw only these classes (by name). */
  classes?: readonly string[];
  backend?: BackendPreference;
}

/** One class of a conditional generation, as its result reports it. */
export interface GeneratedClass {
  name: string;
  /** Its index in the model's classes. */
  index: number;
  /** Its folder inside the output folder. */
  folder: string;
  /** Images of the class the run asked for. */
  count: number;
  /** Of them, the files this run wrote (or found whole and listed). */
  written: number;
}

export interface GenerateJobResult {
  out: string;
  /** The files this run wrote (or found whole and listed), in index order (a conditional model's class by class). */
  files: string[];
  manifest: { jsonl: string; csv: string };
  /** Images this run added to the manifest. */
  count: number;
  /** Images of the asked range that the manifest already listed, so this run left them as they were. */
  alreadyThere: number;
  /**
   * Near-copies of training images passed over to reach the run's images (`rejectCopies`; 0 without it): those
   * this run judged and those rejected.jsonl already listed.
   */
  rejected: number;
  /** A conditional model's classes this run drew, in the model's class order; absent for an unconditional one. */
  classes?: GeneratedClass[];
  cancelled: boolean;
  seconds: number;
  imagesPerSec: number;
}

/** One stream of images a run draws: an unconditional model's one, or one class's of a conditional model. */
interface Stream {
  /** The class, or null for an unconditional model. */
  draw: ClassDraw | null;
  count: number;
  /** The seed its latents are drawn from: the run's seed, or the class's stream of it (classLatentSeed). */
  latentBase: number;
  plan: DrawPlan;
  written: number;
}

/**
 * Decodes the images `start … start + count − 1` of `seed` into `out`, each named `sample-s<seed>-<index>.<ext>`,
 * and lists each in `out/manifest.jsonl` (and manifest.csv) the moment its file is whole. An image is written to
 * a temporary file and renamed into place, so no partial file is ever seen under its name, and its row follows,
 * so a row never names a missing file; a kill loses at most the row of the last file.
 *
 * A conditional model writes the ImageFolder layout instead: each class's images `start … start + n − 1` of its
 * own stream of the seed into `out/<class folder>/sample-s<seed>-<index>.<ext>` (classFolders.ts), each row naming
 * its class, so the folder is a labelled dataset as it is (PyTorch's `ImageFolder`, Keras's
 * `image_dataset_from_directory`). How many of each class: `perClass`, or `count` split by the training data's
 * class proportions (generationClasses.ts). Image i of class c of seed s is
 * `latentSeed(classLatentSeed(s, c), i)`'s latent decoded under c, so `--seed s --classes c --per-class 1 --start i`
 * regenerates it byte for byte.
 *
 * With `rejectCopies`, each decoded batch is first judged in the quality report's feature space
 * (jobs/quality's copy detector); a near-copy of a training image is not written but listed in
 * `out/rejected.jsonl`, and the run draws further indices of the seed (of the class) until it has the count, or
 * stops with `TOO_MANY_COPIES` after 11× the count (see {@link DrawPlan}).
 *
 * Running the same generation again continues it: images the manifest lists are skipped (`alreadyThere`), indices
 * rejected.jsonl lists are passed over unjudged, and a file of the run that has no row (the process died between
 * the two) is listed if it holds the image this run would write, or replaced if it is empty, unreadable or a copy
 * of it that differs only by rounding. Another seed or range adds rows beside the folder's others. The images of
 * one seed in one folder all come from one model, temperature and format: a run that would mix them (the project
 * was trained on since, say) is refused before it writes anything, and so is one that would overwrite a file it
 * did not write, and one that would put images with classes beside images without (or the other way round).
 *
 * A failed write (a full disk, say) stops the run at once with the file-system error in words, naming the folder and
 * the cause; the manifest lists exactly the images on disk.
 */
export async function runGeneration(
  input: GenerateJobInput,
  ctx: JobContext = {},
): Promise<GenerateJobResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const { count, temperature = 1, seed = 0, start = 0, format = 'png', batchSize = 64 } = input;
  const rejectCopies = input.rejectCopies ?? false;
  const samplerKind = input.sampler ?? GENERATE_SETTINGS.sampler.default;
  if (count !== undefined && (!Number.isInteger(count) || count < 1))
    throw new UserError('INVALID_INPUT', `count: must be a positive integer, got ${count}`);
  if (!(temperature > 0))
    throw new UserError('INVALID_INPUT', `temperature: must be greater than 0, got ${temperature}`);
  if (!Number.isInteger(start) || start < 0)
    throw new UserError('INVALID_INPUT', `start: must be an integer ≥ 0, got ${start}`);
  const project = await openProject(input.project);
  await resolveBackend(input.backend ?? 'auto');
  const { model, checkpoint } = await loadTrainedModel(project.layout, emit);
  const out = resolve(input.out);
  const paths = GenerationManifest.paths(out);
  let t0 = performance.now();
  let manifest: GenerationManifest | undefined;
  let rejectedList: RejectedList | undefined;
  let copies: LazyCopyDetector | undefined;
  try {
    const draws = classDraws(input, model.config, checkpoint.meta.dataset.classCounts);
    const conditional = draws !== null;
    let names: Set<string>;
    try {
      await makeFolder(out);
      names = new Set(await readdir(out));
      for (const draw of draws ?? []) {
        for (const name of await entriesOf(join(out, draw.folder))) names.add(`${draw.folder}/${name}`);
      }
      manifest = await GenerationManifest.open(out, [...names], conditional);
      rejectedList = await RejectedList.open(out, rejectCopies);
    } catch (err) {
      throw writeFailure(err, out, null, manifest?.rows.length ?? 0);
    }
    refuseMixedKinds(manifest, rejectedList, out, conditional);
    const prepared = await prepareSampler(
      { kind: samplerKind, checkpoint, model, datasetDir: project.layout.datasetDir },
      ctx,
    );
    // A first use's fit is not the images' time.
    t0 = performance.now();
    const drawn = {
      temperature,
      sampler: prepared.kind,
      ...(prepared.sha256 ? { samplerSha256: prepared.sha256 } : {}),
    };
    const made = {
      checkpoint: checkpoint.dir,
      epoch: checkpoint.meta.epoch,
      weightsSha256: checkpoint.meta.weightsSha256,
    };
    refuseMixedSeed(manifest, rejectedList, out, { seed, format, ...drawn, ...made });

    const listed = manifest;
    const left = rejectedList;
    const streams: Stream[] = (draws ?? [null]).map((draw) => {
      const n = draw?.count ?? count!;
      const name = draw?.name;
      return {
        draw,
        count: n,
        latentBase: draw ? classLatentSeed(seed, draw.index) : seed,
        plan: new DrawPlan(
          { start, count: n, filtering: rejectCopies },
          {
            listed: (index) => !!listed.get(seed, index, name),
            rejected: (index) => left.has(seed, index, name),
          },
        ),
        written: 0,
      };
    });
    const total = streams.reduce((n, s) => n + s.count, 0);
    const known = streams
      .map((s) => s.plan.preview())
      .reduce((a, b) => ({
        listed: a.listed + b.listed,
        rejected: a.rejected + b.rejected,
        todo: a.todo + b.todo,
      }));
    if (known.listed > 0 || known.rejected > 0) emit(logEvent(resumeLine(out, total, known)));
    if (draws) {
      emit(
        logEvent(`classes: ${draws.map((d) => `${d.name} ${d.count}`).join(', ')} (into ${out}/<class>/)`),
      );
    }
    if (rejectCopies) copies = new LazyCopyDetector(project.layout, checkpoint, ctx);

    const files: string[] = [];
    let cancelled = false;
    let decoded = false;
    const accepted = () => streams.reduce((n, s) => n + s.plan.accepted, 0);
    try {
      for (const stream of streams) {
        const { draw, plan, latentBase } = stream;
        // Made once nothing is refused any more, so a refused run leaves no empty class folder behind.
        if (draw)
          await makeFolder(join(out, draw.folder)).catch((err: unknown) => {
            throw writeFailure(err, out, draw.folder, manifest!.rows.length);
          });
        const sampler = prepared.samplerOf(draw?.index ?? null);
        const nameOf = (index: number) =>
          draw ? classImageName(draw.folder, seed, index, format) : imageName(seed, index, format);
        for (;;) {
          throwIfCancelled(ctx.signal);
          const indices = plan.next(batchSize);
          if (indices.length === 0) break;
          decoded = true;
          const z = indices.map((index) => sampler.sample(1, latentBase, temperature, index)[0]!);
          const labels = draw ? indices.map(() => draw.index) : undefined;
          const batch = await decodeLatents(model, z, indices.length, labels);
          const checks = copies ? await copies.check(batch, ctx.signal) : null;
          const pixelsPerImage = batch.size * batch.size * batch.channels;
          const pixelsOf = (i: number) => batch.pixels.subarray(i * pixelsPerImage, (i + 1) * pixelsPerImage);
          // libvips encodes the batch on its threads meanwhile; the files are still written one by one, in
          // order. A near-copy is encoded only when a file lies under its name (a leftover to recognise).
          const encodings = indices.map((index, i) =>
            checks?.[i]?.copy && !names.has(nameOf(index))
              ? null
              : encodeImage(pixelsOf(i), batch.size, batch.size, batch.channels, format),
          );
          // A run stopped by a failed write leaves the rest unawaited: their failures are not news.
          for (const encoding of encodings) encoding?.catch(() => undefined);
          for (let i = 0; i < indices.length; i++) {
            const index = indices[i]!;
            const name = nameOf(index);
            const pixels = pixelsOf(i);
            const encoded = await encodings[i];
            const path = join(out, name);
            const check = checks?.[i];
            const which = {
              ...(draw ? { class: draw.name, classIndex: draw.index } : {}),
              index,
              seed,
              latentSeed: latentSeed(latentBase, index),
            };
            try {
              if (check?.copy) {
                // The index is left out for good: a leftover of this run's under its name goes too.
                if (encoded && (await unlistedFile(path, encoded, pixels, batch.channels)) !== 'foreign')
                  await rm(path, { force: true });
                await rejectedList.append({
                  ...which,
                  ...drawn,
                  training: check.training,
                  distance: check.distance,
                  threshold: copies!.threshold,
                  ...made,
                });
                names.delete(name);
                plan.reject();
                continue;
              }
              const found = names.has(name)
                ? await unlistedFile(path, encoded!, pixels, batch.channels)
                : 'absent';
              if (found === 'foreign')
                throw new UserError(
                  'OUTPUT_EXISTS',
                  `${path} is not listed in ${MANIFEST_JSONL} and holds another image than this run would write ` +
                    `there; nothing was overwritten. Move it out of ${out}, or generate into another folder. ` +
                    `The ${manifest.rows.length} images written so far are listed in ${MANIFEST_JSONL}.`,
                );
              if (found !== 'same') await writeImage(out, name, encoded!);
              await appendOrUnlink(manifest, path, {
                file: name,
                ...which,
                ...drawn,
                z: Array.from(z[i]!),
                ...made,
              });
            } catch (err) {
              throw writeFailure(err, out, check?.copy ? REJECTED_JSONL : name, manifest.rows.length);
            }
            names.add(name);
            files.push(path);
            stream.written++;
            plan.accept();
          }
          try {
            await manifest.sync();
            await rejectedList.sync();
          } catch (err) {
            throw writeFailure(err, out, MANIFEST_JSONL, manifest.rows.length);
          }
          const seconds = (performance.now() - t0) / 1000;
          const done = accepted();
          emit(
            jobEvent('generation.progress', {
              done,
              total,
              imagesPerSec: files.length / seconds,
              etaSeconds: files.length ? ((total - done) * seconds) / files.length : 0,
            }),
          );
          await new Promise((r) => setImmediate(r));
        }
        if (!plan.complete) throw tooManyCopies(plan, stream.count, stream.written, out, draw?.name);
      }
      if (!decoded) {
        const done = accepted();
        emit(jobEvent('generation.progress', { done, total, imagesPerSec: 0, etaSeconds: 0 }));
      }
    } catch (err) {
      if (!(err instanceof CancelledError)) throw err;
      cancelled = true;
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      out,
      files,
      manifest: paths,
      count: files.length,
      alreadyThere: streams.reduce((n, s) => n + s.plan.alreadyThere, 0),
      rejected: streams.reduce((n, s) => n + s.plan.rejected, 0),
      ...(draws
        ? {
            classes: streams.map(({ draw, count: n, written }) => ({
              name: draw!.name,
              index: draw!.index,
              folder: draw!.folder,
              count: n,
              written,
            })),
          }
        : {}),
      cancelled,
      seconds,
      imagesPerSec: files.length / seconds,
    };
  } finally {
    model.dispose();
    copies?.dispose();
    await manifest?.close();
    await rejectedList?.close();
  }
}

/** The names in `folder`, none when there is no such folder yet. */
async function entriesOf(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * The classes a conditional model's run draws (generationClasses.ts), or null for an unconditional model, which
 * takes none of the per-class options and needs a count.
 */
function classDraws(
  input: GenerateJobInput,
  config: VaeConfig,
  trainingCounts: readonly number[] | undefined,
): ClassDraw[] | null {
  if (!config.conditional) {
    if (input.perClass !== undefined) throw unconditionalModel('perClass');
    if (input.classes !== undefined) throw unconditionalModel('classes');
    if (input.count === undefined)
      throw new UserError('INVALID_INPUT', 'count: say how many images to write');
    return null;
  }
  return planClassDraws(config, trainingCounts, {
    ...(input.count !== undefined ? { count: input.count } : {}),
    ...(input.perClass !== undefined ? { perClass: input.perClass } : {}),
    ...(input.classes !== undefined ? { classes: input.classes } : {}),
  });
}
