/**
 * The optional school-wide teacher passcode (TEACHER_PASSCODE). Wrong guesses slow their address
 * down instead of locking it out, so a student behind the school's address cannot aim a lockout at
 * the teacher there; a browser that gave the passcode before carries a staff pass and never waits.
 * Holds only guess counts and the pass key; knows nothing of rooms.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { sameSecret } from '../core/secrets.ts';
import { ApiError } from './errors.ts';
import { addressKey } from './seat.ts';

/** Wrong passcodes an address may give before its checks slow down (a teacher's typos). */
export const FREE_WRONG_PASSCODES = 5;
/** The wait before an address's next check once its free guesses are spent; each further wrong one doubles it. */
export const FIRST_PASSCODE_DELAY_MS = 1_000;
/** The longest wait between two checks from one address, so at most one guess per this long. */
export const MAX_PASSCODE_DELAY_MS = 30_000;
/** An address's wrong guesses are forgotten once it has made none for this long. */
export const PASSCODE_MEMORY_MS = 15 * 60_000;
/** How long a staff pass lasts; each right passcode renews it. A restart voids every pass. */
export const STAFF_PASS_TTL_MS = 30 * 24 * 3_600_000;
/** The cookie a staff pass travels in. */
export const STAFF_PASS_COOKIE = 'staff-pass';

/** One passcode check: who asks, what they gave, and the staff pass their browser holds, if any. */
export interface PasscodeAttempt {
  /** The client's address as the limits count it (an IPv6 address by its prefix). */
  address: string;
  given: string | undefined;
  pass: string | undefined;
  /** Whether the client went away while its check waited; such a check is dropped unread. */
  gone?: () => boolean;
}

/** The passcode check every lobby read and room creation goes through. */
export interface PasscodeGate {
  /**
   * Resolves with a fresh staff pass when `given` is the passcode (null when none is set), or
   * rejects with the ApiError to answer. Never refuses for others' guesses: it may only wait.
   */
  check(attempt: PasscodeAttempt): Promise<string | null>;
}

/** What the gate needs of time: the server's clock and a timer. */
export interface PasscodeTimers {
  clock: () => number;
  wait: (ms: number) => Promise<void>;
}

/** The wait before the next check from an address that has given `wrong` wrong passcodes lately. */
export function passcodeDelayMs(wrong: number): number {
  if (wrong < FREE_WRONG_PASSCODES) return 0;
  return Math.min(FIRST_PASSCODE_DELAY_MS * 2 ** (wrong - FREE_WRONG_PASSCODES), MAX_PASSCODE_DELAY_MS);
}

/** One address's recent wrong guesses and the queue its checks take turns in. */
interface Lane {
  wrong: number;
  lastWrongAt: number;
  /** No check from this address is looked at before this time. */
  openAt: number;
  /** Settles when the last check queued here has been looked at. */
  tail: Promise<unknown>;
  queued: number;
}

/**
 * The gate for `passcode` (everyone passes when it is null). Checks from one address take turns,
 * each waiting `passcodeDelayMs` after the address's last wrong guess before it is looked at, right
 * or wrong, so neither the answer nor its timing tells a guesser more than one guess per wait. A
 * valid staff pass skips the queue (it proves this browser gave the passcode before) for as many
 * wrong passcodes as an address gets free, so a copied pass is no way to guess at full speed.
 */
