/**
 * `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/presentation-only.ts` (after
 * `npm run build`): just the "Show to class" benchmark; with `--relay`, only its run through the
 * relay, printed and not saved; with `--devices`, the same with a class of devices (5 pages, the rest
 * synthetic students); with `--peer-to-peer`, only the run without it. PRESENTATION_STUDENTS
 * sets the class size (30).
 */
import {
  benchPresentation,
  benchPresentationDeviceClass,
  benchPresentationPeerToPeer,
  benchPresentationRelay,
  printPresentation,
} from './presentation.ts';

if (process.argv.includes('--relay')) console.log(JSON.stringify(await benchPresentationRelay(), null, 2));
else if (process.argv.includes('--devices')) console.log(JSON.stringify(await benchPresentationDeviceClass(), null, 2));
else if (process.argv.includes('--peer-to-peer'))
  console.log(JSON.stringify(await benchPresentationPeerToPeer(), null, 2));
else printPresentation(await benchPresentation());
