/** Fresh row ids and join secrets for the classes database, from the operating system's random source. */
import { randomBytes } from 'node:crypto';

/** A row id: 128 random bits as base64url (22 characters), the same text in SQLite and PostgreSQL. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** A class's join-link secret: 192 random bits as base64url (32 characters), too many to guess. */
export function newJoinSecret(): string {
  return randomBytes(24).toString('base64url');
}
