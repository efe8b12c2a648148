/**
 * Entry point of a relay worker's own process, forked by the server: media work runs here, so
 * forwarding packets never delays signalling and HTTP, and a crash here cannot take the server down.
 */
import { runRelay } from './run-relay.ts';
import type { FromRelay, RelayProcessData, ToRelay } from '../messages.ts';

const data = JSON.parse(process.env.RELAY_PROCESS_DATA ?? '{}') as RelayProcessData;

const relay = await runRelay({
  peerUrl: data.peerUrl,
  announcedIps: data.announcedIps,
  portRange: data.portRange,
  // Loopback to our own server; its certificate (when TLS is on) names the school's host, not 127.0.0.1.
  verifyTls: false,
  tell: (message: FromRelay) => process.send?.(message),
});

process.on('message', (message: ToRelay) => relay.receive(message));
// The server went away, or stops us: close every connection and go.
const shutdown = () => {
  relay.close();
  process.exit(0);
};
process.on('disconnect', shutdown);
process.on('SIGTERM', shutdown);
