/**
 * Accounts of people who signed in with the school's OpenID provider: one row per provider
 * subject. Signing in also claims the class teacher places kept for the account's e-mail address.
 */
import type { Kysely } from 'kysely';
import { newId } from './ids.ts';
import type { Account, Tables } from './tables.ts';

/** What the provider says about a person at sign-in. */
export interface SignInClaims {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string | null;
  readonly name: string | null;
}

/**
 * The account of a signed-in person, made at first sign-in; e-mail (lower case) and name follow the
 * provider. In one transaction: an address the provider now gives this subject is taken from any
 * other account (the provider is the authority on who holds it), and the classes that named the
 * address as a teacher become the account's.
 */
export async function accountAtSignIn(db: Kysely<Tables>, claims: SignInClaims, now: number): Promise<Account> {
  const email = claims.email?.trim().toLowerCase() || null;
  return db.transaction().execute(async (trx) => {
    if (email !== null)
      await trx
        .updateTable('accounts')
        .set({ email: null })
        .where('email', '=', email)
        .where((eb) =>
          eb.or([
            eb('oidcIssuer', 'is', null),
            eb('oidcIssuer', '!=', claims.issuer),
            eb('oidcSubject', '!=', claims.subject),
          ]),
        )
        .execute();
    const account = await trx
      .insertInto('accounts')
      .values({
        id: newId(),
        oidcIssuer: claims.issuer,
        oidcSubject: claims.subject,
        email,
        name: claims.name,
        createdAt: now,
      })
      .onConflict((oc) => oc.columns(['oidcIssuer', 'oidcSubject']).doUpdateSet({ email, name: claims.name }))
      .returningAll()
      .executeTakeFirstOrThrow();
    if (email !== null) {
      // A class that lists both the address and the account keeps the account's place only.
      await trx
        .deleteFrom('classTeachers')
        .where('email', '=', email)
        .where('accountId', 'is', null)
        .where('classId', 'in', (sub) =>
          sub.selectFrom('classTeachers').select('classId').where('accountId', '=', account.id),
        )
        .execute();
      await trx
        .updateTable('classTeachers')
        .set({ accountId: account.id })
        .where('email', '=', email)
        .where('accountId', 'is', null)
        .execute();
    }
    return account;
  });
}

/**
 * Whether a signed-in account is one of a class's teachers: by account, or by its e-mail address
 * (a teacher added by address after the account last signed in).
 */
export async function teachesClass(
  db: Kysely<Tables>,
  account: { readonly accountId: string; readonly email: string | null },
  classId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('classTeachers')
    .select('id')
    .where('classId', '=', classId)
    .where((eb) =>
      eb.or([
        eb('accountId', '=', account.accountId),
        ...(account.email === null ? [] : [eb('email', '=', account.email)]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}
