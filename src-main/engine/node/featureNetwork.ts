/**
 * Reads the shipped feature network (assets/features/mobilenetv2-block10.{json,bin}, made by
 * scripts/extract-feature-weights.mjs) from the vae-studio package folder, for the browser-safe
 * `createFeatureNetwork` of engine/quality.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { findPackage } from '../../util/packageInfo.js';
import { createFeatureNetwork, type FeatureNetwork, type FeatureTopology } from '../quality/features.js';

/** The asset's folder and base name inside the package. */
export const FEATURE_ASSET = { folder: join('assets', 'features'), base: 'mobilenetv2-block10' } as const;

/** The feature network's topology and float32 weights as stored (the bin is little-endian float32). */
export async function readFeatureAsset(
  folder?: string,
): Promise<{ topology: FeatureTopology; weights: Float32Array }> {
  const dir = folder ?? join(packageRoot(), FEATURE_ASSET.folder);
  const [json, bin] = await Promise.all([
    readFile(join(dir, `${FEATURE_ASSET.base}.json`), 'utf8'),
    readFile(join(dir, `${FEATURE_ASSET.base}.bin`)),
  ]);
  if (bin.byteLength % 4 !== 0)
    throw new Error(`${FEATURE_ASSET.base}.bin is not float32 (${bin.byteLength} bytes)`);
  // Copy into a fresh, aligned buffer (a Buffer may sit at any offset of a shared pool); every supported
  // platform is little-endian, as the file is.
  const weights = new Float32Array(bin.byteLength / 4);
  new Uint8Array(weights.buffer).set(bin);
  return { topology: JSON.parse(json) as FeatureTopology, weights };
}

/** The shipped feature network, its weights on the active tfjs backend. `folder` overrides where the asset is. */
export async function loadFeatureNetwork(folder?: string): Promise<FeatureNetwork> {
  const { topology, weights } = await readFeatureAsset(folder);
  return createFeatureNetwork(topology, weights);
}

function packageRoot(): string {
  const pkg = findPackage();
  if (!pkg) throw new Error('the vae-studio package folder (with assets/features) was not found');
  return pkg.root;
}
