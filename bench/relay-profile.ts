/**
 * Where one relay worker's time goes: runs the relay capacity bench with one worker at 400
 * viewer-streams with the V8 sampling profiler in the server and its worker (bench/cpu-profile.mjs,
 * preloaded through NODE_OPTIONS), then sums the worker's profile by function and by
 * module (self time). `npx tsx bench/relay-profile.ts` under the lock, after `npm run build`;
 * writes bench/results/relay-profile.json (the raw .cpuprofile files stay in a temporary folder).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchRelayCapacity } from './relay-capacity.ts';
import { saveResult } from './lib.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'relay-profile-'));
// The server and its worker both inherit it; the worker's profile is the one with forwarding in it.
process.env.NODE_OPTIONS = `--import=${new URL('./cpu-profile.mjs', import.meta.url).href}`;
process.env.CPU_PROFILE_DIR = dir;
const streams: [number, number] = [10, Number(process.env.PROFILE_VIEWERS ?? 40)];
// Saved under the same name, then replaced by the summary below.
const bench = await benchRelayCapacity(1, [streams], 'relay-profile');
delete process.env.NODE_OPTIONS;
delete process.env.CPU_PROFILE_DIR;

/** Self time by function and by module (package or our file) in one profile, in percent of the busy (not idle) samples. */
function summarise(path: string) {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[] };
  const busy = profile.nodes.filter((node) => node.callFrame.functionName !== '(idle)');
  const total = busy.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  for (const node of busy) {
    const hits = node.hitCount ?? 0;
    if (!hits) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^file:\/\//, '');
    const module =
      /node_modules\/((?:@[^/]+\/)?[^/]+(?:\/lib\/[^/]+)?)/.exec(file)?.[1] ??
      (file.includes('/dist/node/') ? file.slice(file.indexOf('/dist/node/') + 11) : file || functionName);
    const name = `${functionName || '(anonymous)'} ${file.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
    byModule.set(module, (byModule.get(module) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => ({ name, percentOfBusy: Math.round((hits / total) * 1000) / 10 }));
  return { busySamples: total, byModule: top(byModule, 15), byFunction: top(byFunction, 30) };
}

const profiles = readdirSync(dir)
  .sort()
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => ({ file: join(dir, f), ...summarise(join(dir, f)) }));
// The worker is the profile where werift's SRTP work shows up.
const worker = profiles.find((p) => p.byModule.some((m) => m.name.startsWith('werift')));
const result = {
  date: new Date().toISOString(),
  viewerStreams: streams[0] * streams[1],
  step: bench.steps[0],
  profileDir: dir,
  worker: worker ?? null,
};
saveResult('relay-profile', result);
console.log(JSON.stringify(result, null, 2));
