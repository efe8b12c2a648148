/**
 * The one door to the school's OpenID provider, through openid-client: discovery (once, retried
 * after a failure), the authorization URL (code flow, PKCE S256, state, nonce), the code
 * exchange whose ID token openid-client verifies (signature, issuer, audience, expiry, nonce), and
 * the provider's own sign-out page.
 * Knows nothing of sessions, accounts or HTTP routes.
 */
import * as oidc from 'openid-client';
import type { SignInConfig } from '../config.ts';
import type { IdTokenClaims } from './sign-in-policy.ts';

/** What one sign-in sends and later checks: kept server-side between the redirect and the answer. */
export interface FlowSecrets {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
}

/** Why a sign-in could not be completed; `detail` is for the log, never for the page. */
export class SignInError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'failed' | 'cancelled',
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'SignInError';
  }
}

/** The scopes asked for: the ID token's subject, e-mail address and name. */
const SCOPES = 'openid email profile';

/** The provider as this server's client sees it. */
export class OidcClient {
  #configuration: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly settings: Pick<SignInConfig, 'issuer' | 'clientId' | 'clientSecret'>,
    /** The server's clock: ID token times are checked against it, as every other time on the server. */
    private readonly clock: () => number,
  ) {}

  /** Fresh secrets for one sign-in. */
  static newFlow(redirectUri: string): FlowSecrets {
    return {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      redirectUri,
    };
  }

  /** The provider's sign-in page for `flow`. */
  async authorizationUrl(flow: FlowSecrets): Promise<URL> {
    const configuration = await this.configuration();
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: flow.redirectUri,
      scope: SCOPES,
      state: flow.state,
      nonce: flow.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** Checks the provider's answer (`query`, as it reached the redirect URI) and redeems its code; resolves with the ID token's verified claims. */
  async finish(flow: FlowSecrets, query: URLSearchParams): Promise<IdTokenClaims> {
    const configuration = await this.configuration();
    const answer = new URL(flow.redirectUri);
    answer.search = query.toString();
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, answer, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SignInError('failed', 'the provider sent no ID token');
      return claims as IdTokenClaims;
    } catch (error) {
      if (error instanceof SignInError) throw error;
      // The person cancelled, or the provider refused them (access_denied, consent_required...).
      if (error instanceof oidc.AuthorizationResponseError)
        throw new SignInError('cancelled', `the provider answered ${error.error}`);
      throw new SignInError('failed', describe(error));
    }
  }

  /**
   * The provider's own sign-out page (OpenID Connect RP-Initiated Logout 1.0), sending the browser
   * back to `postLogoutRedirectUri` (which must be registered at the provider), or null when the
   * provider has none (Google) or cannot be reached: signing out of this app never waits on it.
   * No `id_token_hint` (the server keeps no ID token), so the provider may ask to confirm.
   */
  async endSessionUrl(postLogoutRedirectUri: string): Promise<URL | null> {
    const configuration = await this.configuration().catch(() => null);
    if (!configuration?.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(configuration, { post_logout_redirect_uri: postLogoutRedirectUri });
  }

  /** Discovery, once; a failed one is tried again at the next sign-in. */
  private configuration(): Promise<oidc.Configuration> {
    this.#configuration ??= this.discover().catch((error: unknown) => {
      this.#configuration = null;
      throw new SignInError('unavailable', `discovery at ${this.settings.issuer} failed: ${describe(error)}`);
    });
    return this.#configuration;
  }

  private discover(): Promise<oidc.Configuration> {
    const issuer = new URL(this.settings.issuer);
    return oidc.discovery(
      issuer,
      this.settings.clientId,
      {
        // Seconds the server's clock is ahead of the machine's (0 but in tests).
        [oidc.clockSkew]: Math.round((this.clock() - Date.now()) / 1000),
      },
      // client_secret_basic: the method every provider must support (RFC 6749 §2.3.1).
      oidc.ClientSecretBasic(this.settings.clientSecret),
      // config-options.ts allows http only for a provider on this machine.
      { ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}), timeout: 10 },
    );
  }
}

/**
 * An openid-client error as one line for the log: the messages and codes down its cause chain
 * (openid-client wraps oauth4webapi's more precise one) and the claim at fault, never a token or a
 * claim's value.
 */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(typeof code === 'string' ? `${code}: ${current.message}` : current.message);
      current = current.cause;
    } else {
      const claim = (current as { claim?: unknown } | null)?.claim;
      if (typeof claim === 'string') parts.push(`claim ${claim}`);
      break;
    }
  }
  return parts.join(' / ') || String(error);
}
