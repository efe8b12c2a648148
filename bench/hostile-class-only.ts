/**
 * `flock /tmp/browser.lock sh scripts/loopback-only.sh npx tsx bench/hostile-class-only.ts` (after `npm run build`):
 * just the hostile-class abuse scenarios, saved into bench/results/abuse.json beside the others.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostileClass, hostileClassRows } from './abuse.ts';
import { root, saveResult } from './lib.ts';

const hostile = await hostileClass('default');
const unlimited = await hostileClass('off');
const saved = JSON.parse(readFileSync(join(root, 'bench/results/abuse.json'), 'utf8')) as Record<string, unknown>;
saveResult('abuse', {
  ...saved,
  hostileClassDate: new Date().toISOString(),
  hostileClass: hostile,
  hostileClassUnlimited: unlimited,
});
console.table({ ...hostileClassRows(hostile), ...hostileClassRows(unlimited, 'hostile class, limits off') });
