/**
 * The engine's Node-only room: choosing and starting the tfjs backend in a Node process (the native packages,
 * Dawn's WebGPU through the `webgpu` package, the threaded wasm build started from files), beside the
 * browser-safe core (engine/index.ts), which it may import and which never imports it. This file is its door.
 */
export {
  resolveBackend,
  BACKEND_ENV_VAR,
  WASM_THREADS_ENV_VAR,
  type BackendPreference,
  type ResolveOptions,
} from './backend.js';
export { loadFeatureNetwork, readFeatureAsset, FEATURE_ASSET } from './featureNetwork.js';
