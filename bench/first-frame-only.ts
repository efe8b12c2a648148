/**
 * `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/first-frame-only.ts` (after
 * `npm run build`): where a mesh share's first frame spends its time, measured plainly and then
 * with the encoded-frame and capture taps (which show the steps between DTLS and the first frame),
 * then with the picker held open a second (the steps after the choice are what a student waits for).
 */
import { benchFirstFrame } from './first-frame.ts';
import { saveResult } from './lib.ts';

const plain = await benchFirstFrame();
const deep = await benchFirstFrame(true);
// A student who takes a second in the picker: the calls come up meanwhile.
const picker = await benchFirstFrame(false, 1_000);
const result = { date: new Date().toISOString(), node: process.version, ...plain, deep, picker };
saveResult('first-frame', result);
console.table(plain.medianMsAfterClick);
console.table(deep.medianMsAfterClick);
console.table(picker.medianMsAfterClick);
console.table({
  instant: plain.choiceToPresentedMs,
  deep: deep.choiceToPresentedMs,
  picker: picker.choiceToPresentedMs,
});
