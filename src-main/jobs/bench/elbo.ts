import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { referenceConfig, type LossTerms } from '../../engine/index.js';
import { resolveBackend, type BackendPreference } from '../../engine/node/index.js';
import { UserError, throwIfCancelled } from '../../util/errors.js';
import { runEvaluation } from '../evalJob.js';
import { ignoreEvents, logEvent, type JobContext } from '../events.js';
import { runImport } from '../importJob.js';
import { runTraining } from '../trainJob.js';
import { describeMachine, type MachineFacts } from './machine.js';
import {
  defaultPeerSettings,
  parsePeerFit,
  peerCommand,
  peerFitArgs,
  runPeer,
  type PeerSettings,
} from './peer.js';
import { SHAPE_SIZE, writeShapeSplits } from './shapes28.js';
import { makeFolder } from '../../util/folders.js';

export interface ElboParityInput {
  backend?: BackendPreference;
  /** Training epochs, ours and the peer's. Default 5 (the peer's default). */
  epochs?: number;
  /** Training images. Default 6000. */
  trainImages?: number;
  /** Test images. Default 1000. */
  testImages?: number;
  /** Seed of both trainings (initialisation, shuffles, noise); the data is always drawn with seed 0. */
  seed?: number;
  /** Folder for the data and our project, kept afterwards; default a temporary folder, removed afterwards. */
  dir?: string;
  /** How to run the PyTorch peer; null: do not run it. Default {@link defaultPeerSettings}. */
  peer?: PeerSettings | null;
  /** The command line that started the run, recorded in the report. */
  invocation?: string;
}

export interface ElboParityResult {
  mode: 'elbo';
  invocation: string | null;
  machine: MachineFacts;
  /** The shared training settings (ARCHITECTURES.md's: batch 64, Adam 1e-3, β 1) and the data. */
  settings: {
    arch: 'std28';
    latentDim: number;
    batchSize: number;
    learningRate: number;
    epochs: number;
    seed: number;
    trainImages: number;
    testImages: number;
    /** Where the data was written; null when it was a temporary folder, since removed. */
    dir: string | null;
  };
  ours: {
    /** Test-folder loss terms (β = 1, one z sample per image), nats per image. */
    test: LossTerms;
    trainSeconds: number;
    imagesPerSec: number;
    commands: string[];
  };
  peer:
    | {
        available: true;
        version: string;
        testNegElbo: number;
        trainSeconds: number;
        imagesPerSec: number;
        command: string;
      }
    | { available: false; reason: string; command: string | null };
  /** ours − peer test −ELBO, nats per image; null without a peer. */
  difference: number | null;
  seconds: number;
}

const LEARNING_RATE = 1e-3;
const BATCH = 64;
const DATA_SEED = 0;

/**
 * −ELBO parity with the PyTorch peer: draws a fixed std28 dataset (flat train and test folders of 28×28
 * grayscale PNGs), trains ours on it through the import and train jobs and the peer with `torch_vae.py fit`,
 * with the same architecture, latent size, batch, learning rate and epochs, then evaluates both on the same
 * test folder (ours through the eval job, preprocessed like the training data).
 */
