/**
 * Firefox in the end-to-end tests: Debian's firefox-esr driven over WebDriver BiDi (puppeteer-core;
 * Playwright drives only its own Firefox build, which cannot be downloaded here). Firefox quirks the
 * tests work around are stated where they are.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';

/** Path of the Firefox to drive: FIREFOX_PATH, else Debian's firefox-esr. */
export function firefoxExecutable(): string {
  const path = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
  if (!existsSync(path)) throw new Error(`No Firefox at ${path}: apt-get install firefox-esr, or set FIREFOX_PATH`);
  return path;
}

/** Starts Firefox; `display` gives it a window on that X display (headless Firefox cannot capture a screen). */
export async function launchFirefox(display?: string): Promise<Browser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxExecutable(),
    headless: display === undefined,
    env: display ? { ...process.env, DISPLAY: display } : process.env,
    extraPrefsFirefox: {
      // Host candidates as addresses, as Chromium's --disable-features=WebRtcHideLocalIpsWithMdns
      // does: nothing on this test machine answers mDNS.
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      // No permission prompt or screen picker: there is nobody to click them.
      'media.navigator.permission.disabled': true,
      'media.navigator.streams.fake': true,
    },
  });
}

/**
 * Gives the test namespace a default route when it has none. Firefox without a camera or screen
 * grant (a watching teacher) offers ICE candidates only for the default route's interface, so in
 * a namespace holding just loopback it gathers nothing. Only inside the namespace that
 * scripts/loopback-only.sh made (LOOPBACK_ONLY=1): the interface and route vanish with it. Returns
 * a function that takes them away again.
 */
export function ensureDefaultRoute(): () => void {
  if (process.env.LOOPBACK_ONLY !== '1') return () => undefined;
  if (execFileSync('ip', ['route', 'show', 'default'], { encoding: 'utf8' }).trim() !== '') return () => undefined;
  const ip = (...args: string[]) => execFileSync('ip', args);
  ip('link', 'add', 'ffdef0', 'type', 'veth', 'peer', 'name', 'ffdef1');
  ip('addr', 'add', '198.51.100.7/24', 'dev', 'ffdef0');
  ip('link', 'set', 'ffdef0', 'up');
  ip('link', 'set', 'ffdef1', 'up');
  ip('route', 'add', 'default', 'via', '198.51.100.1', 'dev', 'ffdef0');
  return () => ip('link', 'del', 'ffdef0');
}

/** An X server for a windowed Firefox; resolves once it accepts clients. */
export async function startXvfb(): Promise<{ display: string; stop: () => void }> {
  let n = 90;
  while (existsSync(`/tmp/.X11-unix/X${n}`)) n++;
  const xvfb: ChildProcess = spawn('Xvfb', [`:${n}`, '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  while (!existsSync(`/tmp/.X11-unix/X${n}`)) {
    if (Date.now() > deadline || xvfb.exitCode !== null) throw new Error('Xvfb did not start (apt-get install xvfb)');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { display: `:${n}`, stop: () => xvfb.kill() };
}

/** Fills the field whose label reads `label` (labels as a person reads them, in any engine). */
export async function fill(page: Page, label: string, value: string): Promise<void> {
  await page.waitForFunction(
    (label) => [...document.querySelectorAll('label')].some((l) => l.textContent?.trim().startsWith(label)),
    {},
    label,
  );
  await page.evaluate(
    (label, value) => {
      const element = [...document.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(label));
      const input = (element?.control ?? element?.querySelector('input')) as HTMLInputElement;
      input.focus();
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    label,
    value,
  );
}

/** Clicks the button whose text is `name`, once it is there. */
export async function clickButton(page: Page, name: string): Promise<void> {
  const handle = await page.waitForFunction(
    (name) => [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === name && !b.disabled),
    {},
    name,
  );
  const button = handle.asElement();
  if (!button) throw new Error(`no button "${name}"`);
  await (button as ElementHandle<Element>).click();
}

/**
 * Waits until the tile of `student` has the accessible name "`student`: `state`" and, for "Live",
 * its video has presented a new frame: pictures arrive, not just a stream object.
 */
export async function waitForTile(page: Page, student: string, state: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    (label) => [...document.querySelectorAll('figure')].some((f) => f.getAttribute('aria-label') === label),
    { timeout: timeoutMs },
    `${student}: ${state}`,
  );
  if (state !== 'Live') return;
  await page.evaluate(
    (label) =>
      new Promise<void>((resolve, reject) => {
        const figure = [...document.querySelectorAll('figure')].find((f) => f.getAttribute('aria-label') === label);
        const video = figure?.querySelector('video');
        if (!video) return reject(new Error('no video in the tile'));
        setTimeout(() => reject(new Error('no frame presented within 5 s')), 5000);
        video.requestVideoFrameCallback(() => resolve());
      }),
    `${student}: Live`,
  );
}
