/**
 * The main side of the IPC bridge, derived from the contract: one `ipcMain.handle('vae:<name>')` per request,
 * forwarding to the studio, and every studio event sent to the window on {@link EVENT_CHANNEL}. The Electron
 * objects are parameters, so this runs (and is tested) without Electron.
 */
import { BOUNDARY_CODES, requestNames, type ApiResult, type Unsubscribe } from '../contract/index.js';
import type { Studio, StudioListener } from '../studio/types.js';
import { log } from '../util/log.js';
import { unexpectedMessage } from '../util/unexpected.js';
import { isAppUrl } from './appProtocol.js';
import { EVENT_CHANNEL, requestChannel } from './channels.js';

/** The part of Electron's `ipcMain` the handlers use; `E` is its invoke event. */
export interface IpcMainLike<E> {
  handle(channel: string, listener: (event: E, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** What the sender check reads from an invoke event (Electron's `IpcMainInvokeEvent` has these). */
export interface InvokeSenderLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * Registers one handler per contract request. A request from any sender `isTrusted` refuses is answered
 * UNAUTHORIZED without reaching the studio. Returns a function that removes the handlers.
 */
export function registerIpcHandlers<E>(
  ipc: IpcMainLike<E>,
  studio: Pick<Studio, 'invoke'>,
  isTrusted: (event: E) => boolean,
): Unsubscribe {
  for (const name of requestNames) {
    ipc.handle(requestChannel(name), async (event, input): Promise<ApiResult<unknown>> => {
      if (!isTrusted(event)) {
        log.warn('ipc', `refused ${name} from a frame that is not the VAE Studio window`);
        return {
          ok: false,
          code: BOUNDARY_CODES.unauthorized,
          message: `${name} was sent from an unknown frame`,
        };
      }
      try {
        return await studio.invoke(name, input);
      } catch (error) {
        // studio.invoke promises never to throw; if it does, the renderer still gets data, not a lost rejection.
        log.error('ipc', `${name} threw`, error);
        return {
          ok: false,
          code: BOUNDARY_CODES.internal,
          message: unexpectedMessage(error),
        };
      }
    });
  }
  return () => {
    for (const name of requestNames) ipc.removeHandler(requestChannel(name));
  };
}

/**
 * True when the invoke came from the top frame of the web contents `webContentsId` showing the app's own page:
 * not another window, not an iframe, not a page the window was somehow navigated to.
 */
export function isTrustedSender(event: InvokeSenderLike, webContentsId: number): boolean {
  const frame = event.senderFrame;
  return event.sender.id === webContentsId && frame !== null && frame.parent === null && isAppUrl(frame.url);
}

/** Something that can carry a message to the renderer (Electron's `webContents.send`). */
export type SendToRenderer = (channel: string, ...args: unknown[]) => void;

/** Sends every studio event to the renderer as `(EVENT_CHANNEL, name, payload)`. Returns the unsubscribe. */
export function forwardStudioEvents(studio: Pick<Studio, 'subscribe'>, send: SendToRenderer): Unsubscribe {
  const listener: StudioListener = (name, payload) => send(EVENT_CHANNEL, name, payload);
  return studio.subscribe(listener);
}
