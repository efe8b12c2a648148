/**
 * `npx tsx bench/restart-only.ts` (under the browser lock): just the restart benchmark, for working
 * on it; `npx tsx bench/restart-only.ts relayed` (or `standby`): only the relayed class (or a
 * standby taking over), merged into restart.json.
 */
import { benchRelayedRestart, benchRestart, benchStandbyTakeover } from './restart.ts';

const only = { relayed: benchRelayedRestart, standby: benchStandbyTakeover }[process.argv[2] ?? ''];
const result = only ? await only() : await benchRestart();
console.log(JSON.stringify(result, null, 2));
