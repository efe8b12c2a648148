/** Runs only the relay capacity with one worker and with two (`npx tsx bench/relay-workers-only.ts`, under the lock). */
import { benchRelayWorkers } from './relay-capacity.ts';

console.log(JSON.stringify(await benchRelayWorkers(), null, 2));
