/**
 * A real OpenID provider for the sign-in tests: oidc-provider (a certified implementation) in this
 * process, on loopback and a free port, with its development login and consent pages, people from
 * a directory the test writes, PKCE required of every client, and the profile claims in the ID
 * token as Google and Entra put them there. `substituteIdToken` swaps the ID token of the next
 * token response, to play a token minted for another app.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata } from 'oidc-provider';

/** One person at the provider, by login; every field but `sub` becomes a claim. */
export type Person = Readonly<Record<string, unknown>>;

/** A running provider. */
export interface TestProvider {
  readonly issuer: string;
  /** The directory: login → claims. */
  readonly people: Map<string, Person>;
  /** Registers the clients (once the app server's redirect URI is known) and starts answering. */
  start(clients: ClientMetadata[]): void;
  /** The next token response carries `idToken` in place of its own. */
  substituteIdToken(idToken: string): void;
  close(): Promise<void>;
}

/** Starts the HTTP side at once (so the issuer URL is known); `start` brings up the provider. */
export async function startTestProvider(): Promise<TestProvider> {
  let provider: Provider | null = null;
  let substitute: string | null = null;
  const people = new Map<string, Person>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!provider) {
      res.writeHead(503).end();
      return;
    }
    if (substitute !== null && req.method === 'POST' && req.url?.startsWith('/token')) {
      swapIdToken(res, substitute);
      substitute = null;
    }
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    people,
    start(clients) {
      provider = new Provider(issuer, {
        clients,
        async findAccount(_ctx, id) {
          const person = people.get(id);
          return person ? { accountId: id, claims: () => ({ sub: id, ...person }) } : undefined;
        },
        claims: {
          openid: ['sub', 'hd', 'roles'],
          email: ['email', 'email_verified'],
          profile: ['name', 'given_name', 'family_name'],
        },
        // Google and Entra put the profile claims in the ID token of a code flow too.
        conformIdTokenClaims: false,
        pkce: { required: () => true },
        cookies: { keys: ['test-provider-cookie-key'] },
        features: { devInteractions: { enabled: true } },
      });
      // The provider's own warnings about development settings are expected here.
      provider.on('server_error', (_ctx, error) => console.error('test provider error', error));
    },
    substituteIdToken(idToken) {
      substitute = idToken;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Rewrites the JSON token response on its way out: its id_token becomes `idToken`. */
function swapIdToken(res: ServerResponse, idToken: string): void {
  const end = res.end.bind(res) as (body?: unknown) => ServerResponse;
  res.end = ((body?: unknown) => {
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) return end(body);
    const json = JSON.parse(String(body)) as Record<string, unknown>;
    const swapped = JSON.stringify({ ...json, id_token: idToken });
    res.setHeader('content-length', Buffer.byteLength(swapped));
    return end(swapped);
  }) as typeof res.end;
}
