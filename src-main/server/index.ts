/**
 * Browser mode: `vae-studio serve` puts the studio behind a local web server. HTTP serves the built renderer;
 * a WebSocket at `/ws` carries the contract (see contract/wire.ts). Loopback by default; elsewhere a token guards it.
 */
export { startServer, type RunningServer, type ServerOptions } from './startServer.js';
export { generateToken, isLoopbackHost } from './auth.js';
export type { Health } from './httpRoutes.js';
