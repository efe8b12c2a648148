/**
 * `sh scripts/loopback-only.sh npx tsx bench/networks-only.ts [scenario…]` (root, under the browser
 * lock): the network lab benchmark, saved to bench/results/networks.json; or, given scenarios (for
 * example `open no-multicast`), just their share → first frame, printed and not saved.
 */
import type { Scenario } from '../tests/lab/lab.ts';
import { benchNetworks, firstFrames } from './networks.ts';

/** As `benchNetworks` runs them: these networks are measured without the school's TURN server. */
const TURN_OFF = new Set<Scenario>(['isolated', 'no-multicast']);
const scenarios = process.argv.slice(2) as Scenario[];
if (scenarios.length === 0) console.log(JSON.stringify(await benchNetworks(), null, 2));
for (const scenario of scenarios) {
  const { stepsMs, ...figures } = await firstFrames(scenario, TURN_OFF.has(scenario) ? { turn: false } : {});
  const median = (step: string) => {
    const values = stepsMs
      .map((s) => s[step])
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  const steps = ['tap', 'dtls-connected', 'encoder-set-2', 'first-rtp', 'first-decoded', 'presented'];
  console.log(scenario, JSON.stringify(figures), JSON.stringify(Object.fromEntries(steps.map((s) => [s, median(s)]))));
}
