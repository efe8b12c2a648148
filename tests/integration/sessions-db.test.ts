/**
 * Sign-in's tables (step 0003), the same against SQLite (a temporary DATA_DIR) and a real
 * PostgreSQL on loopback: sessions kept by hash and expiring, sign-ins under way taken once, and
 * accounts that claim the class teacher places named by their address.
 */
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../server/core/secrets.ts';
import { accountAtSignIn, teachesClass } from '../../server/db/accounts-repo.ts';
import { createClass, listTeachers } from '../../server/db/classes-repo.ts';
import type { ClassesDatabase } from '../../server/db/open-database.ts';
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  saveSignInFlow,
  sessionById,
  takeSignInFlow,
} from '../../server/db/sessions-repo.ts';
import { bothDatabases } from '../helpers/both-databases.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 8, 7, 8, 0);
const ISSUER = 'https://idp.school.example';

const databases = bothDatabases('sessions');

describe.each(['sqlite', 'postgres'] as const)('sign-in tables on %s', (kind) => {
  const fresh = async (): Promise<ClassesDatabase> => databases.open(await databases.config(kind));
  const person = (subject: string, email: string | null, name = 'Ada Lovelace') => ({
    issuer: ISSUER,
    subject,
    email,
    name,
  });

  it('keeps a session under the hash of its id until it expires or is deleted', async () => {
    const { db } = await fresh();
    const account = await accountAtSignIn(db, person('ada', 'Ada@Staff.School.example'), T0);
    const session = await createSession(db, { accountId: account.id, teacherClaim: true }, T0, 12 * HOUR);
    expect(session.id).toMatch(/^[\w-]{43}$/);
    expect(session.csrfToken).not.toBe(session.id);

    const stored = await db.selectFrom('sessions').selectAll().execute();
    expect(stored).toEqual([expect.objectContaining({ idHash: hashToken(session.id), teacherClaim: 1 })]);
    expect(JSON.stringify(stored)).not.toContain(session.id);

    expect(await sessionById(db, session.id, T0 + HOUR)).toEqual({
      accountId: account.id,
      email: 'ada@staff.school.example',
      name: 'Ada Lovelace',
      teacherClaim: true,
      csrfToken: session.csrfToken,
      expiresAt: T0 + 12 * HOUR,
    });
    expect(await sessionById(db, `${session.id}x`, T0 + HOUR)).toBeNull();
    expect(await sessionById(db, session.id, T0 + 12 * HOUR)).toBeNull();
    expect(await deleteExpiredSessions(db, T0 + 12 * HOUR)).toBe(1);

    const second = await createSession(db, { accountId: account.id, teacherClaim: false }, T0, HOUR);
    expect(await deleteSession(db, second.id)).toBe(true);
    expect(await sessionById(db, second.id, T0)).toBeNull();
    expect(await deleteSession(db, second.id)).toBe(false);
  });

  it('gives a sign-in under way back once, and not after it expired', async () => {
    const { db } = await fresh();
    const flow = {
      state: 's',
      nonce: 'n',
      codeVerifier: 'v',
      redirectUri: 'https://screens.school.example/api/auth/callback',
      returnTo: '/join/AB3D',
    };
    const id = await saveSignInFlow(db, flow, T0, 600_000);
    expect(await takeSignInFlow(db, id, T0 + 1000)).toEqual(flow);
    expect(await takeSignInFlow(db, id, T0 + 1000)).toBeNull();
    const late = await saveSignInFlow(db, flow, T0, 600_000);
    expect(await takeSignInFlow(db, late, T0 + 600_000)).toBeNull();
  });

  it('makes an account per subject; its address claims class teacher places and moves from an older account', async () => {
    const { db } = await fresh();
    const byAddress = await createClass(db, { name: 'Y9', teachers: [{ email: 'ada@staff.school.example' }] }, T0);
    const first = await accountAtSignIn(db, person('old-subject', 'ada@staff.school.example'), T0);
    const both = await createClass(
      db,
      { name: 'Y10', teachers: [{ accountId: first.id }, { email: 'grace@staff.school.example' }] },
      T0,
    );
    expect(await teachesClass(db, { accountId: first.id, email: first.email }, byAddress.id)).toBe(true);

    // The provider now gives the address to a new subject (the account was made again).
    const again = await accountAtSignIn(db, person('new-subject', 'ADA@staff.school.example', 'Ada L.'), T0 + HOUR);
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ email: 'ada@staff.school.example', name: 'Ada L.', oidcSubject: 'new-subject' });
    const old = await db.selectFrom('accounts').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(old.email).toBeNull();

    // Grace is named by address on Y10; signing in links the place to her account.
    const grace = await accountAtSignIn(db, person('grace', 'grace@staff.school.example', 'Grace'), T0);
    const teachers = await listTeachers(db, both.id);
    expect(teachers).toHaveLength(2);
    expect(teachers).toEqual(
      expect.arrayContaining([
        { accountId: first.id, email: null },
        { accountId: grace.id, email: 'grace@staff.school.example' },
      ]),
    );
    expect(await teachesClass(db, { accountId: grace.id, email: grace.email }, both.id)).toBe(true);
    expect(await teachesClass(db, { accountId: grace.id, email: grace.email }, byAddress.id)).toBe(false);
    // A class naming her both ways keeps one place, her account's.
    const twice = await createClass(
      db,
      { name: 'Y11', teachers: [{ accountId: grace.id }, { email: 'grace@staff.school.example' }] },
      T0,
    );
    // The same subject signing in again updates, never duplicates.
    const renamed = await accountAtSignIn(db, person('grace', 'grace@staff.school.example', 'Grace Hopper'), T0);
    expect(renamed.id).toBe(grace.id);
    expect(renamed.name).toBe('Grace Hopper');
    expect(await listTeachers(db, twice.id)).toEqual([{ accountId: grace.id, email: null }]);
  });
});
