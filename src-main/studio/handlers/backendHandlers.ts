import type { BackendInfo } from '../../contract/index.js';
import type { BackendPreference } from '../../engine/node/index.js';
import type { StudioContext } from '../context.js';
import type { HandlersOf } from './types.js';

/**
 * `backend.info`: resolved in a job worker, because loading a tfjs backend on the caller's thread would pin it
 * there (and block it while it compiles). 'auto' means the studio's default backend, as in `training.start`. One
 * answer per preference is kept; a failure is asked again next time.
 */
export function registerBackendHandlers(ctx: StudioContext): HandlersOf<'backend'> {
  const answers = new Map<BackendPreference, Promise<BackendInfo>>();
  return {
    'backend.info': (input) => {
      const preference = input.preference === 'auto' ? ctx.backend : input.preference;
      let answer = answers.get(preference);
      if (!answer) {
        answer = ctx.runner.start('backend-info', { preference }, () => undefined).result;
        answers.set(preference, answer);
        answer.catch(() => answers.delete(preference));
      }
      return answer;
    },
  };
}
