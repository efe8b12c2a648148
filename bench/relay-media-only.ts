/** `sh scripts/loopback-only.sh npx tsx bench/relay-media-only.ts` (root, under the browser lock, after `npm run build`): just the relay media benchmark. */
import { benchRelayMedia } from './relay-media.ts';

console.log(JSON.stringify(await benchRelayMedia(), null, 2));
