/**
 * Sign-in with the school's accounts against a real OpenID provider (oidc-provider) on loopback:
 * the code flow with PKCE, the session cookie and its CSRF token, what signing in changes (no
 * passcode for teachers, the verified name for students, a class opened by its teacher's session),
 * sign-out, and the refusals: another school's account, an unverified address, an ID token minted
 * for another app, an expired one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuthMeResponse,
  ClassListResponse,
  ClassResponse,
  ClientConfig,
  CreateClassResponse,
  CreateRoomResponse,
  ErrorBody,
  JoinRoomResponse,
  LogoutResponse,
  TeachersResponse,
} from '../../src/shared/protocol.ts';
import { TestBrowser, type Page } from '../helpers/browser-session.ts';
import { call } from '../helpers/client.ts';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { apiAt, signInAt } from '../helpers/sign-in.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const PASSCODE = 'staffroom-kettle-42';
const CLIENT = { client_id: 'classroom', client_secret: 'classroom-secret' };
const OTHER_APP = { client_id: 'other-app', client_secret: 'other-app-secret', redirect: 'http://127.0.0.1:9/cb' };
const TWO_HOURS_MS = 2 * 3_600_000;

let provider: TestProvider;
let server: TestServer;
/** A server whose clock is two hours ahead of the provider's: every ID token reaches it expired. */
let lateServer: TestServer;
/** A server whose OIDC_TEACHERS lists the head teacher, on a data folder a second server shares. */
let listServer: TestServer;
const listDir = mkdtempSync(join(tmpdir(), 'sign-in-teachers-'));

const signInEnv = (issuer: string, extra: Record<string, string> = {}) => ({
  OIDC_ISSUER: issuer,
  OIDC_CLIENT_ID: CLIENT.client_id,
  OIDC_CLIENT_SECRET: CLIENT.client_secret,
  OIDC_ALLOWED_DOMAINS: 'school.example',
  OIDC_TEACHER_DOMAINS: 'staff.school.example',
  TEACHER_PASSCODE: PASSCODE,
  RELAY_MODE: 'off',
  ...extra,
});

beforeAll(async () => {
  provider = await startTestProvider();
  provider.people.set('ada', { email: 'ada@staff.school.example', email_verified: true, name: 'Ada Lovelace' });
  provider.people.set('sam', { email: 'Sam@School.example', email_verified: true, name: 'Sam Student' });
  provider.people.set('bea', { email: 'bea@staff.school.example', email_verified: true, name: 'Bea Ode' });
  provider.people.set('cy', { email: 'cy@staff.school.example', email_verified: true, name: 'Cy Young' });
  provider.people.set('dee', { email: 'dee@staff.school.example', email_verified: true, name: 'Dee Das' });
  provider.people.set('eve', { email: 'eve@elsewhere.example', email_verified: true, name: 'Eve' });
  provider.people.set('una', { email: 'una@school.example', email_verified: false, name: 'Una' });
  server = await startTestServer(signInEnv(provider.issuer));
  lateServer = await startTestServer(signInEnv(provider.issuer, { TRUST_PROXY: 'true' }), {
    clock: () => Date.now() + TWO_HOURS_MS,
  });
  provider.people.set('head', { email: 'head@school.example', email_verified: true, name: 'Hana Head' });
  listServer = await startTestServer(
    signInEnv(provider.issuer, { DATA_DIR: listDir, OIDC_TEACHERS: 'head@school.example' }),
  );
  const client = (redirect: string) => ({
    ...CLIENT,
    redirect_uris: [redirect],
    response_types: ['code'] as ['code'],
    grant_types: ['authorization_code'],
  });
  provider.start([
    {
      ...client(`${server.url}/api/auth/callback`),
      redirect_uris: [server, lateServer, listServer].map((target) => `${target.url}/api/auth/callback`),
      post_logout_redirect_uris: [`${server.url}/`],
    },
    { ...client(OTHER_APP.redirect), client_id: OTHER_APP.client_id, client_secret: OTHER_APP.client_secret },
  ]);
});

afterAll(async () => {
  await Promise.all([server?.close(), lateServer?.close(), listServer?.close()]);
  rmSync(listDir, { recursive: true, force: true });
  await provider?.close();
});

