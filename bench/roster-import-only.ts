/** `npx tsx bench/roster-import-only.ts` (under the browser lock): just the roster import benchmark. */
import { benchRosterImport } from './roster-import.ts';

console.log(JSON.stringify(await benchRosterImport(), null, 2));
