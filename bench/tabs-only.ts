/** `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/tabs-only.ts` (after `npm run build`): what tab reports cost the wall and a student. */
import { benchTabs, printTabs } from './tabs.ts';

printTabs(await benchTabs());
