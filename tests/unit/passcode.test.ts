import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/http/errors.ts';
import { PASSCODE_FAILURES_PER_WINDOW, PASSCODE_WINDOW_MS, createPasscodeCheck } from '../../server/http/passcode.ts';

/** The error code a check threw, or 'ok'. */
function outcome(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return (error as ApiError).code;
  }
}

describe('teacher passcode', () => {
  it('lets everyone through when none is set', () => {
    const check = createPasscodeCheck(null);
    expect(outcome(() => check('10.0.0.1', undefined))).toBe('ok');
  });

  it('asks for it, refuses a wrong one, accepts the right one with spaces around it', () => {
    const check = createPasscodeCheck('staffroom-kettle-42');
    expect(outcome(() => check('10.0.0.1', undefined))).toBe('passcode-required');
    expect(outcome(() => check('10.0.0.1', 'staffroom-kettle-4'))).toBe('wrong-passcode');
    expect(outcome(() => check('10.0.0.1', ' staffroom-kettle-42 '))).toBe('ok');
  });

  it('locks an address out after too many wrong guesses, for the window only', () => {
    let now = 0;
    const check = createPasscodeCheck('staffroom-kettle-42', () => now);
    for (let i = 0; i < PASSCODE_FAILURES_PER_WINDOW; i++)
      expect(outcome(() => check('10.0.0.1', `guess-${i}`))).toBe('wrong-passcode');
    expect(outcome(() => check('10.0.0.1', 'staffroom-kettle-42'))).toBe('rate-limited');
    expect(outcome(() => check('10.0.0.2', 'staffroom-kettle-42'))).toBe('ok');
    now += PASSCODE_WINDOW_MS;
    expect(outcome(() => check('10.0.0.1', 'staffroom-kettle-42'))).toBe('ok');
  });
});
