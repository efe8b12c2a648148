/**
 * The optional school-wide teacher passcode (TEACHER_PASSCODE): compared in constant time, with
 * wrong guesses limited per client address. Holds only failure counts; knows nothing of rooms.
 */
import { sameSecret } from '../core/secrets.ts';
import { ApiError } from './errors.ts';

/** Wrong passcodes one address may try per window before it must wait. */
export const PASSCODE_FAILURES_PER_WINDOW = 10;
/** The window for PASSCODE_FAILURES_PER_WINDOW. */
export const PASSCODE_WINDOW_MS = 15 * 60_000;

/** Checks a passcode given by `address`; throws the ApiError to answer with, or returns when it may go on. */
export type PasscodeCheck = (address: string, given: string | undefined) => void;

/** A check that lets everyone through when `passcode` is null. */
export function createPasscodeCheck(passcode: string | null, clock: () => number = Date.now): PasscodeCheck {
  if (passcode === null) return () => {};
  const failures = new Map<string, { count: number; since: number }>();
  return (address, given) => {
    const now = clock();
    for (const [key, entry] of failures) if (now - entry.since >= PASSCODE_WINDOW_MS) failures.delete(key);
    const entry = failures.get(address);
    if (entry && entry.count >= PASSCODE_FAILURES_PER_WINDOW) {
      throw new ApiError(
        'rate-limited',
        'Too many wrong teacher passcodes from your address; wait 15 minutes, and check the passcode with your admin.',
      );
    }
    if (given === undefined || given === '') throw new ApiError('passcode-required', undefined, 'passcode');
    if (sameSecret(given.trim(), passcode)) return;
    if (entry) entry.count++;
    else failures.set(address, { count: 1, since: now });
    throw new ApiError('wrong-passcode', undefined, 'passcode');
  };
}
