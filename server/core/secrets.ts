/**
 * Member tokens at rest: the registry (and so every saved copy of it) holds only a SHA-256 hash of
 * each token; a presented token is hashed and compared in constant time. Pure: no I/O.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The hash kept in place of a token: SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a stored hash is the hash of a presented token's hash, compared without an early exit. */
export function sameHash(storedHash: string, presentedHash: string): boolean {
  const a = Buffer.from(storedHash, 'hex');
  const b = Buffer.from(presentedHash, 'hex');
  // Both are 32-byte digests unless a saved file was tampered with; unequal lengths never match.
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
