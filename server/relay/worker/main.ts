/**
 * Entry point of a local relay worker's own process, started detached by the app server: media work
 * runs here, so forwarding never delays signalling and HTTP, a crash here cannot take the server
 * down, and a restart of the server does not stop the screens. It speaks the control websocket of
 * relay nodes on loopback, with the secret of its DATA_DIR, as the worker it was started as.
 */
import { availableParallelism } from 'node:os';
import { connectControl } from './control-link.ts';
import { RELAY_PROTOCOL, type RelayProcessData } from '../messages.ts';

const data = JSON.parse(process.env.RELAY_PROCESS_DATA ?? '{}') as RelayProcessData;
// The server that started it may be gone, and the pipe it logs to with it: a write there must not end the screens.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const log = {
  info: () => undefined,
  warn: (obj: object, msg: string) => console.warn(JSON.stringify({ level: 40, worker: data.name, ...obj, msg })),
};

const link = connectControl({
  serverUrl: data.serverUrl,
  secret: data.secret,
  // A worker's hello names the identity it was started with, every time: it has no other.
  hello: () => ({
    type: 'hello',
    name: data.name,
    cores: availableParallelism(),
    portRange: data.portRange,
    worker: { peerId: data.peerId, pid: process.pid, protocol: RELAY_PROTOCOL, version: data.version },
  }),
  // Loopback to our own server; its certificate (when TLS is on) names the school's host, not 127.0.0.1.
  relay: { announcedIps: data.announcedIps, portRange: data.portRange, verifyTls: false },
  log,
  refused: (reason) => stop(reason),
  notAdopted: () => stop('another process is this relay worker now'),
  orphaned: () => stop('the app server did not come back'),
});

/** Hangs up every call and ends the process, saying why when nobody asked it to. */
function stop(why: string | null): void {
  if (why) log.warn({ why }, 'relay worker stopping');
  void link.close().then(() => process.exit(0));
}

// The app server stops us (RELAY_MODE off now, fewer workers, or `stop` of the whole service).
process.on('SIGTERM', () => stop(null));
process.on('SIGINT', () => stop(null));
