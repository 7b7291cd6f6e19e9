import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LatentMap, MapNeighbour } from '../../contract/index.js';
import { MAP_JSON, mapDir, readStoredMap, type StoredMap } from '../../jobs/index.js';
import { readLatestCheckpointMeta } from '../../project/index.js';
import { UserError } from '../../util/errors.js';
import type { StudioContext } from '../context.js';
import { requireDataset, requireModel } from '../guards.js';
import type { HandlersOf } from './types.js';

/**
 * `map.*`: make the project's latent map (a job), cancel it, read it for the Map view, and a point's nearest
 * images in latent space (from the latents the map stored, so no model runs).
 */
export function registerMapHandlers(ctx: StudioContext): HandlersOf<'map'> {
  const maps = new StoredMaps();
  return {
    'map.start': async ({ method, seed, neighbours }) => {
      const { layout, checkpoint } = await requireModel(ctx);
      const { manifest } = await requireDataset(ctx);
      const how = method === 'umap' ? 'UMAP' : 'PCA';
      return ctx.jobs.start({
        kind: 'map',
        project: layout.root,
        title: `Map ${manifest.count} images with the model at epoch ${checkpoint.meta.epoch} (${how})`,
        onSettled: (outcome) => {
          if (!outcome.ok && outcome.code !== 'CANCELLED') ctx.notify('Latent map failed', outcome.message);
        },
        body: async (scope) => {
          const result = await scope.run('map', {
            project: layout.root,
            method,
            seed,
            neighbours,
            backend: ctx.backend,
          });
          return { cancelled: false, result };
        },
      });
    },

    'map.cancel': () => Promise.resolve({ cancelled: ctx.jobs.cancelKind('map') }),

    'map.current': async () => {
      const layout = ctx.project.require();
      const stored = await maps.read(layout.root);
      if (!stored) return null;
      return latentMap(stored, await staleness(ctx, layout, stored));
    },

    'map.neighbours': async ({ index, count }) => {
      const layout = ctx.project.require();
      const stored = await maps.read(layout.root);
      if (!stored) throw new UserError('NOT_FOUND', 'this project has no map yet; make one first');
      const total = stored.points.files.length;
      if (index >= total) {
        throw new UserError('INVALID_INPUT', `index: ${index} is out of range; the map has ${total} images`);
      }
      return { index, neighbours: nearestInLatentSpace(stored, index, Math.min(count, total - 1)) };
    },
  };
}

/** The stored map of a project, read again only when its file changed (a neighbour lookup per click). */
class StoredMaps {
  private cached: { file: string; mtimeMs: number; map: StoredMap } | null = null;

  async read(root: string): Promise<StoredMap | null> {
    const file = join(mapDir(root), MAP_JSON);
    const mtimeMs = await stat(file).then(
      (s) => s.mtimeMs,
      () => null,
    );
    if (mtimeMs === null) return null;
    if (this.cached?.file === file && this.cached.mtimeMs === mtimeMs) return this.cached.map;
    const map = await readStoredMap(root);
    this.cached = map ? { file, mtimeMs, map } : null;
    return map;
  }
}

function latentMap(stored: StoredMap, stale: string | null): LatentMap {
  return {
    ...stored.result,
    createdAt: stored.createdAt,
    stale,
    classes: stored.classes,
    points: stored.points,
  };
}

/** Why the map no longer shows the project's current model or dataset, or null. */
async function staleness(
  ctx: StudioContext,
  layout: ReturnType<StudioContext['project']['require']>,
  stored: StoredMap,
): Promise<string | null> {
  const manifest = await ctx.datasets.manifest(layout.datasetDir);
  if (
    !manifest ||
    manifest.createdAt !== stored.datasetCreatedAt ||
    manifest.count !== stored.points.files.length
  ) {
    return 'The dataset was imported again since this map was made; make a new map to see its images.';
  }
  const checkpoint = await readLatestCheckpointMeta(layout);
  if (!checkpoint) return 'The model this map was made with is gone; train a model and make a new map.';
  if (checkpoint.meta.weightsSha256 !== stored.weightsSha256) {
    return (
      `This map shows the model at epoch ${stored.result.modelEpoch}; the model is now at epoch ` +
      `${checkpoint.meta.epoch}. Make a new map to see where it puts the images.`
    );
  }
  return null;
}

/** The `count` images nearest to image `index` by the Euclidean distance of their latent means, nearest first. */
function nearestInLatentSpace(stored: StoredMap, index: number, count: number): MapNeighbour[] {
  const dim = stored.result.latentDim;
  const z = stored.latents;
  const total = stored.points.files.length;
  const found: { index: number; squared: number }[] = [];
  for (let j = 0; j < total; j++) {
    if (j === index) continue;
    let s = 0;
    for (let c = 0; c < dim; c++) s += (z[j * dim + c]! - z[index * dim + c]!) ** 2;
    if (found.length === count && s >= found[count - 1]!.squared) continue;
    const entry = { index: j, squared: s };
    if (found.length < count) found.push(entry);
    let at = found.length - 1;
    while (at > 0 && found[at - 1]!.squared > s) {
      found[at] = found[at - 1]!;
      at--;
    }
    found[at] = entry;
  }
  return found.map(({ index: j, squared }) => {
    const label = stored.points.label[j]!;
    return {
      index: j,
      file: stored.points.files[j]!,
      label: label < 0 ? '' : stored.classes[label]!,
      distance: Math.sqrt(squared),
    };
  });
}
