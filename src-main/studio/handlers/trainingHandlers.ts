import {
  defaultsOf,
  pickGroup,
  TRAIN_SETTINGS,
  type RequestResult,
  type TrainResult,
} from '../../contract/index.js';
import { previewFiles, type TrainJobResult } from '../../jobs/index.js';
import { readLatestCheckpointMeta } from '../../project/index.js';
import type { StudioContext } from '../context.js';
import { fileToDataUrl } from '../dataUrl.js';
import { requireDataset, requireModel } from '../guards.js';
import { UserError } from '../../util/errors.js';
import type { JobOutcome } from '../jobRegistry.js';
import type { HandlersOf } from './types.js';

/** `training.*`: start (re-importing at another image size first if asked), resume, cancel, status. */
export function registerTrainingHandlers(ctx: StudioContext): HandlersOf<'training'> {
  return {
    'training.start': async (input) => {
      const { layout, manifest } = await requireDataset(ctx);
      const root = layout.root;
      const { imageSize, backend, ...given } = input;
      const size = imageSize ?? manifest.size;
      const shape = { imageSize: size, channels: manifest.channels, count: manifest.count };
      // Only what the user gave goes to the job, which fills the rest for the images it trains on.
      const settings = pickGroup(TRAIN_SETTINGS, given);
      const { latentDim, epochs } = { ...defaultsOf(TRAIN_SETTINGS, shape), ...settings };
      const handle = ctx.jobs.start({
        kind: 'train',
        project: root,
        title: `Train ${size}×${size}×${manifest.channels}, latent ${latentDim}, ${epochs} epochs`,
        onSettled: notifyTraining(ctx),
        body: async (scope) => {
          if (size !== manifest.size) {
            // Inside the training job, so its import events carry this job's id.
            await scope.run('import', {
              folder: manifest.sourceRoot,
              project: root,
              size,
              channels: manifest.channels,
              fit: manifest.fit,
              background: manifest.background,
            });
            await ctx.projectChanged(root);
          }
          const result = await scope.run('train', {
            project: root,
            settings,
            backend: backend === 'auto' ? ctx.backend : backend,
          });
          await ctx.projectChanged(root);
          return { cancelled: result.cancelled, result: trainResult(result) };
        },
      });
      ctx.project.beginTraining(root, false);
      return handle;
    },

    'training.resume': async ({ epochs, backend }) => {
      const { layout, checkpoint } = await requireModel(ctx);
      const total = epochs ?? checkpoint.meta.trainOptions.epochs;
      const trained = checkpoint.meta.epoch;
      if (total <= trained) {
        // Said before a job starts, in the app's words (the job's own refusal names the CLI's option).
        throw new UserError(
          'ALREADY_DONE',
          `the model has already trained ${trained} of ${total} epochs; set Epochs above ${trained} to continue it`,
        );
      }
      const handle = ctx.jobs.start({
        kind: 'train',
        project: layout.root,
        title: `Resume training from epoch ${trained} to ${total}`,
        onSettled: notifyTraining(ctx),
        body: async (scope) => {
          const result = await scope.run('train', {
            project: layout.root,
            resume: true,
            settings: epochs ? { epochs } : {},
            backend: backend === 'auto' ? ctx.backend : backend,
          });
          await ctx.projectChanged(layout.root);
          return { cancelled: result.cancelled, result: trainResult(result) };
        },
      });
      ctx.project.beginTraining(layout.root, true);
      return handle;
    },

    'training.cancel': () => Promise.resolve({ cancelled: ctx.jobs.cancelKind('train') }),

    'training.status': async () => {
      const running = ctx.jobs.runningOf('train');
      const root = ctx.project.root;
      if (!root) return { running, run: null, progress: null, history: [], previews: null };
      const checkpoint = await readLatestCheckpointMeta(ctx.project.require());
      const saved = checkpoint?.meta.history ?? [];
      // Epochs whose checkpoint is still being written are known only from their events.
      const live = ctx.project.training;
      const lastSaved = saved.at(-1)?.epoch ?? 0;
      const history = [...saved, ...live.epochs.filter((m) => m.epoch > lastSaved)];
      const previews =
        live.previews && live.previews.epoch >= lastSaved
          ? live.previews
          : checkpoint
            ? await readPreviews(ctx, checkpoint.meta.epoch)
            : null;
      return { running, run: running ? live.run : null, progress: live.progress, history, previews };
    },
  };
}

/** The contract's train result: the job's, without the project and the history (`training.status` has it). */
function trainResult(result: TrainJobResult): TrainResult {
  return {
    backend: result.backend,
    config: result.config,
    options: result.options,
    startEpoch: result.startEpoch,
    epochs: result.epochs,
    final: result.final,
    cancelled: result.cancelled,
    checkpoint: result.checkpoint,
    archivedPrevious: result.archivedPrevious,
    imagesPerSec: result.imagesPerSec,
    trainedImages: result.trainedImages,
    excluded: result.excluded,
    guidance: result.guidance,
  };
}

type StatusPreviews = RequestResult<'training.status'>['previews'];

/** The preview images of `epoch`, or null when they are gone (a new run may have replaced them). */
async function readPreviews(ctx: StudioContext, epoch: number): Promise<StatusPreviews> {
  const files = previewFiles(ctx.project.require(), epoch);
  try {
    const [samples, reconstructions] = await Promise.all([
      fileToDataUrl(files.samples),
      fileToDataUrl(files.reconstructions),
    ]);
    return { epoch, samples, reconstructions };
  } catch {
    return null;
  }
}

function notifyTraining(ctx: StudioContext): (outcome: JobOutcome<'train'>) => void {
  return (outcome) => {
    if (!outcome.ok) {
      if (outcome.code !== 'CANCELLED') ctx.notify('Training failed', outcome.message);
      return;
    }
    const { epochs, final } = outcome.result;
    const loss = final ? `, −ELBO ${(final.val ?? final.train).negElbo.toFixed(1)} nats` : '';
    ctx.notify(outcome.cancelled ? 'Training stopped' : 'Training finished', `epoch ${epochs}${loss}`);
  };
}
