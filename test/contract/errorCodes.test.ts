import { describe, expect, it } from 'vitest';
import { BOUNDARY_CODES, ERROR_CODES, type ApiFailure } from '../../src-main/contract/index.js';
import { CancelledError, UserError } from '../../src-main/util/errors.js';

describe('ERROR_CODES', () => {
  it('lists each code once, in UPPER_SNAKE_CASE', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });

  it('holds every boundary code, SHUTTING_DOWN and CANCELLED', () => {
    for (const code of Object.values(BOUNDARY_CODES)) expect(ERROR_CODES).toContain(code);
    expect(ERROR_CODES).toContain('SHUTTING_DOWN');
    expect(ERROR_CODES).toContain(new CancelledError().code);
  });

  it('makes a misspelt code a compile error for UserError and ApiFailure', () => {
    // @ts-expect-error 'NO_IMAGE' is not a code (NO_IMAGES is).
    const typo = new UserError('NO_IMAGE', 'x');
    // @ts-expect-error 'BUSYY' is not a code.
    const failure: ApiFailure = { ok: false, code: 'BUSYY', message: 'x' };
    expect([typo.code, failure.code]).toEqual(['NO_IMAGE', 'BUSYY']);
  });
});
