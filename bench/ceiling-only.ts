/** Runs only the one-process ceiling benchmark (`npx tsx bench/ceiling-only.ts`). */
import { benchCeiling } from './ceiling.ts';

console.log(JSON.stringify(await benchCeiling(), null, 2));
