/**
 * The shapes of exploring a trained model: the outlier ranking of a dataset (which images the model explains
 * worst, and which it finds suspiciously easy), the images excluded from training, and the latent explorer's
 * live decodes. Zod schemas with their inferred types, as models.ts.
 */
import { z } from 'zod';
import { dataUrl } from './models.js';

/** One image's scores under the model, nats per image. */
export const outlierItemSchema = z.object({
  /** The image's path inside the scored folder (the imported folder for the dataset), '/' separators. */
  file: z.string(),
  /** Its class folder ('' at the top level). */
  label: z.string(),
  /** Its index in the project's dataset; null for an image of another folder (`--data`). */
  index: z.number().int().nullable(),
  /** 1 = the worst explained (highest −ELBO). */
  rank: z.number().int(),
  /** −ELBO (β = 1): reconstruction + kl, the mean over the posterior samples. */
  negElbo: z.number(),
  /** −log p(x|z), the reconstruction term of the −ELBO. */
  reconstruction: z.number(),
  kl: z.number(),
  /** The importance-weighted bound on −log p(x) from the same samples (≤ negElbo in expectation). */
  iwBound: z.number(),
  /**
   * How far the image's −ELBO lies from the scored set's, (negElbo − median) / spread (the report's): far above 0
   * is badly explained, far below 0 is suspiciously easy (a blank or flat image a likelihood calls typical).
   */
  typicality: z.number(),
  /** The image is excluded from training now (the dataset's images only). */
  excluded: z.boolean(),
});
export type OutlierItem = z.infer<typeof outlierItemSchema>;

/** What `vae-studio outliers` and the Outliers view report. */
export const outliersReportSchema = z.object({
  /** `outliers/<time>/outliers.json`, and the CSV of every image beside it. */
  report: z.string(),
  csv: z.string(),
  createdAt: z.string(),
  model: z.object({ checkpoint: z.string(), epoch: z.number().int() }),
  scored: z.object({
    source: z.enum(['dataset', 'folder']),
    /** The folder the files are relative to. */
    folder: z.string(),
    count: z.number().int(),
  }),
  /** The model's likelihood (Bernoulli, Gaussian or the σ-VAE's): the nats are only comparable within one. */
  likelihood: z.string(),
  /** Posterior samples per image. */
  samples: z.number().int(),
  /**
   * Median of −ELBO over the scored images and its robust spread (1.4826 × the median absolute deviation, σ for a
   * normal distribution), nats: the scale `typicality` is measured on, which a handful of outliers does not move.
   */
  medianNegElbo: z.number(),
  spreadNegElbo: z.number(),
  /** The worst explained images, worst first (`top` of them). */
  items: z.array(outlierItemSchema),
  /**
   * The most likely images (the lowest −ELBO), most likely first: what a likelihood alone calls the most typical,
   * which an out-of-distribution image can be all the same (a blank or flat one; docs/explore.md).
   */
  mostLikely: z.array(outlierItemSchema),
  /** Images of the dataset excluded from training when the ranking was made. */
  excluded: z.number().int(),
  seconds: z.number(),
});
export type OutliersReport = z.infer<typeof outliersReportSchema>;

/** A stored ranking with the pictures of its listed images: each one beside the model's reconstruction of it. */
export interface OutliersView {
  report: OutliersReport;
  /** By file, for `items` and `mostLikely`: the scored image and its reconstruction (decoded from the mean). */
  images: Record<string, { original: string | null; reconstruction: string | null }>;
}

/** One latent dimension as the explorer and the traversal sheet order them. */
export const latentDimSchema = z.object({
  dim: z.number().int(),
  /** Mean KL(q(z_d|x) ‖ N(0, 1)) over the dataset, nats: how much the dimension carries. */
  kl: z.number(),
  /** Standard deviation of μ_d over the dataset: how far the data spreads along it. */
  sd: z.number(),
  /** Var(μ_d) > 0.01 (Burda et al. 2016). */
  active: z.boolean(),
});
export type LatentDim = z.infer<typeof latentDimSchema>;

/** What the latent explorer needs to draw its sliders. */
export interface ExplorerModel {
  checkpoint: string;
  epoch: number;
  latentDim: number;
  imageSize: number;
  channels: 1 | 3;
  /** Every dimension, most active first. */
  dims: LatentDim[];
  /** A conditional model's classes; absent otherwise. */
  classes?: string[];
  /** Images the dimensions' figures were measured on. */
  measuredOn: number;
}

/** A starting point of the explorer: its z, its class (a conditional model's), and its picture. */
export interface ExplorerStart {
  z: number[];
  class?: string;
  image: string;
  /** In words, for the caption and the manifest: "dataset image circles/circle-0003.png", "sample 4 of seed 0". */
  origin: string;
}

export const explorerDecodeResultSchema = z.object({
  image: dataUrl,
  /** Time the decode took where the model runs (ms). */
  decodeMs: z.number(),
});
