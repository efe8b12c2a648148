/** Which Chromium the browser tests drive: CHROMIUM_PATH, else Debian's, else Playwright's own. */
import { existsSync } from 'node:fs';

/** Path of the Chromium to launch, or undefined to let Playwright use its installed browser. */
export function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}
