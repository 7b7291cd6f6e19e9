import { describe, expect, it } from 'vitest';
import { unexpectedMessage } from '../../src-main/util/unexpected.js';

describe('unexpectedMessage', () => {
  it("says in words that something failed, with the cause's first line and what to do, never a stack", () => {
    const err = new TypeError("Cannot read properties of undefined (reading 'x')");
    err.stack = `TypeError: ${err.message}\n    at load (/app/out/main/x.js:1:2)`;
    expect(unexpectedMessage(err, 'Training')).toBe(
      "Training failed unexpectedly (Cannot read properties of undefined (reading 'x')). This is a fault in " +
        'VAE Studio and has been logged; try again, and restart VAE Studio if it keeps happening.',
    );
  });

  it('leaves out an errno code or an error class at the start, and a second line', () => {
    const message = unexpectedMessage(new Error('EPIPE: broken pipe, write\n  at socket'));
    expect(message).toMatch(/^Something failed unexpectedly \(broken pipe, write\)\. /);
    expect(unexpectedMessage('RangeError: too deep')).toMatch(
      /^Something failed unexpectedly \(too deep\)\. /,
    );
    expect(message).not.toMatch(/EPIPE|at socket/);
  });
});
