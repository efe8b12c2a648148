/**
 * Who may sign in and who may teach, from the claims of an ID token openid-client has already
 * verified (signature, issuer, audience, expiry, nonce). Pure: no I/O, no clock.
 */
import { NAME_MAX_LENGTH } from '../../src/shared/protocol.ts';
import type { SignInConfig } from '../config.ts';
import { INVISIBLE, LONE_SURROGATE } from '../http/schemas.ts';

/** Google's issuer: its accounts carry `hd` (the Workspace domain), and a personal account may use any address. */
export const GOOGLE_ISSUER = 'https://accounts.google.com';

/** The verified claims of an ID token, as openid-client returns them. */
export interface IdTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly [claim: string]: unknown;
}

/** A person the school's provider vouched for and this server lets in. */
export interface Identity {
  readonly issuer: string;
  readonly subject: string;
  /** Lower case. */
  readonly email: string;
  /** Fit to show: visible characters, at most NAME_MAX_LENGTH. */
  readonly name: string;
  /** Whether they may create rooms and classes without the teacher passcode. */
  readonly teaches: boolean;
  /** Whether the ID token's OIDC_TEACHER_CLAIM held: the part of `teaches` only a sign-in can tell. */
  readonly teacherClaim: boolean;
}

/** Why an account was not let in; each is said to the person in `refusalText`. */
export type Refusal =
  /** The token carries no e-mail address (Entra: add the optional `email` claim). */
  | 'no-email'
  /** The provider says the address is not verified. */
  | 'email-unverified'
  /** The address's domain is not one of the school's. */
  | 'domain-not-allowed'
  /** Google: a personal account, or one of another Workspace (`hd` missing or not the school's). */
  | 'not-school-workspace';

/** The rules a sign-in is judged by. */
export type SignInPolicy = Pick<SignInConfig, 'allowedDomains' | 'teacherDomains' | 'teachers' | 'teacherClaim'>;

/** The identity to let in, or why not. */
export function judgeSignIn(
  claims: IdTokenClaims,
  policy: SignInPolicy,
): { readonly ok: true; readonly identity: Identity } | { readonly ok: false; readonly refusal: Refusal } {
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return { ok: false, refusal: 'no-email' };
  // Only a provider that says so is believed to have not verified it (Entra sends no email_verified).
  if (claims.email_verified === false || claims.email_verified === 'false')
    return { ok: false, refusal: 'email-unverified' };
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const schoolDomains = new Set([...policy.allowedDomains, ...policy.teacherDomains]);
  if (!schoolDomains.has(domain)) return { ok: false, refusal: 'domain-not-allowed' };
  const hd = typeof claims.hd === 'string' ? claims.hd.toLowerCase() : undefined;
  if ((claims.iss === GOOGLE_ISSUER || hd !== undefined) && (hd === undefined || !schoolDomains.has(hd)))
    return { ok: false, refusal: 'not-school-workspace' };
  const teacherClaim =
    policy.teacherClaim !== null && claimHolds(claims[policy.teacherClaim.claim], policy.teacherClaim.value);
  const teaches = teachesNow(email, teacherClaim, policy);
  const name = displayName(claims, email);
  return { ok: true, identity: { issuer: claims.iss, subject: claims.sub, email, name, teaches, teacherClaim } };
}

/**
 * Whether an account teaches under the policy as it is now: by its address (OIDC_TEACHER_DOMAINS,
 * OIDC_TEACHERS), or by the claim its ID token held at sign-in while OIDC_TEACHER_CLAIM is set.
 * Judged at sign-in and again on every request, so taking an address off those lists (and
 * restarting) stops its sessions teaching at once, not at their next sign-in.
 */
export function teachesNow(
  email: string | null,
  teacherClaim: boolean,
  policy: Pick<SignInPolicy, 'teacherDomains' | 'teachers' | 'teacherClaim'>,
): boolean {
  const address = email?.toLowerCase() ?? '';
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return (
    (address !== '' && (policy.teacherDomains.includes(domain) || policy.teachers.includes(address))) ||
    (policy.teacherClaim !== null && teacherClaim)
  );
}

/** Whether a claim is `value` or a list holding it. */
function claimHolds(claim: unknown, value: string): boolean {
  return Array.isArray(claim) ? claim.includes(value) : claim === value;
}

/** The name people see: `name`, else given and family names, else the address's local part; cleaned and cut to fit. */
export function displayName(claims: Readonly<Record<string, unknown>>, email: string): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const candidates = [
    text(claims.name),
    `${text(claims.given_name)} ${text(claims.family_name)}`,
    email.split('@')[0]!,
  ];
  for (const candidate of candidates) {
    const clean = candidate
      .replace(new RegExp(LONE_SURROGATE.source, 'g'), '')
      .replace(new RegExp(INVISIBLE.source, 'gu'), '')
      .replace(/\s+/g, ' ')
      .trim();
    if (clean) return [...clean].slice(0, NAME_MAX_LENGTH).join('').trim();
  }
  return 'Signed-in user';
}

/** What a refused person reads: why, and what to do next. */
export function refusalText(refusal: Refusal, allowedDomains: readonly string[]): string {
  const domains = allowedDomains.join(', ');
  switch (refusal) {
    case 'no-email':
      return 'Your school account did not tell this app your e-mail address, so it cannot tell which school you are from; ask your admin to add the e-mail claim for this app.';
    case 'email-unverified':
      return 'Your account’s e-mail address is not verified; sign in with your school account instead.';
    case 'domain-not-allowed':
      return `This app takes school accounts only (${domains}); sign in with your school account, or join with the room code and your name.`;
    case 'not-school-workspace':
      return `That is not an account of your school’s Google Workspace (${domains}); sign in with your school account.`;
  }
}
