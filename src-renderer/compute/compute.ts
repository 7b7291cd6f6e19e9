/**
 * The compute page: the engine on the GPU of a Chromium page, served to the main side over an endpoint.
 *
 * - In the desktop app it lives in a hidden window. The preload (or the main process) posts
 *   {@link TRAINING_PORT_MESSAGE} to the window with a MessagePort in `ports[0]`; training is served over it and
 *   the host calls itself 'renderer'.
 * - In a browser (and in tests) `?ws=ws://127.0.0.1:port/path` makes it connect there and serve training over
 *   that WebSocket as host 'browser'.
 *
 * Data and files stay on the main side: the page holds nothing but the run in progress. `window.vaeCompute` offers
 * `describe(backend)` and `selfTest(backend)` for a quick look from the devtools or a test.
 */
import './immediate.js';
import { defaultConfig, DEFAULT_TRAIN_OPTIONS, type BackendInfo } from '../../src-main/engine/index.js';
import {
  localTrainingHost,
  portEndpoint,
  serveTraining,
  socketEndpoint,
  TRAINING_PORT_MESSAGE,
  type HostEndpoint,
  type HostKind,
  type TrainingHost,
} from '../../src-main/engine/host/index.js';
import { resolveBrowserBackend } from './browserBackend.js';

/** What a self-test reports: the backend, the epoch's running −ELBO after each step, and the time per step. */
export interface SelfTestResult {
  info: BackendInfo;
  losses: number[];
  msPerStep: number;
}

declare global {
  interface Window {
    vaeCompute?: {
      describe(backend?: string): Promise<BackendInfo>;
      selfTest(backend?: string, steps?: number): Promise<SelfTestResult>;
    };
  }
}

const statusLines: string[] = [];
const statusElement = document.getElementById('status');

/** Adds a line to the page's status (the last 20 stay) and to the console. */
function show(line: string): void {
  statusLines.push(`${new Date().toLocaleTimeString()}  ${line}`);
  statusLines.splice(0, Math.max(0, statusLines.length - 20));
  if (statusElement) statusElement.textContent = statusLines.join('\n');
  console.info(`[compute] ${line}`);
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The local host, with what it does written to the status. */
function watchedHost(kind: HostKind): TrainingHost {
  const host = localTrainingHost(resolveBrowserBackend, kind);
  return {
    async describe(preference) {
      const info = await host.describe(preference);
      show(
        `backend ${info.backend} (${info.device}${info.adapter ? `, ${info.adapter}` : ''}): ${info.reason}`,
      );
      return info;
    },
    async train(request, hooks = {}) {
      const { imageSize, channels } = request.config;
      show(
        `training ${request.images.count} images of ${imageSize}×${imageSize}×${channels} on ${request.backend ?? 'auto'}`,
      );
      try {
        const result = await host.train(request, {
          ...hooks,
          onEpoch: async (metrics, preview, state, weights) => {
            show(
              `epoch ${metrics.epoch}: −ELBO ${metrics.train.negElbo.toFixed(2)}, ${metrics.imagesPerSec.toFixed(0)} images/s`,
            );
            await hooks.onEpoch?.(metrics, preview, state, weights);
          },
        });
        show(result.cancelled ? 'training cancelled' : 'training done');
        return result;
      } catch (err) {
        show(`training failed: ${errorText(err)}`);
        throw err;
      }
    },
  };
}

/** Serves training over `endpoint` until it closes. */
function serve(endpoint: HostEndpoint, kind: HostKind, over: string): void {
  serveTraining(endpoint, watchedHost(kind));
  endpoint.subscribe({ onMessage: () => undefined, onClose: (reason) => show(`stopped serving: ${reason}`) });
  show(`serving training over ${over}`);
}

/** Electron: the port arrives once, posted to this window by the app. */
window.addEventListener('message', (event: MessageEvent) => {
  const port = event.ports[0];
  if (event.data !== TRAINING_PORT_MESSAGE || port === undefined) return;
  serve(portEndpoint(port), 'renderer', 'a MessagePort from the app');
});

const wsUrl = new URLSearchParams(location.search).get('ws');
if (wsUrl !== null) {
  try {
    serve(socketEndpoint(new WebSocket(wsUrl)), 'browser', wsUrl);
  } catch (err) {
    show(`cannot connect to ${wsUrl}: ${errorText(err)}`);
  }
} else {
  show(`waiting for the app's training port (or open this page with ?ws=ws://host:port/path)`);
}

/** A tiny model (16×16 grayscale, width 4) trained `steps` steps of batch 8 on `backend`. */
async function selfTest(backend = 'auto', steps = 3): Promise<SelfTestResult> {
  const host = localTrainingHost(resolveBrowserBackend, 'browser');
  const info = await host.describe(backend);
  const size = 16;
  const count = 8 * steps;
  const pixels = new Uint8Array(count * size * size);
  for (let i = 0; i < count; i++) {
    const pos = 2 + ((i * 5) % 11);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        if (Math.abs((i % 2 ? y : x) - pos) <= 1) pixels[(i * size + y) * size + x] = 255;
  }
  const losses: number[] = [];
  const times: number[] = [];
  await host.train(
    {
      config: { ...defaultConfig(size, 1), width: 4, latentDim: 3 },
      options: { ...DEFAULT_TRAIN_OPTIONS, epochs: 1, batchSize: 8, valFraction: 0, seed: 1 },
      images: { pixels, count, size, channels: 1 },
      backend,
    },
    {
      onProgress: (p) => {
        losses.push(p.loss.negElbo);
        times.push(performance.now());
      },
    },
  );
  const msPerStep = times.length > 1 ? (times.at(-1)! - times[0]!) / (times.length - 1) : NaN;
  show(
    `self-test on ${info.backend}: losses ${losses.map((l) => l.toFixed(2)).join(', ')}; ${msPerStep.toFixed(0)} ms/step`,
  );
  return { info, losses, msPerStep };
}

window.vaeCompute = {
  describe: (backend) => watchedHost('browser').describe(backend),
  selfTest,
};
