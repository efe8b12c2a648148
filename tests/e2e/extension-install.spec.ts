/**
 * The companion extension installed the way a school installs it: a managed policy naming this
 * server's update.xml in ExtensionInstallForcelist and the server's address in the extension's
 * managed storage (3rdparty), in real Chromium. Chromium fetches update.xml and the signed CRX from
 * the test server on 127.0.0.1, checks the signature, installs it as an admin's extension, and its
 * service worker starts with the id the server announced and reads the address the policy gave it.
 */
import { expect, test, type Worker } from '@playwright/test';
import type { ExtensionInfo, HealthResponse } from '../../src/shared/protocol.ts';
import { launchManagedChromium, type ManagedChromium } from './managed-chromium.ts';

let browser: ManagedChromium | undefined;

test.afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

test('a policy force-installs the signed extension from this server, and gives it the server’s address', async ({
  request,
  baseURL,
}) => {
  const info = (await (await request.get('/extension/')).json()) as ExtensionInfo;
  const { version } = (await (await request.get('/api/health')).json()) as HealthResponse;
  expect(info.forcelistEntry).toBe(`${info.id};${baseURL}/extension/update.xml`);

  browser = await launchManagedChromium({
    ExtensionInstallForcelist: [info.forcelistEntry],
    '3rdparty': { extensions: { [info.id]: { serverUrl: baseURL } } },
    // For the test only: by default Chromium keeps DevTools (and so Playwright) out of extensions
    // installed by policy, and the test reads the extension from inside its service worker.
    DeveloperToolsAvailability: 1,
  });
  const { context } = browser;
  const isOurs = (worker: Worker) => worker.url() === `chrome-extension://${info.id}/background.js`;
  const worker =
    context.serviceWorkers().find(isOurs) ?? (await context.waitForEvent('serviceworker', { predicate: isOurs }));
  const installed = await worker.evaluate(async () => ({
    id: chrome.runtime.id,
    self: await chrome.management.getSelf(),
    manifest: chrome.runtime.getManifest(),
  }));
  expect(installed.id).toBe(info.id);
  // Installed by policy, from this server, with the app's version: not loaded unpacked.
  expect(installed.self.installType).toBe('admin');
  expect(installed.self.mayDisable).toBe(false);
  expect(installed.manifest.version).toBe(version);
  expect(installed.manifest.update_url).toBe(info.updateUrl);
  expect(installed.manifest.externally_connectable).toEqual({ matches: [`${baseURL}/*`] });
  // The extension's own policy arrives once Chromium has read the schema of the extension it just
  // installed, a moment after the worker first started (which restarts on storage.onChanged).
  await expect
    .poll(() => worker.evaluate(() => chrome.storage.managed.get('serverUrl')))
    .toEqual({ serverUrl: baseURL });
});
