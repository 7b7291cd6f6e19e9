/**
 * The one contract between the UI and the main side: requests (zod input, result type), events (zod payload),
 * the shapes they carry, and the API builder. No Node or Electron imports: the renderer and preload compile it.
 */
export * from './define.js';
export * from './errorCodes.js';
export * from './models.js';
export * from './mapModels.js';
export * from './requests.js';
export * from './events.js';
export * from './api.js';
export * from './wire.js';
export * from './classSplit.js';
export * from './explore.js';
export * from './settings/index.js';