export function createPasscodeGate(passcode: string | null, timers: PasscodeTimers): PasscodeGate {
  if (passcode === null) return { check: () => Promise.resolve(null) };
  const { clock, wait } = timers;
  // A key of its own, not the passcode: a copied pass must not let anyone test passcodes offline.
  const key = randomBytes(32);
  const lanes = new Map<string, Lane>();
  /** Wrong passcodes given with each pass, until it expires. */
  const wrongWithPass = new Map<string, number>();
  const sign = (expiresAt: number) =>
    `${expiresAt}.${createHmac('sha256', key).update(String(expiresAt)).digest('base64url')}`;
  const expiryOf = (pass: string) => Number(pass.split('.')[0]);
  /** Whether `pass` lets its holder skip the queue: this server's, unexpired, with typos to spare. */
  const skipsQueue = (pass: string | undefined, now: number): pass is string => {
    if (pass === undefined) return false;
    const expiresAt = expiryOf(pass);
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= now || !sameSecret(pass, sign(expiresAt))) return false;
    return (wrongWithPass.get(pass) ?? 0) < FREE_WRONG_PASSCODES;
  };
  /** Looks at one passcode; a wrong one counts against the address's lane, or the pass that skipped it. */
  const judge = (given: string, against: Lane | string): string => {
    const now = clock();
    if (sameSecret(given.trim(), passcode)) return sign(now + STAFF_PASS_TTL_MS);
    if (typeof against === 'string') {
      wrongWithPass.set(against, (wrongWithPass.get(against) ?? 0) + 1);
    } else {
      if (now - against.lastWrongAt >= PASSCODE_MEMORY_MS) against.wrong = 0;
      against.wrong++;
      against.lastWrongAt = now;
      against.openAt = now + passcodeDelayMs(against.wrong);
    }
    throw new ApiError('wrong-passcode', undefined, 'passcode');
  };
  const forgetQuiet = (now: number) => {
    for (const [address, lane] of lanes) {
      if (lane.queued === 0 && now - lane.lastWrongAt >= PASSCODE_MEMORY_MS) lanes.delete(address);
    }
    for (const pass of wrongWithPass.keys()) if (expiryOf(pass) <= now) wrongWithPass.delete(pass);
  };
  let sweptAt = -Infinity;

  return {
    async check({ address, given, pass, gone }) {
      if (given === undefined || given === '') throw new ApiError('passcode-required', undefined, 'passcode');
      const now = clock();
      if (skipsQueue(pass, now)) return judge(given, pass);
      if (now - sweptAt >= 60_000) {
        forgetQuiet(now);
        sweptAt = now;
      }
      let lane = lanes.get(address);
      if (!lane) {
        lane = { wrong: 0, lastWrongAt: -Infinity, openAt: -Infinity, tail: Promise.resolve(), queued: 0 };
        lanes.set(address, lane);
      }
      const own = lane;
      own.queued++;
      const turn = own.tail.then(async () => {
        const waitMs = own.openAt - clock();
        if (waitMs > 0) await wait(waitMs);
        // Nobody is left to read the answer: the check is dropped, not counted.
        if (gone?.()) throw new ApiError('passcode-required', undefined, 'passcode');
        return judge(given, own);
      });
      own.tail = turn.then(
        () => own.queued--,
        () => own.queued--,
      );
      return turn;
    },
  };
}

/** The `Set-Cookie` value carrying `pass`: for the API only, never readable by script or sent cross-site. */
export function staffPassCookie(pass: string, secure: boolean): string {
  const maxAgeS = STAFF_PASS_TTL_MS / 1000;
  return `${STAFF_PASS_COOKIE}=${pass}; Max-Age=${maxAgeS}; Path=/api; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The staff pass in a request's `Cookie` header, if any. */
export function staffPassFrom(cookieHeader: string | undefined): string | undefined {
  const match = new RegExp(`(?:^|;\\s*)${STAFF_PASS_COOKIE}=([^;]*)`).exec(cookieHeader ?? '');
  return match?.[1];
}

/**
 * Lets a request on once `given` is the passcode (at once when none is set), renewing the
 * browser's staff pass; a wrong one may first wait its address's turn, then rejects.
 */
export async function requirePasscode(
  gate: PasscodeGate,
  req: Request,
  res: Response,
  given: string | undefined,
): Promise<void> {
  const pass = await gate.check({
    address: addressKey(req),
    given,
    pass: staffPassFrom(req.get('cookie')),
    gone: () => req.socket.destroyed,
  });
  if (pass) res.append('Set-Cookie', staffPassCookie(pass, req.secure));
}
