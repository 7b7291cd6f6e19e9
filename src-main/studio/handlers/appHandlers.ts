import type { StudioContext } from '../context.js';
import type { HandlersOf } from './types.js';

/** `app.*`: what this host is and can do. */
export function registerAppHandlers(ctx: StudioContext): HandlersOf<'app'> {
  const { options } = ctx;
  return {
    'app.info': () =>
      Promise.resolve({
        version: options.version,
        host: options.host,
        platform: process.platform,
        projectsDir: options.projectsDir,
        nativeDialogs: options.shell?.pickFolder !== undefined && options.shell.pickImage !== undefined,
        openPath: options.shell?.openPath !== undefined,
      }),
  };
}
