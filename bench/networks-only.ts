/** `sh scripts/loopback-only.sh npx tsx bench/networks-only.ts` (root, under the browser lock): just the network lab benchmark. */
import { benchNetworks } from './networks.ts';

console.log(JSON.stringify(await benchNetworks(), null, 2));
