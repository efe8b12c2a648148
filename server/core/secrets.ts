/**
 * Secrets compared and kept: member tokens at rest are SHA-256 hashes (so is every saved copy of
 * the registry), and every secret a client presents (token, supervisor key, passcode, metrics or
 * relay-node secret) is compared in constant time here and nowhere else. Pure: no I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The hash kept in place of a token: SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Whether a presented secret is the expected one, compared without an early exit. Both sides are
 * hashed first, so the comparison takes the same time whatever their lengths; an empty expected
 * secret never matches.
 */
export function sameSecret(presented: string, expected: string): boolean {
  return expected.length > 0 && timingSafeEqual(digest(presented), digest(expected));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
