/** `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/first-frame-only.ts` (after `npm run build`): where a mesh share's first frame spends its time. */
import { benchFirstFrame } from './first-frame.ts';
import { saveResult } from './lib.ts';

const result = { date: new Date().toISOString(), node: process.version, ...(await benchFirstFrame()) };
saveResult('first-frame', result);
console.table(result.medianMsAfterClick);
