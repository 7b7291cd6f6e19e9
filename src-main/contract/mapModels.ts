/**
 * The shapes of the latent map (the Map view, `vae-studio map`): the finished job's result, the stored map the
 * view draws, and a point's nearest neighbours in latent space.
 */
import { z } from 'zod';
import { MAP_SETTINGS, settingSchema } from './settings/index.js';

/** What the map's layout was judged by: the 2-D k-NN accuracy of the class folders, beside chance. */
export const mapAgreementSchema = z.object({
  /** Share of images whose class the majority of their k nearest map neighbours have. */
  accuracy: z.number(),
  /** The same share for always guessing the commonest class. */
  chance: z.number(),
  k: z.number().int(),
});
export type MapAgreement = z.infer<typeof mapAgreementSchema>;

/** Where a map's time went, in seconds of wall time. */
export const mapTimingsSchema = z.object({
  /** Encoding every image to its latent mean. */
  encode: z.number(),
  /** The 2-D layout (UMAP: the neighbour search, the graph and the epochs). */
  layout: z.number(),
  total: z.number(),
  /** CPU time of the whole map, all threads (on a shared machine the wall time also counts the others' work). */
  cpu: z.number(),
});
export type MapTimings = z.infer<typeof mapTimingsSchema>;

/** A finished map: how it was made and what it wrote. */
export const mapResultSchema = z.object({
  method: settingSchema(MAP_SETTINGS.method),
  seed: z.number().int(),
  /** UMAP's neighbours and layout epochs; null for PCA. */
  neighbours: z.number().int().nullable(),
  epochs: z.number().int().nullable(),
  images: z.number().int(),
  latentDim: z.number().int(),
  /** The epoch of the model whose latents were mapped. */
  modelEpoch: z.number().int(),
  /** The CSV written: file, label, x, y, z0 … z(L−1), one row per image. */
  csv: z.string(),
  /** The map the app shows (map.json in the project's map/ folder); null for a CSV only (the CLI's). */
  stored: z.string().nullable(),
  /** Files of a `--data` folder that could not be read as images. */
  skipped: z.number().int(),
  /** Null when the images have fewer than two classes. */
  agreement: mapAgreementSchema.nullable(),
  seconds: mapTimingsSchema,
});
export type MapResult = z.infer<typeof mapResultSchema>;

/**
 * The project's map as the Map view draws it: the points in the dataset's order (point i is dataset image i),
 * columns rather than objects so 10⁴ points stay a small message.
 */
export interface LatentMap extends Omit<MapResult, 'stored' | 'skipped'> {
  createdAt: string;
  /** Why the map no longer shows the current model or dataset, in words; null while it does. */
  stale: string | null;
  /** The class folders, sorted; `label` indexes them. */
  classes: string[];
  points: {
    x: number[];
    y: number[];
    /** Index into `classes`; −1 for an image at the top level of the imported folder. */
    label: number[];
    /** Path in the imported folder, '/' separators. */
    files: string[];
  };
}

/** One of a point's nearest images in latent space (Euclidean distance between latent means). */
export interface MapNeighbour {
  index: number;
  file: string;
  label: string;
  distance: number;
}
