/**
 * How a teacher without an account proves they teach a class (issue #20, before sign-in): the
 * class teacher key, a 192-bit secret shown once when the class is made or the key rotated, kept
 * only as its SHA-256 hash, and compared in constant time. Pure: entropy comes in.
 */
import { hashToken, sameSecret } from '../core/secrets.ts';

/** Random bytes in a class teacher key (192 bits, written as 32 base64url characters). */
export const TEACHER_KEY_BYTES = 24;

/** A fresh class teacher key and the hash the database keeps in its place. */
export function newTeacherKey(random: (byteCount: number) => Uint8Array): { key: string; hash: string } {
  const key = Buffer.from(random(TEACHER_KEY_BYTES)).toString('base64url');
  return { key, hash: hashToken(key) };
}

/** Whether a presented key opens a class: no key given, the wrong key (or a class without one), or yes. */
export type TeacherAccess = 'ok' | 'class-key-required' | 'wrong-class-key';

/**
 * The rule for a class's teacher routes. `keyHash` is null for a class the caller could not find,
 * so an unknown class and a wrong key look the same to the caller.
 */
export function teacherAccess(presented: string | undefined, keyHash: string | null): TeacherAccess {
  if (presented === undefined || presented === '') return 'class-key-required';
  return keyHash !== null && sameSecret(hashToken(presented), keyHash) ? 'ok' : 'wrong-class-key';
}
