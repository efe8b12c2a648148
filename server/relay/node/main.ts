/**
 * Entry point of `npm run relay`: a relay node on another machine. It opens the app server's control
 * websocket with the shared RELAY_NODE_SECRET, says what it is, registers with PeerServer under the
 * identity it is given, and relays the rooms placed on it. A refused secret stops it with the
 * server's reason; while the app server is away (a restart) it keeps its calls forwarding and
 * connects again naming that identity, so the restarted server takes it back, rooms and all
 * (control-link.ts). On SIGTERM or SIGINT it says it is leaving and keeps forwarding
 * for LINGER_MS while its rooms move (a second signal: now).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ConfigError, loadConfig, relayNodeSettings, type Config } from '../../config.ts';
import { connectControl } from '../worker/control-link.ts';
import { LINGER_MS, type RelayHello } from '../messages.ts';

/** After saying it leaves, the node forwards this long (the server keeps lingering rooms as long), then stops. */
const LEAVE_AFTER_MS = LINGER_MS + 1000;

let dir = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
if (existsSync(join(dir, '.env'))) process.loadEnvFile(join(dir, '.env'));

/** The configuration, or the process ends with every problem listed. */
function configured(): { config: Config; serverUrl: string; secret: string } {
  try {
    const config = loadConfig(process.env);
    return { config, ...relayNodeSettings(config) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
const { config, serverUrl, secret } = configured();
const log = pino({ level: config.logLevel });
const portRange: [number, number] | null = config.relay.portRange ? [...config.relay.portRange] : null;
const hello: RelayHello = {
  type: 'hello',
  name: hostname(),
  cores: availableParallelism(),
  portRange,
};
let leaving = false;

const link = connectControl({
  serverUrl,
  secret,
  // Once leaving, it claims no identity: its rooms are being placed elsewhere.
  hello: (previous) => (previous && !leaving ? { ...hello, previous } : hello),
  relay: { announcedIps: [...config.relay.announcedIps], portRange, verifyTls: true },
  log,
  // A refusal is final: the operator must change the configuration.
  refused: (reason, status) => {
    log.fatal({ status }, reason);
    console.error(reason);
    process.exit(1);
  },
  notAdopted: () => undefined,
  orphaned: () => undefined,
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (leaving) process.exit(0);
    leaving = true;
    log.info(
      { forS: LEAVE_AFTER_MS / 1000 },
      'leaving: the app server places the rooms elsewhere while this node forwards them',
    );
    link.send({ type: 'leaving' });
    setTimeout(() => void link.close().then(() => process.exit(0)), LEAVE_AFTER_MS);
  });
}
