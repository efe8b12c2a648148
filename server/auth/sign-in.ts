/**
 * Sign-in with the school's accounts as the HTTP layer sees it: starting and finishing a sign-in,
 * signing out, and who is behind a request (with the CSRF rule for changing requests). Composes
 * the provider client, the policy and the sessions table; the routes only call it. With sign-in
 * off (no OIDC_ISSUER) nobody is ever signed in and nothing touches the database.
 */
import type { Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { NAME_MAX_LENGTH, type AuthMeResponse, type LogoutResponse } from '../../src/shared/protocol.ts';
import type { Config, SignInConfig } from '../config.ts';
import { sameSecret } from '../core/secrets.ts';
import { accountAtSignIn, teachesClass } from '../db/accounts-repo.ts';
import { rosterEntryByEmail } from '../db/rosters-repo.ts';
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  saveSignInFlow,
  sessionById,
  takeSignInFlow,
  type SessionView,
} from '../db/sessions-repo.ts';
import type { Tables } from '../db/tables.ts';
import { ApiError } from '../http/errors.ts';
import {
  cookieValue,
  flowCookie,
  flowCookieName,
  noFlowCookie,
  noSessionCookie,
  safeReturnPath,
  sessionCookie,
  sessionCookieName,
} from './cookies.ts';
import { OidcClient, SignInError } from './oidc-client.ts';
import { judgeSignIn, refusalText, teachesNow } from './sign-in-policy.ts';

/** How long a sign-in may take between the redirect to the provider and its answer. */
export const SIGN_IN_FLOW_TTL_MS = 10 * 60_000;
/** The path the provider sends people back to; register `<origin>/api/auth/callback` there. */
export const CALLBACK_PATH = '/api/auth/callback';
/** The header changing requests authorised by the session cookie carry the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** Methods that read only: they need no CSRF token. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The signed-in person behind a request, and whether they teach under the policy as it is now. */
export type Caller = SessionView & { readonly teaches: boolean };

/** A signed-in student as a join sees them: matched to the roster by account, never by a name they chose. */
export interface SignedInStudent {
  readonly accountId: string;
  /** Their school account's name: the one they sit under. */
  readonly name: string;
  /** The class's roster entry with their e-mail address, if any. */
  readonly rosterEntry: { readonly id: string; readonly name: string } | null;
}

/** What sign-in needs from the server. */
export interface SignInDeps {
  db: Kysely<Tables>;
  config: Pick<Config, 'signIn' | 'publicUrl'>;
  clock: () => number;
  log: Logger;
}

/** Sign-in for the routes; `enabled` is false without OIDC_ISSUER. */
export class SignIn {
  readonly enabled: boolean;
  /** Students join only signed in (OIDC_STUDENTS_MUST_SIGN_IN): `student` refuses anyone else. */
  readonly studentsMustSignIn: boolean;
  readonly #settings: SignInConfig | null;
  readonly #client: OidcClient | null;
  /** Each request's caller, looked up once however many routes ask. */
  readonly #callers = new WeakMap<Request, Promise<Caller | null>>();

  constructor(private readonly deps: SignInDeps) {
    this.#settings = deps.config.signIn;
    this.enabled = this.#settings !== null;
    this.studentsMustSignIn = this.#settings?.studentsMustSignIn ?? false;
    this.#client = this.#settings ? new OidcClient(this.#settings, deps.clock) : null;
  }

  /**
   * The signed-in person behind `req`, or null. A changing request (not GET/HEAD/OPTIONS) that the
   * session would authorise must carry the session's CSRF token in X-CSRF-Token, or is refused
   * (403 csrf-token-invalid): the cookie alone never changes anything.
   */
  caller(req: Request): Promise<Caller | null> {
    if (!this.enabled) return Promise.resolve(null);
    let found = this.#callers.get(req);
    if (!found) {
      found = this.#lookUp(req);
      this.#callers.set(req, found);
    }
    return found;
  }

  /** Whether the signed-in caller is one of the class's teachers (by account or by e-mail). */
  async teachesClass(req: Request, classId: string): Promise<boolean> {
    const caller = await this.caller(req);
    return caller !== null && (await teachesClass(this.deps.db, caller, classId));
  }

  /** The name a signed-in caller joins rooms under (their school account's), or null when nobody is signed in. */
  async verifiedName(req: Request): Promise<string | null> {
    return (await this.caller(req))?.name ?? null;
  }

  /**
   * Who a signed-in student joining a lesson of class `classId` (null: a room of no class) is: their
   * account, their verified name, and the class's roster entry whose e-mail is theirs, if one is.
   * Null when nobody is signed in: then the student says who they are (a picked or typed name),
   * unless this school has students join only signed in (401 student-sign-in-required).
   */
  async student(req: Request, classId: string | null): Promise<SignedInStudent | null> {
    const caller = await this.caller(req);
    if (!caller && this.studentsMustSignIn) throw new ApiError('student-sign-in-required');
    if (!caller) return null;
    const entry =
      classId === null || caller.email === null ? null : await rosterEntryByEmail(this.deps.db, classId, caller.email);
    return {
      accountId: caller.accountId,
      // A provider that sends no name: the address is what the teacher knows them by.
      name: (caller.name ?? caller.email ?? 'Student').slice(0, NAME_MAX_LENGTH),
      rosterEntry: entry && { id: entry.id, name: entry.name },
    };
  }

