/** `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/presentation-only.ts` (after `npm run build`): just the "Show to class" benchmark. */
import { benchPresentation, printPresentation } from './presentation.ts';

printPresentation(await benchPresentation());
