/**
 * A school with sign-in, for the browser tests: a real OpenID provider (oidc-provider on loopback, as
 * the integration tests run it) and a built server of our own that signs in with it, on a free port
 * and a data folder of its own; and a person signing in through the provider's login and consent
 * pages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { freePort } from '../helpers/built-server.ts';
import { startTestProvider, type Person, type TestProvider } from '../helpers/oidc-provider.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

const CLIENT = { client_id: 'classroom', client_secret: 'classroom-secret' };

/** A running school: its provider and our server. */
export interface School {
  provider: TestProvider;
  server: ServerProcess;
  /** Signs in on `page` (from its sign-in link) at the provider as `login`, back on our server. */
  signIn(page: Page, login: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a provider whose people are `people` (login → claims; school.example may sign in,
 * staff.school.example may teach) and a server signing in with it, with `env` besides.
 */
export async function startSchool(people: Record<string, Person>, env: Record<string, string> = {}): Promise<School> {
  const provider = await startTestProvider();
  for (const [login, claims] of Object.entries(people)) provider.people.set(login, claims);
  // This run's own data folder: classes from an earlier run would show in a teacher's list.
  const dataDir = mkdtempSync(join(tmpdir(), 'classroom-e2e-school-'));
  const server = await startServerProcess({
    port: await freePort(),
    built: true,
    env: {
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RELAY_MODE: 'off',
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT.client_id,
      OIDC_CLIENT_SECRET: CLIENT.client_secret,
      OIDC_ALLOWED_DOMAINS: 'school.example',
      OIDC_TEACHER_DOMAINS: 'staff.school.example',
      ...env,
    },
  });
  provider.start([
    {
      ...CLIENT,
      redirect_uris: [`${server.url}/api/auth/callback`],
      post_logout_redirect_uris: [`${server.url}/`],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ]);
  return {
    provider,
    server,
    async signIn(page, login) {
      await page.getByRole('link', { name: 'Sign in with your school account' }).click();
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.getByPlaceholder('Enter any login').fill(login);
      await page.getByPlaceholder('and password').fill('any');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.origin === server.url);
    },
    async stop() {
      server.kill('SIGTERM');
      await server.exited;
      await provider.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
