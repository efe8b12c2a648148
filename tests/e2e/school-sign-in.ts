/**
 * The school's OpenID provider in the browser tests: a real oidc-provider on loopback (as the
 * integration tests run it), with one client for the server at hand, and a person signing in
 * through its own login and consent pages.
 */
import type { Page } from '@playwright/test';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';

export const CLIENT = { client_id: 'classroom', client_secret: 'classroom-secret' };

/** The server environment that turns sign-in on against `provider`, for the school.example domains. */
export function signInEnv(provider: TestProvider): Record<string, string> {
  return {
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT.client_id,
    OIDC_CLIENT_SECRET: CLIENT.client_secret,
    OIDC_ALLOWED_DOMAINS: 'school.example',
    OIDC_TEACHER_DOMAINS: 'staff.school.example',
  };
}

/** A provider whose people are `people` (login → claims); call `admit(serverUrl)` once the server runs. */
export async function schoolProvider(people: Record<string, Record<string, unknown>>) {
  const provider = await startTestProvider();
  for (const [login, claims] of Object.entries(people)) provider.people.set(login, claims);
  return {
    provider,
    /** Registers the app at `serverUrl` as the provider's one client. */
    admit: (serverUrl: string) =>
      provider.start([
        {
          ...CLIENT,
          redirect_uris: [`${serverUrl}/api/auth/callback`],
          post_logout_redirect_uris: [`${serverUrl}/`],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ]),
  };
}

/** Follows the page's sign-in link through the provider's login and consent pages as `login`, back to `serverUrl`. */
export async function signInAtProvider(page: Page, provider: TestProvider, serverUrl: string, login: string) {
  await page.getByRole('link', { name: 'Sign in with your school account' }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.getByPlaceholder('Enter any login').fill(login);
  await page.getByPlaceholder('and password').fill('any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.origin === serverUrl);
}
