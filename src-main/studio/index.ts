/**
 * The studio service: everything behind the contract on the main side (projects, datasets, jobs, events). The
 * Electron shell and the WebSocket server both host one and talk to it through `invoke` and `subscribe`.
 */
export { createStudio } from './createStudio.js';
export type { ShellServices, Studio, StudioListener, StudioOptions } from './types.js';
export type { Handler, Handlers } from './handlers/types.js';
