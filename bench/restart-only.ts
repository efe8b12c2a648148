/** `npx tsx bench/restart-only.ts` (under the browser lock): just the restart benchmark, for working on it. */
import { benchRestart } from './restart.ts';

console.log(JSON.stringify(await benchRestart(), null, 2));
