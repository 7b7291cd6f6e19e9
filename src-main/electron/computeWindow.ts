/**
 * The hidden compute window: a renderer that runs the engine on Chromium's WebGPU (then WebGL), because Dawn
 * inside Electron's own Node runs into the V8 memory cage. It holds no data and no files: each job process that
 * trains there gets a MessagePort to it and sends the images over; weights come back per epoch.
 */
import { BrowserWindow, MessageChannelMain, type MessagePortMain } from 'electron';
import { portEndpoint, remoteTrainingHost, type MessagePortLike } from '../engine/host/index.js';
import type { BackendInfo } from '../engine/index.js';
import { log } from '../util/log.js';
import { COMPUTE_ENTRY_URL } from './appProtocol.js';
import { TRAINING_PORT_CHANNEL } from './channels.js';
import { appPaths } from './paths.js';
import { computeWindowOptions } from './windowOptions.js';

/** Electron's main-side ports: listeners get events with `data`, and only ports can be transferred. */
export const MAIN_PORT_OPTIONS = { emitterMessages: 'event', transfersBuffers: false } as const;

/** The compute window, opened on first use and again after its renderer died or it was closed. */
export class ComputeWindow {
  private loading: Promise<BrowserWindow> | null = null;

  constructor(private readonly preload = appPaths.computePreload) {}

  /**
   * A new port to the compute page (opening it if needed); the page serves training over it until either side
   * closes it.
   * @throws Error when the page cannot load (its reason included).
   */
  async connect(): Promise<MessagePortMain> {
    const window = await this.open();
    const { port1, port2 } = new MessageChannelMain();
    window.webContents.postMessage(TRAINING_PORT_CHANNEL, null, [port2]);
    return port1;
  }

  /** What the page would train on for `preference`: backend, adapter and why (see the page's resolver). */
  async describe(preference: string): Promise<BackendInfo> {
    const port = await this.connect();
    // MessagePortMain's transfer list takes only ports; MAIN_PORT_OPTIONS makes the endpoint never pass buffers.
    const endpoint = portEndpoint(port as unknown as MessagePortLike, {
      name: 'compute window port',
      ...MAIN_PORT_OPTIONS,
    });
    const host = remoteTrainingHost(endpoint);
    try {
      return await host.describe(preference);
    } finally {
      host.close();
    }
  }

  /** Closes the window (at quit); a later {@link connect} opens a new one. */
  close(): void {
    const loading = this.loading;
    this.loading = null;
    void loading?.then((window) => window.isDestroyed() || window.destroy()).catch(() => undefined);
  }

  private open(): Promise<BrowserWindow> {
    if (this.loading) return this.loading;
    const window = new BrowserWindow(computeWindowOptions(this.preload));
    const forget = (): void => {
      if (this.loading === loading) this.loading = null;
    };
    const contents = window.webContents;
    // Nothing but the compute page, ever: no navigation, no pop-ups.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('render-process-gone', (_event, details) => {
      // Open ports close with the process, so running jobs fail with "the training host closed"; the next job
      // opens a fresh window.
      log.error(
        'compute',
        `the compute window's renderer is gone (${details.reason}, exit code ${details.exitCode})`,
      );
      forget();
      if (!window.isDestroyed()) window.destroy();
    });
    window.on('closed', forget);
    const loading: Promise<BrowserWindow> = new Promise((resolve, reject) => {
      contents.once('did-finish-load', () => resolve(window));
      contents.once('did-fail-load', (_event, code, description) => {
        reject(new Error(`the compute page ${COMPUTE_ENTRY_URL} did not load: ${description} (${code})`));
      });
    });
    loading.catch(() => {
      forget();
      if (!window.isDestroyed()) window.destroy();
    });
    this.loading = loading;
    window.loadURL(COMPUTE_ENTRY_URL).catch(() => undefined); // did-fail-load says why
    return loading;
  }
}