  /** `GET /api/auth/me`. */
  async me(req: Request): Promise<AuthMeResponse> {
    const caller = await this.caller(req);
    if (!caller) return { account: null, csrfToken: null };
    return {
      account: { name: caller.name ?? '', email: caller.email, teaches: caller.teaches },
      csrfToken: caller.csrfToken,
    };
  }

  /** Starts a sign-in: remembers its secrets, sets the flow cookie, and returns the provider's page to send the browser to. */
  async start(req: Request, res: Response, returnTo: unknown): Promise<URL> {
    const { client } = this.#on();
    const path = returnTo === undefined ? '/' : safeReturnPath(returnTo);
    if (path === null)
      throw new ApiError('invalid-request', 'returnTo must be a path on this server, such as /join/AB3D.', 'returnTo');
    const now = this.deps.clock();
    await deleteExpiredSessions(this.deps.db, now);
    const flow = OidcClient.newFlow(`${this.#origin(req)}${CALLBACK_PATH}`);
    const url = await this.#provider(() => client.authorizationUrl(flow));
    const id = await saveSignInFlow(this.deps.db, { ...flow, returnTo: path }, now, SIGN_IN_FLOW_TTL_MS);
    res.append('Set-Cookie', flowCookie(id, SIGN_IN_FLOW_TTL_MS / 1000, req.secure));
    return url;
  }

  /** Finishes a sign-in from the provider's answer: starts a session (cookie set) and returns where the app goes next. */
  async finish(req: Request, res: Response): Promise<string> {
    const { settings, client } = this.#on();
    const now = this.deps.clock();
    const flowId = cookieValue(req.get('cookie'), flowCookieName(req.secure));
    res.append('Set-Cookie', noFlowCookie(req.secure));
    const flow = flowId === undefined ? null : await takeSignInFlow(this.deps.db, flowId, now);
    if (!flow) {
      this.deps.log.info(
        'sign-in answer without a sign-in under way in this browser (expired, used, or not started here)',
      );
      throw new ApiError('sign-in-failed');
    }
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const claims = await this.#provider(() => client.finish(flow, query));
    const judged = judgeSignIn(claims, settings);
    if (!judged.ok) {
      this.deps.log.info({ refusal: judged.refusal }, 'sign-in refused');
      throw new ApiError(
        'sign-in-refused',
        refusalText(judged.refusal, [...settings.allowedDomains, ...settings.teacherDomains]),
      );
    }
    const { identity } = judged;
    const account = await accountAtSignIn(this.deps.db, identity, now);
    // A new sign-in on this browser replaces its old session (a fresh id: no session fixation).
    const previous = cookieValue(req.get('cookie'), sessionCookieName(req.secure));
    if (previous !== undefined) await deleteSession(this.deps.db, previous);
    const ttlMs = settings.sessionHours * 3_600_000;
    const session = await createSession(
      this.deps.db,
      { accountId: account.id, teacherClaim: identity.teacherClaim },
      now,
      ttlMs,
    );
    res.append('Set-Cookie', sessionCookie(session.id, ttlMs / 1000, req.secure));
    this.deps.log.info({ accountId: account.id, teaches: identity.teaches }, 'signed in');
    return flow.returnTo;
  }

  /**
   * Signs out: the session is deleted on the server, and the cookie cleared. Resolves with the
   * provider's sign-out page (coming back to this server's Home), when someone was signed in and
   * the provider has one.
   */
  async signOut(req: Request, res: Response): Promise<LogoutResponse> {
    const caller = await this.caller(req);
    const id = cookieValue(req.get('cookie'), sessionCookieName(req.secure));
    if (caller && id !== undefined) await deleteSession(this.deps.db, id);
    res.append('Set-Cookie', noSessionCookie(req.secure));
    const page = caller && this.#client ? await this.#client.endSessionUrl(`${this.#origin(req)}/`) : null;
    return { providerSignOutUrl: page?.href ?? null };
  }

  async #lookUp(req: Request): Promise<Caller | null> {
    const id = cookieValue(req.get('cookie'), sessionCookieName(req.secure));
    if (id === undefined) return null;
    const session = await sessionById(this.deps.db, id, this.deps.clock());
    if (!session) return null;
    if (!READS.has(req.method) && !sameSecret(req.get(CSRF_HEADER) ?? '', session.csrfToken))
      throw new ApiError('csrf-token-invalid');
    // Teaching is judged again on every request, against the policy as it is now.
    const teaches = this.#settings !== null && teachesNow(session.email, session.teacherClaim, this.#settings);
    return { ...session, teaches };
  }

  /** The configured parts, or 404 sign-in-off. */
  #on(): { settings: SignInConfig; client: OidcClient } {
    if (!this.#settings || !this.#client) throw new ApiError('sign-in-off');
    return { settings: this.#settings, client: this.#client };
  }

  /** The origin the provider sends people back to: PUBLIC_URL, else the request's own. */
  #origin(req: Request): string {
    if (this.deps.config.publicUrl) return this.deps.config.publicUrl;
    const host = req.get('host');
    if (!host) throw new ApiError('invalid-request', 'The request has no Host header; set PUBLIC_URL.', 'host');
    return `${req.protocol}://${host}`;
  }

  /** Runs a call to the provider, its failures as API errors (the detail logged, never shown). */
  async #provider<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      this.deps.log.warn({ reason: error.detail }, 'sign-in with the provider failed');
      throw new ApiError(error.kind === 'unavailable' ? 'sign-in-unavailable' : 'sign-in-failed');
    }
  }
}
