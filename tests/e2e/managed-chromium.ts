/**
 * Chromium under a managed policy, as on a school's managed device, for this test's browser only.
 * Chromium on Linux reads policy only from /etc/chromium/policies (no command-line or per-profile
 * way: its --policy switch works only in debug Android builds), so the browser is started in a
 * private mount namespace where /etc/chromium is a folder of the test's own: other browsers on the
 * machine never see the policy, and nothing in /etc changes. Needs root (or CAP_SYS_ADMIN).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { chromiumExecutable } from './browser.ts';

/** Switches that would keep the extension updater (and so a policy install) from running. */
const UPDATER_OFF = ['--disable-extensions', '--disable-background-networking', '--disable-component-update'];

/** Chromium's machine-wide policy folder on Linux (Google Chrome's is /etc/opt/chrome). */
const CHROMIUM_ETC = '/etc/chromium';

/** A browser under `policy`, with its own profile; `close` removes every trace. */
export interface ManagedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with `policy` as its mandatory machine policy (a policies/managed/*.json
 * file); `args` are added to its command line (not ones that stop the extension updater).
 */
export async function launchManagedChromium(
  policy: object,
  options: { args?: readonly string[]; viewport?: { width: number; height: number } } = {},
): Promise<ManagedChromium> {
  const chromiumPath = chromiumExecutable() ?? chromium.executablePath();
  if (!existsSync(CHROMIUM_ETC)) throw new Error(`${CHROMIUM_ETC} is missing: the policy folder is mounted over it`);
  try {
    execFileSync('unshare', ['-m', 'true'], { stdio: 'ignore' });
  } catch {
    throw new Error('a private mount namespace is needed for a per-browser policy: run the browser tests as root');
  }
  const root = mkdtempSync(join(tmpdir(), 'classroom-managed-chromium-'));
  const etc = join(root, 'etc');
  mkdirSync(join(etc, 'policies', 'managed'), { recursive: true });
  // Debian's first-run preferences stay as they were.
  for (const name of ['master_preferences', 'initial_preferences']) {
    if (existsSync(join(CHROMIUM_ETC, name))) copyFileSync(join(CHROMIUM_ETC, name), join(etc, name));
  }
  writeFileSync(join(etc, 'policies', 'managed', 'classroom-screens-test.json'), JSON.stringify(policy, null, 2));
  const launcher = join(root, 'chromium');
  writeFileSync(
    launcher,
    [
      '#!/bin/sh',
      `exec unshare -m sh -c 'mount --bind "$0" ${CHROMIUM_ETC} && exec "$@"' ${JSON.stringify(etc)} ${JSON.stringify(chromiumPath)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(launcher, 0o755);
  const context = await chromium
    .launchPersistentContext(join(root, 'profile'), {
      executablePath: launcher,
      headless: true,
      ...(options.viewport ? { viewport: options.viewport } : {}),
      // Policy installs go through the extension updater, which these defaults of Playwright's turn off.
      ignoreDefaultArgs: UPDATER_OFF,
      args: [
        '--disable-gpu',
        '--disable-sync',
        '--no-first-run',
        ...(options.args ?? []).filter((arg) => !UPDATER_OFF.includes(arg)),
        // CHROMIUM_LOG=<file>: Chromium's verbose log (policy loading, the extension updater's fetches) goes there.
        ...(process.env.CHROMIUM_LOG ? ['--enable-logging', '--v=1', `--log-file=${process.env.CHROMIUM_LOG}`] : []),
      ],
    })
    .catch((error: unknown) => {
      rmSync(root, { recursive: true, force: true });
      throw error;
    });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
