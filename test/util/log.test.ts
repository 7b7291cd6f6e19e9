import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '../../src-main/util/log.js';

afterEach(() => vi.restoreAllMocks());

describe('log', () => {
  it('prefixes every line with vae-studio [scope] and passes the error on for the console to format', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const cause = new Error('disk full');
    log.error('jobs', 'train-1 failed', cause);
    log.warn('host', 'a stray message', { type: 'nope' });
    log.info('main', 'train runs in the worker');
    expect(error.mock.calls).toEqual([
      ['vae-studio [jobs]: train-1 failed', cause],
      ['vae-studio [main]: train runs in the worker'],
    ]);
    expect(warn.mock.calls).toEqual([['vae-studio [host]: a stray message', { type: 'nope' }]]);
  });

  it('keeps info off console.info and console.log, which write to stdout under Node (a CLI command output)', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const plain = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    log.info('main', 'hello');
    expect([info.mock.calls.length, plain.mock.calls.length, error.mock.calls]).toEqual([
      0,
      0,
      [['vae-studio [main]: hello']],
    ]);
  });
});
