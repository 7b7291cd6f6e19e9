/**
 * The application menu as a template (Electron's `MenuItemConstructorOptions`); main.ts builds it with
 * `Menu.buildFromTemplate`. Only types come from Electron, so the template is tested in Node.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu's own items do; the roles (quit, reload, zoom…) are Electron's. */
export interface MenuActions {
  newProject(): void;
  openProject(): void;
  openReadme(): void;
  openDocs(): void;
}

/** The menu: (macOS: app menu,) File, Edit, View, Window on macOS, Help. */
export function buildMenuTemplate(
  actions: MenuActions,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const appMenu: MenuItemConstructorOptions[] = isMac ? [{ role: 'appMenu' }] : [];
  return [
    ...appMenu,
    {
      label: '&File',
      submenu: [
        { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: () => actions.newProject() },
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => actions.openProject() },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    ...(isMac ? [{ role: 'windowMenu' } satisfies MenuItemConstructorOptions] : []),
    {
      role: 'help',
      submenu: [
        { label: 'README', click: () => actions.openReadme() },
        { label: 'Documentation Folder', click: () => actions.openDocs() },
      ],
    },
  ];
}
