import type { ProjectSummary } from '../../contract/index.js';
import { openOrCreateProject, openProject } from '../../project/index.js';
import { writeJsonAtomic } from '../../util/atomicWrite.js';
import { UserError } from '../../util/errors.js';
import type { StudioContext } from '../context.js';
import { makeFolder, resolveRequestPath } from '../paths.js';
import { readProjectSummary } from '../projectSummary.js';
import type { HandlersOf } from './types.js';

/**
 * `project.*`: create, open, the current project and the recent list (forgetting one leaves its folder alone). Relative paths stay inside `projectsDir`
 * (see resolveRequestPath).
 */
export function registerProjectHandlers(ctx: StudioContext): HandlersOf<'project'> {
  const resolvePath = (path: string) => resolveRequestPath(ctx.options.projectsDir, path, 'path');
  return {
    'project.create': async ({ path, name, openExisting }) => {
      const root = resolvePath(path);
      await makeFolder(root);
      const existing = await openProject(root).catch((err: unknown) => {
        if (err instanceof UserError && err.code === 'NO_PROJECT') return null;
        throw err;
      });
      if (existing && !openExisting) {
        throw new UserError(
          'PROJECT_EXISTS',
          `${existing.layout.root} already holds the project “${existing.meta.name}”; open it, or choose another folder for a new one`,
        );
      }
      const project = existing ?? (await openOrCreateProject(root));
      // A name only names a new project; an existing one keeps its own.
      if (!existing && name) await writeJsonAtomic(project.layout.projectFile, { ...project.meta, name });
      return makeCurrent(ctx, project.layout.root);
    },
    'project.open': async ({ path }) => {
      const project = await openProject(resolvePath(path));
      return makeCurrent(ctx, project.layout.root);
    },
    'project.current': async () => {
      const root = ctx.project.root;
      return root ? readProjectSummary(root) : null;
    },
    'project.recent': () => ctx.recent.list(),
    'project.forget': async ({ path }) => {
      await ctx.recent.remove(path);
      return ctx.recent.list();
    },
  };
}

/** Makes `root` the current project, puts it first in the recent list and tells every listener. */
export async function makeCurrent(ctx: StudioContext, root: string): Promise<ProjectSummary> {
  const summary = await readProjectSummary(root);
  ctx.project.set(summary.root);
  await ctx.recent.add(summary.root, summary.name);
  ctx.emit('project.changed', summary);
  return summary;
}
