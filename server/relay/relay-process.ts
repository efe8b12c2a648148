/**
 * Entry point of the relay's own process, forked by the server: media work runs here, so
 * forwarding packets never delays signalling and HTTP, and a crash here cannot take the server down.
 */
import { startStunResponder } from '../stun/stun-responder.ts';
import { PeerClient } from './peer-client.ts';
import { Relay } from './relay.ts';
import { STATS_INTERVAL_MS, type FromRelay, type RelayProcessData, type ToRelay } from './relay-protocol.ts';

const data = JSON.parse(process.env.RELAY_PROCESS_DATA ?? '{}') as RelayProcessData;
const tell = (message: FromRelay) => process.send?.(message);

// werift always gathers a server-reflexive candidate and asks a public STUN server unless given
// one: answer it here, on loopback, so no packet ever leaves for a server the school does not run.
const stun = await startStunResponder({
  port: 0,
  host: '127.0.0.1',
  log: { warn: (obj, msg) => console.warn(msg, obj) },
});
const relay = new Relay((message) => client.send(message), {
  announcedIps: data.announcedIps,
  portRange: data.portRange,
  stunUrl: `stun:127.0.0.1:${stun.port}`,
});
const client = new PeerClient(
  data.peerUrl,
  (message) => relay.handle(message),
  () => tell({ type: 'ready' }),
);

// What it did, for the operators' metrics: cheap counters, read once a second.
setInterval(() => {
  const cpu = process.cpuUsage();
  tell({ type: 'stats', forwardedPackets: relay.forwardedPackets, cpuMicros: cpu.user + cpu.system });
}, STATS_INTERVAL_MS).unref();

process.on('message', (message: ToRelay) => {
  if (message.type === 'rooms') relay.updateRooms(message);
});
// The server went away, or stops us: close every connection and go.
const shutdown = () => {
  relay.close();
  client.close();
  process.exit(0);
};
process.on('disconnect', shutdown);
process.on('SIGTERM', shutdown);
