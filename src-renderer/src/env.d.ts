import type { VaeApi } from './api/contract';
import type { VaeHost } from './api/host';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode, where main.ts builds the API over a WebSocket. */
    vaeApi?: VaeApi;
    vaeHost?: VaeHost;
  }
}