export async function runElboParity(
  input: ElboParityInput = {},
  ctx: JobContext = {},
): Promise<ElboParityResult> {
  const emit = ctx.emit ?? ignoreEvents;
  const t0 = performance.now();
  const epochs = input.epochs ?? 5;
  const trainImages = input.trainImages ?? 6000;
  const testImages = input.testImages ?? 1000;
  const seed = input.seed ?? 0;
  const peerSettings = input.peer === undefined ? defaultPeerSettings() : input.peer;
  const backend = await resolveBackend(input.backend ?? 'auto');
  const machine = describeMachine(backend);
  // The reference network itself, whatever the app's defaults are: the peer builds exactly this one.
  const { latentDim, width, beta, likelihood } = referenceConfig('std28');
  const dir = input.dir ? resolve(input.dir) : await mkdtemp(join(tmpdir(), 'vae-studio-elbo-'));
  try {
    if (input.dir) await makeFolder(dir);
    emit(logEvent(`drawing ${trainImages} train and ${testImages} test images into ${dir}`));
    const data = await writeShapeSplits(dir, { train: trainImages, test: testImages, seed: DATA_SEED });
    const project = join(dir, 'project');
    const imported = await runImport(
      { folder: data.train, project, size: SHAPE_SIZE, channels: 1, fit: 'cover' },
      ctx,
    );
    if (imported.imported !== trainImages) {
      throw new UserError(
        'PARITY_DATA',
        `only ${imported.imported} of ${trainImages} training images were imported (${imported.duplicates.length} duplicates, ${imported.skipped.length} skipped); the peer would train on different data`,
      );
    }
    throwIfCancelled(ctx.signal);
    emit(logEvent(`training ours: ${epochs} epochs on ${backend.backend}`));
    const trained = await runTraining(
      {
        project,
        settings: {
          latentDim,
          width,
          beta,
          likelihood,
          epochs,
          batchSize: BATCH,
          learningRate: LEARNING_RATE,
          // The peer's Adam has no warm-up.
          lrWarmupSteps: 0,
          seed,
          valFraction: 0,
        },
        backend: input.backend ?? 'auto',
      },
      ctx,
    );
    if (trained.cancelled) throwIfCancelled(ctx.signal);
    const trainSeconds = trained.history.reduce((s, m) => s + m.seconds, 0);
    const evaluated = await runEvaluation(
      { project, data: data.test, backend: input.backend ?? 'auto', seed },
      ctx,
    );
    if (evaluated.images !== testImages) {
      throw new UserError(
        'PARITY_DATA',
        `only ${evaluated.images} of ${testImages} test images were evaluated; the peer would see different data`,
      );
    }
    const flag = `--backend ${backend.backend}`;
    const ours = {
      test: evaluated.loss,
      trainSeconds,
      imagesPerSec: (trainImages * epochs) / Math.max(1e-9, trainSeconds),
      commands: [
        `vae-studio import <data>/train --project <data>/project --size ${SHAPE_SIZE} --channels 1`,
        `vae-studio train --project <data>/project --epochs ${epochs} --batch ${BATCH} --lr ${LEARNING_RATE} --val 0 --seed ${seed} ${flag}`,
        `vae-studio eval --project <data>/project --data <data>/test --seed ${seed} ${flag}`,
      ],
    };

    throwIfCancelled(ctx.signal);
    let peer: ElboParityResult['peer'] = { available: false, reason: 'not run (disabled)', command: null };
    if (peerSettings) {
      const args = peerFitArgs({
        arch: 'std28',
        latent: latentDim,
        batch: BATCH,
        learningRate: LEARNING_RATE,
        epochs,
        seed,
        train: data.train,
        test: data.test,
        threads: peerSettings.threads,
      });
      const shown = peerCommand(peerSettings, args).split(dir).join('<data>');
      emit(logEvent(`PyTorch peer: ${shown}`));
      const outcome = await runPeer(peerSettings, args, parsePeerFit, ctx.signal);
      throwIfCancelled(ctx.signal);
      if (!outcome.ok) peer = { available: false, reason: outcome.reason, command: shown };
      else if (outcome.value.nTrain !== trainImages || outcome.value.nTest !== testImages) {
        peer = {
          available: false,
          reason: `the peer read ${outcome.value.nTrain} train and ${outcome.value.nTest} test images, not ${trainImages} and ${testImages}`,
          command: shown,
        };
      } else {
        const v = outcome.value;
        peer = {
          available: true,
          version: v.peer,
          testNegElbo: v.testNegElbo,
          trainSeconds: v.trainSeconds,
          imagesPerSec: (trainImages * epochs) / Math.max(1e-9, v.trainSeconds),
          command: shown,
        };
      }
    }
    return {
      mode: 'elbo',
      invocation: input.invocation ?? null,
      machine,
      settings: {
        arch: 'std28',
        latentDim,
        batchSize: BATCH,
        learningRate: LEARNING_RATE,
        epochs,
        seed,
        trainImages,
        testImages,
        dir: input.dir ? dir : null,
      },
      ours,
      peer,
      difference: peer.available ? ours.test.negElbo - peer.testNegElbo : null,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    if (!input.dir) await rm(dir, { recursive: true, force: true });
  }
}
