import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildMenuTemplate, type MenuActions } from '../../src-main/electron/menu.js';

/** Actions that record their own names when run. */
function actions(ran: string[] = []): MenuActions {
  return {
    newProject: () => ran.push('newProject'),
    openProject: () => ran.push('openProject'),
    openReadme: () => ran.push('openReadme'),
    openDocs: () => ran.push('openDocs'),
  };
}

function submenu(
  template: MenuItemConstructorOptions[],
  label: string | RegExp,
): MenuItemConstructorOptions[] {
  const menu = template.find((item) =>
    typeof label === 'string' ? item.role === label : label.test(item.label ?? ''),
  );
  return (menu?.submenu ?? []) as MenuItemConstructorOptions[];
}

const describeItem = (item: MenuItemConstructorOptions) => item.label ?? item.role ?? item.type;

describe('the application menu', () => {
  it('has File (New Project…, Open Project…, Quit), Edit, View and Help in that order on Linux and Windows', () => {
    const template = buildMenuTemplate(actions(), 'linux');
    expect(template.map(describeItem)).toEqual(['&File', 'editMenu', '&View', 'help']);
    expect(submenu(template, /File/).map(describeItem)).toEqual([
      'New Project…',
      'Open Project…',
      'separator',
      'quit',
    ]);
    expect(
      submenu(template, /File/)
        .slice(0, 2)
        .map((item) => item.accelerator),
    ).toEqual(['CmdOrCtrl+N', 'CmdOrCtrl+O']);
  });

  it('offers reload, developer tools and zoom under View', () => {
    const roles = submenu(buildMenuTemplate(actions(), 'win32'), /View/).map((item) => item.role);
    expect(roles).toEqual(
      expect.arrayContaining(['reload', 'toggleDevTools', 'resetZoom', 'zoomIn', 'zoomOut']),
    );
  });

  it('runs the given actions from File and Help', () => {
    const ran: string[] = [];
    const template = buildMenuTemplate(actions(ran), 'linux');
    const click = (item: MenuItemConstructorOptions | undefined) =>
      (item?.click as (() => void) | undefined)?.call(undefined);
    click(submenu(template, /File/)[0]);
    click(submenu(template, /File/)[1]);
    for (const item of submenu(template, 'help')) click(item);
    expect(ran).toEqual(['newProject', 'openProject', 'openReadme', 'openDocs']);
  });

  it('follows macOS conventions: an app menu first, Close in File, and a Window menu', () => {
    const template = buildMenuTemplate(actions(), 'darwin');
    expect(template.map(describeItem)).toEqual([
      'appMenu',
      '&File',
      'editMenu',
      '&View',
      'windowMenu',
      'help',
    ]);
    expect(submenu(template, /File/).at(-1)?.role).toBe('close');
  });
});
