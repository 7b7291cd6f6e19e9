/**
 * The engine's Node-only room: choosing and starting the tfjs backend in a Node process (the native packages,
 * Dawn's WebGPU through the `webgpu` package, the threaded wasm build started from files), beside the
 * browser-safe core (engine/index.ts), which it may import and which never imports it; and ONNX Runtime, the native
 * CPU path for inference where it loads. This file is its door.
 */
export {
  resolveBackend,
  BACKEND_ENV_VAR,
  WASM_THREADS_ENV_VAR,
  type BackendPreference,
  type ResolveOptions,
} from './backend.js';
export {
  loadFeatureNetwork,
  readFeatureAsset,
  FEATURE_ASSET,
  type FeatureNetworkOptions,
} from './featureNetwork.js';
export {
  onnxInPlaceOfTfjs,
  onnxRuntime,
  ONNX_ENV_VAR,
  ONNX_THREADS_ENV_VAR,
  type OnnxAvailability,
  type OnnxReady,
} from './onnxRuntime.js';
export { nativeDecoder } from './onnxDecoder.js';
export { nativeTraining, nativeTrainingRuntime } from './onnxTraining.js';
