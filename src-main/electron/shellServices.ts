/** The studio's host services in the desktop app: native pickers, the OS file manager, notifications. */
import { dialog, Notification, shell, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { ShellServices } from '../studio/types.js';

/** Image types sharp decodes that users are likely to pick. */
const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif'];

/** Shell services whose dialogs are attached to the window `getWindow` returns (if any). */
export function createShellServices(getWindow: () => BrowserWindow | null): ShellServices {
  async function pick(options: OpenDialogOptions): Promise<string | null> {
    const window = getWindow();
    const { canceled, filePaths } = window
      ? await dialog.showOpenDialog(window, options)
      : await dialog.showOpenDialog(options);
    return canceled ? null : (filePaths[0] ?? null);
  }

  return {
    pickFolder: (title) =>
      pick({ title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory'] }),

    pickImage: (title) =>
      pick({
        title: title ?? 'Choose an image',
        properties: ['openFile'],
        filters: [
          { name: 'Images', extensions: IMAGE_EXTENSIONS },
          { name: 'All files', extensions: ['*'] },
        ],
      }),

    // shell.openPath answers '' on success and an error message otherwise.
    openPath: async (path) => (await shell.openPath(path)) === '',

    notify(title, body) {
      // A job that ends while the user watches the window needs no notification.
      if (!Notification.isSupported() || getWindow()?.isFocused()) return;
      new Notification({ title, body }).show();
    },
  };
}
