/** Which Chromium the browser tests drive: CHROMIUM_PATH, else Debian's, else Playwright's own. */
import { existsSync } from 'node:fs';

/** Path of the Chromium to launch, or undefined to let Playwright use its installed browser. */
export function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}

/**
 * Chromium features no test needs: headless Chromium (since M15x) still builds each window's
 * address-bar popup as a WebUI page in a renderer of its own. No test sees it, yet it made every page
 * opened start two renderers instead of one, about 40% more CPU per page on our two cores.
 */
export const UNSEEN_BROWSER_UI = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

/** Chromium flags for every browser test and benchmark. */
export const CHROMIUM_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Screen capture without a picker: a fake "entire screen" the size of the page's screen.
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--auto-select-desktop-capture-source=Entire screen',
  // WebRTC between browsers on this machine's loopback only.
  '--allow-loopback-in-peer-connection',
  `--disable-features=${['WebRtcHideLocalIpsWithMdns', ...UNSEEN_BROWSER_UI].join(',')}`,
];
