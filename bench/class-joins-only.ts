/** `npx tsx bench/class-joins-only.ts` (under the browser lock, after `npm run build`): just the joins into lessons. */
import { benchClassJoins } from './class-joins.ts';

console.log(JSON.stringify(await benchClassJoins(), null, 2));
