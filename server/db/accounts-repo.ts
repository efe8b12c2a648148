/**
 * Accounts of people who signed in with the school's OpenID provider. The sign-in flow itself is
 * not here (issue #20 builds it on this); this keeps one row per provider subject.
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

/** The account of a signed-in person, made at first sign-in; e-mail (lower case) and name follow the provider. */
export async function accountAtSignIn(db: Kysely<Tables>, claims: SignInClaims, now: number): Promise<Account> {
  const email = claims.email?.trim().toLowerCase() || null;
  return db
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
}
