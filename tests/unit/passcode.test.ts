import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../server/http/errors.ts';
import {
  FREE_WRONG_PASSCODES,
  MAX_PASSCODE_DELAY_MS,
  PASSCODE_MEMORY_MS,
  STAFF_PASS_TTL_MS,
  createPasscodeGate,
  passcodeDelayMs,
  staffPassCookie,
  staffPassFrom,
  type PasscodeGate,
} from '../../server/http/passcode.ts';

const PASSCODE = 'staffroom-kettle-42';
const HOUR_MS = 3_600_000;

/** The error code a check ended with, or 'ok'. */
async function outcome(check: Promise<unknown>): Promise<string> {
  try {
    await check;
    return 'ok';
  } catch (error) {
    return (error as ApiError).code;
  }
}

/** A gate on the fake timers: `Date.now` for its clock, `setTimeout` for its waits. */
function fakeTimedGate(passcode: string | null = PASSCODE): PasscodeGate {
  return createPasscodeGate(passcode, {
    clock: () => Date.now(),
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
}

const attempt = (address: string, given: string | undefined, pass?: string) => ({ address, given, pass });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('teacher passcode', () => {
  it('lets everyone through when none is set', async () => {
    expect(await fakeTimedGate(null).check(attempt('10.0.0.1', undefined))).toBeNull();
  });

  it('asks for it, refuses a wrong one, accepts the right one with spaces around it', async () => {
    const gate = fakeTimedGate();
    expect(await outcome(gate.check(attempt('10.0.0.1', undefined)))).toBe('passcode-required');
    expect(await outcome(gate.check(attempt('10.0.0.1', 'staffroom-kettle-4')))).toBe('wrong-passcode');
    expect(await outcome(gate.check(attempt('10.0.0.1', ` ${PASSCODE} `)))).toBe('ok');
  });

  it('waits longer after each wrong guess past the free ones, up to a cap', () => {
    const delays = Array.from({ length: FREE_WRONG_PASSCODES + 8 }, (_, wrong) => passcodeDelayMs(wrong));
    expect(delays).toEqual([0, 0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('keeps brute force from one address to about 120 guesses an hour, however many it sends at once', async () => {
    const gate = fakeTimedGate();
    let answered = 0;
    for (let i = 0; i < 10_000; i++) {
      void gate.check(attempt('10.0.0.1', `guess-${i}`)).catch(() => answered++);
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(answered).toBe(FREE_WRONG_PASSCODES);
    await vi.advanceTimersByTimeAsync(HOUR_MS);
    // 5 free, 5 more in the first 31 s, then one every 30 s.
    expect(answered).toBe(128);
    await vi.advanceTimersByTimeAsync(HOUR_MS);
    expect(answered).toBe(128 + HOUR_MS / MAX_PASSCODE_DELAY_MS);
  });

  it('never refuses the right passcode for others’ guesses: it waits its turn at that address', async () => {
    const gate = fakeTimedGate();
    const guesses = Array.from({ length: 12 }, (_, i) => outcome(gate.check(attempt('10.0.0.1', `guess-${i}`))));
    const teacher = outcome(gate.check(attempt('10.0.0.1', PASSCODE)));
    const elsewhere = outcome(gate.check(attempt('10.0.0.2', PASSCODE)));
    await vi.advanceTimersByTimeAsync(0);
    expect(await elsewhere).toBe('ok');
    await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 8_000 + 16_000 + 30_000 + 30_000 + 30_000);
    expect(await Promise.all(guesses)).toEqual(Array<string>(12).fill('wrong-passcode'));
    expect(await teacher).toBe('ok');
  });

  it('lets a staff pass holder past the queue, and only with the right passcode', async () => {
    const gate = fakeTimedGate();
    const pass = (await gate.check(attempt('10.0.0.1', PASSCODE)))!;
    const unused = (await gate.check(attempt('10.0.0.4', PASSCODE)))!;
    const guesses = Array.from({ length: 50 }, (_, i) => outcome(gate.check(attempt('10.0.0.1', `guess-${i}`))));
    await vi.advanceTimersByTimeAsync(0);
    expect(await outcome(gate.check(attempt('10.0.0.1', PASSCODE, pass)))).toBe('ok');
    expect(await outcome(gate.check(attempt('10.0.0.1', 'guess', pass)))).toBe('wrong-passcode');
    // A copied pass is no way to guess at full speed: past the typos an address gets free, it waits too.
    for (let i = 1; i < FREE_WRONG_PASSCODES; i++) {
      expect(await outcome(gate.check(attempt('10.0.0.1', `typo-${i}`, pass)))).toBe('wrong-passcode');
    }
    const spent = gate.check(attempt('10.0.0.1', PASSCODE, pass));
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.race([spent.then(() => 'answered'), Promise.resolve('waiting')])).toBe('waiting');
    // A pass from another server (or before a restart), or an expired one, is no pass.
    const other = (await fakeTimedGate().check(attempt('10.0.0.3', PASSCODE)))!;
    const elsewhere = gate.check(attempt('10.0.0.1', PASSCODE, other));
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.race([elsewhere.then(() => 'answered'), Promise.resolve('waiting')])).toBe('waiting');
    vi.setSystemTime(Date.now() + STAFF_PASS_TTL_MS);
    const expired = gate.check(attempt('10.0.0.1', PASSCODE, unused));
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.race([expired.then(() => 'answered'), Promise.resolve('waiting')])).toBe('waiting');
    await vi.advanceTimersByTimeAsync(2 * HOUR_MS);
    await Promise.all([...guesses, spent, elsewhere, expired]);
  });

  it('forgets an address’s wrong guesses after a quiet while', async () => {
    const gate = fakeTimedGate();
    const wrongGuesses = async (count: number) => {
      let answered = 0;
      for (let i = 0; i < count; i++)
        void outcome(gate.check(attempt('10.0.0.1', `guess-${i}`))).then(() => answered++);
      await vi.advanceTimersByTimeAsync(0);
      return answered;
    };
    expect(await wrongGuesses(FREE_WRONG_PASSCODES)).toBe(FREE_WRONG_PASSCODES);
    vi.advanceTimersByTime(PASSCODE_MEMORY_MS);
    // Free again: all answered with no wait.
    expect(await wrongGuesses(FREE_WRONG_PASSCODES)).toBe(FREE_WRONG_PASSCODES);
  });
});

describe('staff pass cookie', () => {
  it('is for the API only, hidden from script, same-site, and secure over HTTPS', () => {
    expect(staffPassCookie('123.abc', true)).toBe(
      `staff-pass=123.abc; Max-Age=${STAFF_PASS_TTL_MS / 1000}; Path=/api; HttpOnly; SameSite=Strict; Secure`,
    );
    expect(staffPassCookie('123.abc', false)).not.toContain('Secure');
  });

  it('is read from among other cookies', () => {
    expect(staffPassFrom('a=1; staff-pass=123.abc; b=2')).toBe('123.abc');
    expect(staffPassFrom('not-staff-pass=1')).toBeUndefined();
    expect(staffPassFrom(undefined)).toBeUndefined();
  });
});