/** Signs `login` in to `target` in `browser`: the pages on the way and the callback's answer. */
const signIn = (browser: TestBrowser, login: string, target = server, returnTo?: string) =>
  signInAt(target.url, browser, login, returnTo);

/** Sends an API request to the server from `browser` (see `apiAt`). */
const api = <T>(browser: TestBrowser, method: string, path: string, options: { body?: unknown; csrf?: boolean } = {}) =>
  apiAt<T>(server.url, browser, method, path, options);

const me = async (browser: TestBrowser) => (await api<AuthMeResponse>(browser, 'GET', '/api/auth/me')).body;

/** Why sign-ins with the provider failed, as the server logged it. */
const failures = (target: TestServer) =>
  target.logs
    .map((line) => JSON.parse(line) as { msg: string; reason?: string })
    .filter((line) => line.msg === 'sign-in with the provider failed')
    .map((line) => line.reason);

/** The Set-Cookie line of cookie `name` in a page. */
const setCookie = (page: Page, name: string) => page.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));

describe('sign-in with the school account', () => {
  it('signs a student in by the code flow with PKCE: a session cookie, the verified name, nothing secret logged', async () => {
    const browser = new TestBrowser();
    const { pages, callback, code } = await signIn(browser, 'sam');

    const toProvider = new URL(pages[0]!.headers.get('location')!);
    expect(toProvider.origin).toBe(provider.issuer);
    expect(Object.fromEntries(toProvider.searchParams)).toMatchObject({
      client_id: 'classroom',
      response_type: 'code',
      redirect_uri: `${server.url}/api/auth/callback`,
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      state: expect.stringMatching(/^[\w-]{20,}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
    });
    expect(toProvider.searchParams.has('code_verifier')).toBe(false);
    expect(setCookie(pages[0]!, 'classroom-sign-in')).toMatch(/; Path=\/api\/auth; HttpOnly; SameSite=Lax$/);

    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/join/ABCDEF');
    const session = setCookie(callback, 'classroom-session');
    expect(session).toMatch(/^classroom-session=[\w-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(setCookie(callback, 'classroom-sign-in')).toContain('Max-Age=0');

    expect(await me(browser)).toEqual({
      account: { name: 'Sam Student', email: 'sam@school.example', teaches: false },
      csrfToken: expect.stringMatching(/^[\w-]{43}$/),
    });
    const logs = server.logs.join('\n');
    expect(code).not.toBe('');
    expect(logs).not.toContain(code);
    expect(logs).not.toContain(browser.cookie('classroom-session'));
    expect(logs).toContain('"msg":"signed in"');
  });

  it('joins a signed-in student under the verified name, whatever was typed, and refuses the cookie without its CSRF token', async () => {
    const room = await call<CreateRoomResponse>(server.url, 'POST', '/api/rooms', {
      body: { name: 'Biology', hostName: 'Ms Lee', passcode: PASSCODE },
    });
    expect(room.status).toBe(201);
    const browser = new TestBrowser();
    await signIn(browser, 'sam');
    const path = `/api/rooms/${room.body.room.code}/members`;
    const body = { name: 'Somebody Else', role: 'student' };

    const forged = await api<ErrorBody>(browser, 'POST', path, { body, csrf: false });
    expect(forged).toEqual({ status: 403, body: expect.objectContaining({ error: 'csrf-token-invalid' }) });

    const joined = await api<JoinRoomResponse>(browser, 'POST', path, { body });
    expect(joined.status).toBe(201);
    expect(joined.body.member.name).toBe('Sam Student');
    // Someone not signed in still types their name.
    const typed = await call<JoinRoomResponse>(server.url, 'POST', path, { body: { name: 'Kim', role: 'student' } });
    expect(typed.body.member.name).toBe('Kim');
  });

  it('lets a teacher-domain account create a class and a room without the passcode, and open its class without the key', async () => {
    const teacher = new TestBrowser();
    await signIn(teacher, 'ada');
    expect((await me(teacher)).account).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@staff.school.example',
      teaches: true,
    });

    const withoutToken = await api<ErrorBody>(teacher, 'POST', '/api/classes', { body: { name: 'Y9' }, csrf: false });
    expect(withoutToken.status).toBe(403);
    expect(withoutToken.body.error).toBe('csrf-token-invalid');
    const created = await api<CreateClassResponse>(teacher, 'POST', '/api/classes', { body: { name: 'Physics 9' } });
    expect(created.status).toBe(201);
    const room = await api<CreateRoomResponse>(teacher, 'POST', '/api/rooms', {
      body: { name: 'Physics', hostName: 'Ms Lovelace' },
    });
    expect(room.status).toBe(201);
    // Nobody else gets past the passcode, signed-in students included.
    const anonymous = await call<ErrorBody>(server.url, 'POST', '/api/classes', { body: { name: 'Y9' } });
    expect(anonymous.body.error).toBe('passcode-required');
    const student = new TestBrowser();
    await signIn(student, 'sam');
    expect((await api<ErrorBody>(student, 'POST', '/api/classes', { body: { name: 'Y9' } })).body.error).toBe(
      'passcode-required',
    );

    const classPath = `/api/classes/${created.body.class.id}`;
    const page = await api<{ class: { name: string } }>(teacher, 'GET', classPath);
    expect(page).toMatchObject({ status: 200, body: { class: { name: 'Physics 9' } } });
    const renamed = await api<{ class: { name: string } }>(teacher, 'PATCH', classPath, {
      body: { name: 'Physics 9B' },
    });
    expect(renamed).toMatchObject({ status: 200, body: { class: { name: 'Physics 9B' } } });
    expect((await api<ErrorBody>(student, 'GET', classPath)).body.error).toBe('class-key-required');
    // The key still works for those who hold it.
    const byKey = await call(server.url, 'GET', classPath, { token: created.body.teacherKey });
    expect(byKey.status).toBe(200);
  });

  it('judges teaching again on every request: a teacher taken off OIDC_TEACHERS stops teaching before signing in again', async () => {
    const head = new TestBrowser();
    expect((await signIn(head, 'head', listServer)).callback.status).toBe(303);
    const meAt = async (target: TestServer) =>
      (await apiAt<AuthMeResponse>(target.url, head, 'GET', '/api/auth/me')).body.account;
    expect(await meAt(listServer)).toMatchObject({ name: 'Hana Head', teaches: true });
    const made = await apiAt<CreateClassResponse>(listServer.url, head, 'POST', '/api/classes', {
      body: { name: 'Assembly' },
    });
    expect(made.status).toBe(201);

    // The admin takes the address off the list and restarts: the same session, on the same data.
    const restarted = await startTestServer(signInEnv(provider.issuer, { DATA_DIR: listDir }));
    try {
      expect(await meAt(restarted)).toMatchObject({ name: 'Hana Head', teaches: false });
      const refused = await apiAt<ErrorBody>(restarted.url, head, 'POST', '/api/classes', { body: { name: 'Y7' } });
      expect(refused).toMatchObject({ status: 401, body: { error: 'passcode-required' } });
    } finally {
      await restarted.close();
    }
  });

  it('lets a co-teacher added by school e-mail open the class by signing in, until they are removed', async () => {
    const ada = new TestBrowser();
    await signIn(ada, 'ada');
    const bea = new TestBrowser();
    await signIn(bea, 'bea');
    const created = await api<CreateClassResponse>(ada, 'POST', '/api/classes', { body: { name: 'Chemistry 10' } });
    const classPath = `/api/classes/${created.body.class.id}`;
    // A teacher of the school, but not of this class.
    expect((await api<ErrorBody>(bea, 'GET', classPath)).body.error).toBe('class-key-required');

    const bad = await api<ErrorBody>(ada, 'POST', `${classPath}/teachers`, { body: { email: 'bea at school' } });
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid-request', field: 'email' } });
    const added = await api<TeachersResponse>(ada, 'POST', `${classPath}/teachers`, {
      body: { email: ' Bea@Staff.School.example ' },
    });
    expect(added.body.teachers).toEqual([
      { email: 'ada@staff.school.example', signedIn: true },
      { email: 'bea@staff.school.example', signedIn: false },
    ]);
    const page = await api<ClassResponse>(bea, 'GET', classPath);
    expect(page).toMatchObject({ status: 200, body: { class: { name: 'Chemistry 10' } } });

    const removed = await api<TeachersResponse>(ada, 'DELETE', `${classPath}/teachers/bea@staff.school.example`);
    expect(removed.body.teachers.map((t) => t.email)).toEqual(['ada@staff.school.example']);
    expect((await api<ErrorBody>(bea, 'GET', classPath)).body.error).toBe('class-key-required');
    // Ada may step down too: the class's teacher key still opens it.
    const last = await api<TeachersResponse>(ada, 'DELETE', `${classPath}/teachers/ada@staff.school.example`);
    expect(last.body.teachers).toEqual([]);
    expect((await api<ErrorBody>(ada, 'GET', classPath)).body.error).toBe('class-key-required');
    expect((await call(server.url, 'GET', classPath, { token: created.body.teacherKey })).status).toBe(200);
  });

  it("lists a signed-in teacher's classes, made by them or co-taught by e-mail, archived ones last", async () => {
    const signedOut = await call<ErrorBody>(server.url, 'GET', '/api/classes');
    expect(signedOut).toMatchObject({ status: 401, body: { error: 'sign-in-required' } });
    expect(signedOut.body.message).toMatch(/^Sign in with your school account/);

    const cy = new TestBrowser();
    await signIn(cy, 'cy');
    const make = async (name: string) =>
      (await api<CreateClassResponse>(cy, 'POST', '/api/classes', { body: { name } })).body.class.id;
    const algebra = await make('Algebra');
    const zoology = await make('Zoology');
    // Another teacher's class, made with the passcode, adds Cy by e-mail only.
    const other = await call<CreateClassResponse>(server.url, 'POST', '/api/classes', {
      body: { name: 'Music', passcode: PASSCODE },
    });
    const music = other.body.class.id;
    const added = await call(server.url, 'POST', `/api/classes/${music}/teachers`, {
      token: other.body.teacherKey,
      body: { email: 'cy@staff.school.example' },
    });
    expect(added.status).toBe(200);
    expect((await api(cy, 'PATCH', `/api/classes/${algebra}`, { body: { archived: true } })).status).toBe(200);

    const list = await api<ClassListResponse>(cy, 'GET', '/api/classes');
    expect(list.status).toBe(200);
    expect(list.body.classes.map((c) => [c.id, c.name, c.archivedAt === null])).toEqual([
      [music, 'Music', true],
      [zoology, 'Zoology', true],
      [algebra, 'Algebra', false],
    ]);
    // Another teacher of the school sees none of them.
    const dee = new TestBrowser();
    await signIn(dee, 'dee');
    expect((await api<ClassListResponse>(dee, 'GET', '/api/classes')).body).toEqual({ classes: [] });
  });

  it('seats a signed-in student by a class link as their own roster entry under their verified name, whatever name they pick', async () => {
    const teacher = new TestBrowser();
    await signIn(teacher, 'ada');
    const created = await api<CreateClassResponse>(teacher, 'POST', '/api/classes', { body: { name: 'Chemistry' } });
    const classPath = `/api/classes/${created.body.class.id}`;
    const roster = await api<{ roster: { id: string; name: string }[] }>(teacher, 'PUT', `${classPath}/roster`, {
      body: { mode: 'replace', from: 'typed', text: 'Sam S., sam@school.example\nKim Lee, kim@school.example' },
    });
    expect(roster.status).toBe(200);
    expect((await api(teacher, 'POST', `${classPath}/lessons`, { body: { hostName: 'Ms Lovelace' } })).status).toBe(
      201,
    );
    const kim = roster.body.roster.find((entry) => entry.name === 'Kim Lee')!;

    const student = new TestBrowser();
    await signIn(student, 'sam');
    const link = `/api/join/${created.body.class.joinSecret}/members`;
    const joined = await api<JoinRoomResponse>(student, 'POST', link, { body: { rosterEntryId: kim.id } });
    expect(joined.status).toBe(201);
    expect(joined.body.member.name).toBe('Sam Student');
    // Kim's name is still free for Kim.
    const kimJoins = await call<JoinRoomResponse>(server.url, 'POST', link, { body: { rosterEntryId: kim.id } });
    expect(kimJoins.status).toBe(201);
    expect(kimJoins.body.member.name).toBe('Kim Lee');
  });

  it('ends the session on the server at sign-out, so a copy of the cookie opens nothing', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'ada');
    const stolen = browser.cookie('classroom-session')!;

    const refused = await api<ErrorBody>(browser, 'POST', '/api/auth/logout', { csrf: false });
    expect(refused).toEqual({ status: 403, body: expect.objectContaining({ error: 'csrf-token-invalid' }) });
    expect((await me(browser)).account).not.toBeNull();

    const out = await api<LogoutResponse>(browser, 'POST', '/api/auth/logout');
    expect(out.status).toBe(200);
    expect(browser.cookie('classroom-session')).toBeUndefined();
    const replayed = await call<AuthMeResponse>(server.url, 'GET', '/api/auth/me', {
      headers: { cookie: `classroom-session=${stolen}` },
    });
    expect(replayed.body).toEqual({ account: null, csrfToken: null });
    const create = await call<ErrorBody>(server.url, 'POST', '/api/classes', {
      body: { name: 'Y9' },
      headers: { cookie: `classroom-session=${stolen}` },
    });
    expect(create.body.error).toBe('passcode-required');
  });

  it("offers the provider's own sign-out after signing out of the app, which ends the school session in this browser", async () => {
    const browser = new TestBrowser();
    /** How many times a sign-in showed the provider's login form. */
    const loginForms = (pages: Page[]) => pages.filter((page) => page.text.includes('value="login"')).length;
    expect(loginForms((await signIn(browser, 'sam')).pages)).toBe(1);
    const out = await api<LogoutResponse>(browser, 'POST', '/api/auth/logout');
    expect(out.status).toBe(200);
    const discovered = (await (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).json()) as {
      end_session_endpoint: string;
    };
    const page = new URL(out.body.providerSignOutUrl!);
    expect(`${page.origin}${page.pathname}`).toBe(discovered.end_session_endpoint);
    expect(Object.fromEntries(page.searchParams)).toEqual({
      post_logout_redirect_uri: `${server.url}/`,
      client_id: CLIENT.client_id,
    });

    // Signed out of the app only, the school session signs the next person in with no password:
    // what a shared device must not keep.
    expect(loginForms((await signIn(browser, 'sam')).pages)).toBe(0);
    await api(browser, 'POST', '/api/auth/logout');
    // The provider asks to confirm, then sends the browser back to the app's Home.
    const confirm = await browser.fetch(page.href);
    expect(confirm.status).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.text)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1]!;
    const ended = await browser.fetch(new URL(action, page).href, {
      method: 'POST',
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(ended.status).toBe(303);
    expect(ended.headers.get('location')).toBe(`${server.url}/`);
    expect(loginForms((await signIn(browser, 'sam')).pages)).toBe(1);
    // Nobody signed in asks for nothing at the provider.
    const anonymous = await call<LogoutResponse>(server.url, 'POST', '/api/auth/logout');
    expect(anonymous).toEqual({ status: 200, body: { providerSignOutUrl: null } });
  });

  it("refuses another school's account and an unverified address with a page saying why, and signs nobody in", async () => {
    const outsider = new TestBrowser();
    const { callback } = await signIn(outsider, 'eve');
    expect(callback.status).toBe(403);
    expect(callback.headers.get('content-type')).toMatch(/^text\/html/);
    expect(callback.text).toContain('<h1>Sign-in did not work</h1>');
    expect(callback.text).toContain('This app takes school accounts only (school.example, staff.school.example)');
    expect(setCookie(callback, 'classroom-session')).toBeUndefined();
    expect((await me(outsider)).account).toBeNull();

    const unverified = new TestBrowser();
    const refused = await signIn(unverified, 'una');
    expect(refused.callback.status).toBe(403);
    expect(refused.callback.text).toContain('e-mail address is not verified');
    expect((await me(unverified)).account).toBeNull();
  });

  it('refuses an ID token the provider minted for another app (wrong audience), same person, same nonce', async () => {
    const browser = new TestBrowser();
    const isCallback = (url: URL) => url.origin === server.url && url.pathname === '/api/auth/callback';
    const first = await browser.fetch(`${server.url}/api/auth/login`);
    const nonce = new URL(first.headers.get('location')!).searchParams.get('nonce')!;

    // The same person signs in to another app of the school, which gets an ID token for itself.
    const other = new TestBrowser();
    const verifier = 'a-code-verifier-of-the-other-app-that-is-long-enough-43';
    const challenge = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const otherAuth = new URL(`${provider.issuer}/auth`);
    otherAuth.search = new URLSearchParams({
      client_id: OTHER_APP.client_id,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: OTHER_APP.redirect,
      state: 'other-state',
      nonce,
      code_challenge: challenge.toString('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const { stop } = await other.navigate(otherAuth.href, 'sam', (url) => url.href.startsWith(OTHER_APP.redirect));
    const tokens = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${OTHER_APP.client_id}:${OTHER_APP.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: stop.searchParams.get('code')!,
        redirect_uri: OTHER_APP.redirect,
        code_verifier: verifier,
      }),
    });
    const { id_token: foreign } = (await tokens.json()) as { id_token: string };
    const audience = (JSON.parse(Buffer.from(foreign.split('.')[1]!, 'base64url').toString()) as { aud: string }).aud;
    expect(audience).toBe(OTHER_APP.client_id);

    // Our sign-in goes on; the provider's token response now carries the other app's ID token.
    provider.substituteIdToken(foreign);
    const location = first.headers.get('location')!;
    const { stop: callbackUrl } = await browser.navigate(location, 'sam', isCallback);
    const callback = await browser.fetch(callbackUrl.href, { headers: { accept: 'application/json' } });
    expect(callback.status).toBe(400);
    expect(JSON.parse(callback.text)).toMatchObject({ error: 'sign-in-failed' });
    expect(setCookie(callback, 'classroom-session')).toBeUndefined();
    expect(failures(server)).toEqual([expect.stringContaining('unexpected JWT "aud" (audience) claim value')]);
    expect(server.logs.join('\n')).not.toContain(foreign);
  });

  it('refuses an ID token that has expired by the server’s clock', async () => {
    const browser = new TestBrowser();
    const { callback } = await signIn(browser, 'sam', lateServer);
    expect(callback.status).toBe(400);
    expect(callback.text).toContain('The sign-in did not complete');
    expect(setCookie(callback, 'classroom-session')).toBeUndefined();
    expect(failures(lateServer)).toEqual([
      expect.stringContaining('unexpected JWT "exp" (expiration time) claim value, expiration is past'),
    ]);
  });

  it('sets Secure cookies with a host-bound name over HTTPS (behind a proxy), and refuses a return path off this server', async () => {
    const browser = new TestBrowser();
    const https = { 'x-forwarded-proto': 'https' };
    const start = await browser.fetch(`${lateServer.url}/api/auth/login`, { headers: https });
    expect(start.status).toBe(303);
    expect(setCookie(start, '__Secure-classroom-sign-in')).toMatch(
      /; Path=\/api\/auth; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(new URL(start.headers.get('location')!).searchParams.get('redirect_uri')).toBe(
      `${lateServer.url.replace('http:', 'https:')}/api/auth/callback`,
    );
    for (const returnTo of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'join']) {
      const page = await browser.fetch(`${server.url}/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`, {
        headers: { accept: 'application/json' },
      });
      expect(page.status, returnTo).toBe(400);
      expect(JSON.parse(page.text), returnTo).toMatchObject({ error: 'invalid-request', field: 'returnTo' });
    }
  });

  it('answers a callback without a sign-in under way in this browser (replayed, or started elsewhere) with sign-in-failed', async () => {
    const browser = new TestBrowser();
    const { callback } = await signIn(browser, 'sam');
    expect(callback.status).toBe(303);
    const replay = await new TestBrowser().fetch(
      `${server.url}/api/auth/callback?code=stolen&state=whatever&iss=${encodeURIComponent(provider.issuer)}`,
    );
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('The sign-in did not complete');
  });
});

describe('without OIDC_ISSUER', () => {
  it('says sign-in is off and works as before', async () => {
    const plain = await startTestServer();
    try {
      expect((await call<ClientConfig>(plain.url, 'GET', '/api/config')).body.signIn).toBe(false);
      expect((await call<ClientConfig>(server.url, 'GET', '/api/config')).body.signIn).toBe(true);
      expect((await call<ErrorBody>(plain.url, 'GET', '/api/auth/login')).body.error).toBe('sign-in-off');
      expect((await call<AuthMeResponse>(plain.url, 'GET', '/api/auth/me')).body).toEqual({
        account: null,
        csrfToken: null,
      });
      expect((await call(plain.url, 'POST', '/api/classes', { body: { name: 'Y9' } })).status).toBe(201);
    } finally {
      await plain.close();
    }
  });
});
