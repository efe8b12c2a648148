/**
 * `npx tsx bench/restart-only.ts` (under the browser lock): just the restart benchmark, for working
 * on it; `npx tsx bench/restart-only.ts relayed`: only the relayed class, merged into restart.json.
 */
import { benchRelayedRestart, benchRestart } from './restart.ts';

const result = process.argv[2] === 'relayed' ? await benchRelayedRestart() : await benchRestart();
console.log(JSON.stringify(result, null, 2));
