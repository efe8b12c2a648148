/**
 * Preloaded with `--import` (NODE_OPTIONS allows it; Node 20 refuses --cpu-prof there): samples
 * this process with the V8 profiler and writes a .cpuprofile into CPU_PROFILE_DIR when it exits.
 * Used by bench/relay-profile.ts to profile relay workers, which the server forks.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  // A main-thread session answers synchronously, so the profile is written before the process ends.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
