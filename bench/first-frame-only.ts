/**
 * `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/first-frame-only.ts` (after
 * `npm run build`): where a mesh share's first frame spends its time, measured plainly and then
 * with the encoded-frame and capture taps (which show the steps between DTLS and the first frame).
 */
import { benchFirstFrame } from './first-frame.ts';
import { saveResult } from './lib.ts';

const plain = await benchFirstFrame();
const deep = await benchFirstFrame(true);
const result = { date: new Date().toISOString(), node: process.version, ...plain, deep };
saveResult('first-frame', result);
console.table(plain.medianMsAfterClick);
console.table(deep.medianMsAfterClick);
