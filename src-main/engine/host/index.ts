/**
 * Training hosts: where the engine trains (this process, Electron's hidden renderer, a browser page) behind one
 * interface, and the protocol that drives a host at the other end of a MessagePort or a WebSocket. Browser-safe:
 * the compute page imports this room too. This file is its door.
 */
export type * from './types.js';
export { localTrainingHost } from './localHost.js';
export { remoteTrainingHost, type RemoteTrainingHost } from './remoteHost.js';
export { serveTraining } from './serveTraining.js';
export {
  portEndpoint,
  type EndpointListener,
  type HostEndpoint,
  type MessagePortLike,
  type PortOptions,
} from './endpoint.js';
export { socketEndpoint, encodeFrame, decodeFrame, type WebSocketLike } from './socketEndpoint.js';
export { TRAINING_PORT_MESSAGE, type FromHost, type ToHost, type HostErrorData } from './protocol.js';
