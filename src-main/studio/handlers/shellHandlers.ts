import { resolve } from 'node:path';
import { UserError } from '../../util/errors.js';
import type { StudioContext } from '../context.js';
import type { HandlersOf } from './types.js';

/** `shell.*`: native dialogs and the OS file manager, where the host has them (Electron). */
export function registerShellHandlers(ctx: StudioContext): HandlersOf<'shell'> {
  const shell = ctx.options.shell;
  return {
    'shell.pickFolder': async ({ title }) => {
      if (!shell?.pickFolder) throw unsupported('a folder picker');
      return shell.pickFolder(title);
    },
    'shell.pickImage': async ({ title }) => {
      if (!shell?.pickImage) throw unsupported('an image picker');
      return shell.pickImage(title);
    },
    'shell.openPath': async ({ path }) => {
      if (!shell?.openPath) throw unsupported('opening folders in the file manager');
      return { opened: await shell.openPath(resolve(ctx.project.root ?? ctx.options.projectsDir, path)) };
    },
  };
}

function unsupported(what: string): UserError {
  return new UserError(
    'UNSUPPORTED',
    `${what} is not available in browser mode; type a path on the server instead`,
  );
}
