/**
 * Sign-in sessions and sign-ins under way in the classes database. Ids are random, 256 bits, and
 * kept only as their SHA-256: the cookie holds the id, the table its hash. Each function is one
 * query; times come in as `now`. Who may do what is not decided here.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashToken } from '../core/secrets.ts';
import type { Tables } from './tables.ts';

/** A fresh secret: 256 random bits as base64url (43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The hash a secret id is stored under. */
const hashOf = hashToken;

/** A session as the routes use it: who is signed in, and the CSRF token their changing requests carry. */
export interface SessionView {
  readonly accountId: string;
  readonly email: string | null;
  readonly name: string | null;
  /** Whether the ID token's teacher claim held at sign-in (not whether they teach now: `teachesNow`). */
  readonly teacherClaim: boolean;
  readonly csrfToken: string;
  readonly expiresAt: number;
}

/** Starts a session for an account; returns the id for the cookie (never stored) and its CSRF token. */
export async function createSession(
  db: Kysely<Tables>,
  input: { readonly accountId: string; readonly teacherClaim: boolean },
  now: number,
  ttlMs: number,
): Promise<{ id: string; csrfToken: string; expiresAt: number }> {
  const id = newSecret();
  const csrfToken = newSecret();
  const expiresAt = now + ttlMs;
  await db
    .insertInto('sessions')
    .values({
      idHash: hashOf(id),
      accountId: input.accountId,
      csrfToken,
      teacherClaim: input.teacherClaim ? 1 : 0,
      createdAt: now,
      expiresAt,
    })
    .execute();
  return { id, csrfToken, expiresAt };
}

/** The unexpired session a cookie's id names, with its account, or null. */
export async function sessionById(db: Kysely<Tables>, id: string, now: number): Promise<SessionView | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('accounts', 'accounts.id', 'sessions.accountId')
    .select(['sessions.accountId', 'accounts.email', 'accounts.name', 'sessions.teacherClaim'])
    .select(['sessions.csrfToken', 'sessions.expiresAt'])
    .where('sessions.idHash', '=', hashOf(id))
    .where('sessions.expiresAt', '>', now)
    .executeTakeFirst();
  return row ? { ...row, teacherClaim: row.teacherClaim === 1 } : null;
}

/** Ends a session (sign-out); true when there was one. */
export async function deleteSession(db: Kysely<Tables>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('idHash', '=', hashOf(id)).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** What a sign-in under way is checked against when the provider answers. */
export interface SignInFlow {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly returnTo: string;
}

/** Keeps a sign-in under way until `now + ttlMs`; returns the id for the browser's cookie. */
export async function saveSignInFlow(
  db: Kysely<Tables>,
  flow: SignInFlow,
  now: number,
  ttlMs: number,
): Promise<string> {
  const id = newSecret();
  await db
    .insertInto('signInFlows')
    .values({ idHash: hashOf(id), ...flow, expiresAt: now + ttlMs })
    .execute();
  return id;
}

/** Takes (reads and deletes: each is used once) the unexpired sign-in a cookie's id names, or null. */
export async function takeSignInFlow(db: Kysely<Tables>, id: string, now: number): Promise<SignInFlow | null> {
  const row = await db
    .deleteFrom('signInFlows')
    .where('idHash', '=', hashOf(id))
    .returning(['state', 'nonce', 'codeVerifier', 'redirectUri', 'returnTo', 'expiresAt'])
    .executeTakeFirst();
  if (!row || row.expiresAt <= now) return null;
  const { expiresAt: _expiresAt, ...flow } = row;
  return flow;
}

/** Deletes expired sessions and abandoned sign-ins; returns how many rows went. */
export async function deleteExpiredSessions(db: Kysely<Tables>, now: number): Promise<number> {
  const sessions = await db.deleteFrom('sessions').where('expiresAt', '<=', now).executeTakeFirst();
  const flows = await db.deleteFrom('signInFlows').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(sessions.numDeletedRows + flows.numDeletedRows);
}
