/** Who may sign in and teach (pure), the sign-in cookies, and the safe return path. */
import { describe, expect, it } from 'vitest';
import { flowCookie, noSessionCookie, safeReturnPath, sessionCookie } from '../../server/auth/cookies.ts';
import {
  displayName,
  GOOGLE_ISSUER,
  judgeSignIn,
  teachesNow,
  type SignInPolicy,
} from '../../server/auth/sign-in-policy.ts';

const policy: SignInPolicy = {
  allowedDomains: ['school.example'],
  teacherDomains: ['staff.school.example'],
  teachers: ['head@school.example'],
  teacherClaim: { claim: 'roles', value: 'Teacher' },
};
const claims = (extra: Record<string, unknown>) => ({ iss: 'https://idp.school.example', sub: 'x1', ...extra });
const judged = (extra: Record<string, unknown>, rules = policy) => {
  const result = judgeSignIn(claims(extra), rules);
  return result.ok ? { teaches: result.identity.teaches, email: result.identity.email } : result.refusal;
};

describe('judgeSignIn', () => {
  it('lets in school addresses, lower-cased, and says who teaches: by domain, by address, by claim', () => {
    expect(judged({ email: 'Sam@School.example' })).toEqual({ teaches: false, email: 'sam@school.example' });
    expect(judged({ email: 'ada@staff.school.example' })).toEqual({ teaches: true, email: 'ada@staff.school.example' });
    expect(judged({ email: 'head@school.example' })).toMatchObject({ teaches: true });
    expect(judged({ email: 'kim@school.example', roles: ['Student', 'Teacher'] })).toMatchObject({ teaches: true });
    expect(judged({ email: 'kim@school.example', roles: 'Teacher' })).toMatchObject({ teaches: true });
    expect(judged({ email: 'kim@school.example', roles: ['Teachers'] })).toMatchObject({ teaches: false });
  });

  it('keeps apart what only the ID token can tell (the claim) from what the address tells, judged again on each request', () => {
    const byClaim = judgeSignIn(
      { iss: 'https://idp.example', sub: 'k', email: 'kim@school.example', roles: 'Teacher' },
      policy,
    );
    expect(byClaim).toMatchObject({ ok: true, identity: { teaches: true, teacherClaim: true } });
    const byDomain = judgeSignIn({ iss: 'https://idp.example', sub: 'a', email: 'ada@staff.school.example' }, policy);
    expect(byDomain).toMatchObject({ ok: true, identity: { teaches: true, teacherClaim: false } });
    // Later, the admin's lists change: the address is judged against them as they are now.
    expect(teachesNow('ada@staff.school.example', false, policy)).toBe(true);
    expect(teachesNow('ada@staff.school.example', false, { ...policy, teacherDomains: [] })).toBe(false);
    expect(teachesNow('head@school.example', false, { ...policy, teachers: [] })).toBe(false);
    expect(teachesNow('Head@School.example', false, policy)).toBe(true);
    // The claim counts only while a claim marks teachers.
    expect(teachesNow('kim@school.example', true, policy)).toBe(true);
    expect(teachesNow('kim@school.example', true, { ...policy, teacherClaim: null })).toBe(false);
    expect(teachesNow(null, false, policy)).toBe(false);
  });

  it('refuses other domains (subdomains too), unverified and missing addresses', () => {
    expect(judged({ email: 'eve@elsewhere.example' })).toBe('domain-not-allowed');
    expect(judged({ email: 'eve@evil.school.example' })).toBe('domain-not-allowed');
    expect(judged({ email: 'eve@school.example.evil' })).toBe('domain-not-allowed');
    expect(judged({ email: 'una@school.example', email_verified: false })).toBe('email-unverified');
    expect(judged({ email: 'una@school.example', email_verified: 'false' })).toBe('email-unverified');
    // Entra sends no email_verified: the address is taken as the tenant gives it.
    expect(judged({ email: 'una@school.example' })).toMatchObject({ teaches: false });
    expect(judged({})).toBe('no-email');
    expect(judged({ email: 'not-an-address' })).toBe('no-email');
  });

  it("with Google, needs the school's Workspace (hd), since a personal account may use any address", () => {
    const google = (extra: Record<string, unknown>) => {
      const result = judgeSignIn({ iss: GOOGLE_ISSUER, sub: 'g1', email_verified: true, ...extra }, policy);
      return result.ok ? 'ok' : result.refusal;
    };
    expect(google({ email: 'sam@school.example', hd: 'school.example' })).toBe('ok');
    expect(google({ email: 'sam@school.example' })).toBe('not-school-workspace');
    expect(google({ email: 'sam@school.example', hd: 'other.example' })).toBe('not-school-workspace');
    expect(judged({ email: 'sam@school.example', hd: 'other.example' })).toBe('not-school-workspace');
  });

  it('shows a clean name that fits, falling back to given and family names, then the address', () => {
    expect(displayName({ name: '  Ada\u200b  Lovelace\u202e ' }, 'a@s.example')).toBe('Ada Lovelace');
    expect(displayName({ given_name: 'Grace', family_name: 'Hopper' }, 'g@s.example')).toBe('Grace Hopper');
    expect(displayName({ name: '\u200b' }, 'kim.lee@s.example')).toBe('kim.lee');
    expect([...displayName({ name: 'x'.repeat(100) }, 'a@s.example')]).toHaveLength(40);
  });
});

describe('sign-in cookies', () => {
  it('are HttpOnly and SameSite=Lax, Secure with a host-bound name over HTTPS, and scoped', () => {
    expect(sessionCookie('abc', 60, false)).toBe('classroom-session=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax');
    expect(sessionCookie('abc', 60, true)).toBe(
      '__Host-classroom-session=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Lax; Secure',
    );
    expect(noSessionCookie(true)).toMatch(/^__Host-classroom-session=; Max-Age=0;/);
    expect(flowCookie('f', 600, true)).toBe(
      '__Secure-classroom-sign-in=f; Max-Age=600; Path=/api/auth; HttpOnly; SameSite=Lax; Secure',
    );
  });

  it('return only to paths on this server', () => {
    expect(safeReturnPath('/join/AB3D?x=1#y')).toBe('/join/AB3D?x=1#y');
    expect(safeReturnPath('/')).toBe('/');
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example/',
      'join',
      '/a\nb',
      '',
      42,
      undefined,
    ])
      expect(safeReturnPath(bad), String(bad)).toBeNull();
    expect(safeReturnPath(`/${'a'.repeat(600)}`)).toBeNull();
  });
});
