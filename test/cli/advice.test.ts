import { describe, expect, it } from 'vitest';
import { cliAdvice, withCliAdvice } from '../../src-main/cli/advice.js';

describe('the CLI adds what to type next to the words the app shows too', () => {
  it('names the command and the project for a missing project or model', () => {
    expect(
      withCliAdvice('/p is not a VAE Studio project (it has no project.json)', 'NO_PROJECT', {
        command: 'train',
        project: '/p',
      }),
    ).toBe(
      '/p is not a VAE Studio project (it has no project.json); create one with: vae-studio import <folder> --project /p',
    );
    expect(cliAdvice('NO_MODEL', { command: 'generate', project: 'cats' })).toBe(
      'train one with: vae-studio train --project cats',
    );
  });

  it('names the flags of the settings a message names by their labels', () => {
    expect(cliAdvice('ALREADY_DONE', { command: 'train', project: 'p' })).toBe(
      'pass a larger --epochs to continue',
    );
    expect(
      withCliAdvice('training diverged: … then train again.', 'DIVERGED', { command: 'train', project: 'p' }),
    ).toBe(
      'training diverged: … then train again. The learning rate is --lr and the gradient clip --clip (e.g. --clip 500).',
    );
    expect(cliAdvice('DATASET_CHANGED', { command: 'generate', project: 'p' })).toBe(
      'or pass --sampler prior',
    );
  });

  it('adds nothing where the message says it all', () => {
    expect(withCliAdvice('no space left on the disk', 'DISK_FULL', { command: 'train', project: 'p' })).toBe(
      'no space left on the disk',
    );
  });
});
