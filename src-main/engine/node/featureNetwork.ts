/**
 * Reads the shipped feature network (assets/features/mobilenetv2-block10.{json,bin}, made by
 * scripts/extract-feature-weights.mjs) from the vae-studio package folder, and runs it on ONNX Runtime where that
 * loads (native, several times faster), else on the active tfjs backend (the browser-safe `createFeatureNetwork`
 * of engine/quality). Both give the same features.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { findPackage } from '../../util/packageInfo.js';
import { createFeatureNetwork, type FeatureNetwork, type FeatureTopology } from '../quality/features.js';
import { onnxFeatureNetwork } from './onnxFeatureNetwork.js';
import { onnxInPlaceOfTfjs } from './onnxRuntime.js';

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

export interface FeatureNetworkOptions {
  /** Where the asset is; default the package's. */
  folder?: string;
  /**
   * `auto`: ONNX Runtime where it loads and tfjs runs on the CPU (wasm or plain JavaScript), else tfjs; `tfjs`: the
   * active tfjs backend. Default auto.
   */
  runtime?: 'auto' | 'tfjs';
}

/** The shipped feature network, on ONNX Runtime where it loads, else on the active tfjs backend. */
export async function loadFeatureNetwork(options: FeatureNetworkOptions = {}): Promise<FeatureNetwork> {
  const { topology, weights } = await readFeatureAsset(options.folder);
  const available = options.runtime === 'tfjs' ? null : await onnxInPlaceOfTfjs('quality features');
  return available
    ? onnxFeatureNetwork(available, topology, weights)
    : createFeatureNetwork(topology, weights);
}

function packageRoot(): string {
  const pkg = findPackage();
  if (!pkg) throw new Error('the vae-studio package folder (with assets/features) was not found');
  return pkg.root;
}
