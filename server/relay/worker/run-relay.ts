/**
 * One relay at work: the werift relay and its PeerServer client, with a stats report every
 * STATS_INTERVAL_MS. Its calls outlive its PeerServer connection: it can leave PeerServer while the
 * app server is away and join again under a new URL. Knows nothing of the control channel.
 */
import { startStunResponder } from '../../stun/stun-responder.ts';
import { PeerClient } from './peer-client.ts';
import { Relay } from './relay.ts';
import { STATS_INTERVAL_MS, type FromRelay, type ToRelay } from '../messages.ts';

/** A running relay. */
export interface RunningRelay {
  /** The server's word on the rooms. */
  receive(message: ToRelay): void;
  /** Leaves PeerServer (its server went away) and keeps every call forwarding. */
  detach(): void;
  /** Joins PeerServer again at `peerUrl` (a restarted app server's, with its new token). */
  rejoin(peerUrl: string): void;
  /** Closes every call and leaves PeerServer. */
  close(): void;
}

/** Starts a relay that registers at `peerUrl` and says what happens through `tell`. */
export async function runRelay(options: {
  peerUrl: string;
  announcedIps: string[];
  portRange: [number, number] | null;
  /** Check the server's TLS certificate (a node on another machine); a local worker talks to loopback. */
  verifyTls: boolean;
  tell: (message: FromRelay) => void;
}): Promise<RunningRelay> {
  // werift always gathers a server-reflexive candidate and asks a public STUN server unless given
  // one: answer it here, on loopback, so no packet ever leaves for a server the school does not run.
  const stun = await startStunResponder({
    port: 0,
    host: '127.0.0.1',
    log: { warn: (obj, msg) => console.warn(msg, obj) },
  });
  // Signalling sent while it is away from PeerServer is dropped, as PeerJS peers expect of a lost socket.
  const relay = new Relay((message) => client?.send(message), {
    announcedIps: options.announcedIps,
    portRange: options.portRange,
    stunUrl: `stun:127.0.0.1:${stun.port}`,
  });
  const join = (peerUrl: string) =>
    new PeerClient(
      peerUrl,
      (message) => relay.handle(message),
      () => options.tell({ type: 'ready' }),
      { verifyTls: options.verifyTls },
    );
  let client: PeerClient | null = join(options.peerUrl);
  // What it did, for the operators' metrics: cheap counters, read once a second.
  const stats = setInterval(() => {
    const cpu = process.cpuUsage();
    options.tell({ type: 'stats', forwardedPackets: relay.forwardedPackets, cpuMicros: cpu.user + cpu.system });
  }, STATS_INTERVAL_MS);
  stats.unref();
  return {
    receive(message) {
      if (message.type === 'rooms') relay.updateRooms(message);
    },
    detach() {
      client?.close();
      client = null;
    },
    rejoin(peerUrl) {
      client?.close();
      client = join(peerUrl);
    },
    close() {
      clearInterval(stats);
      relay.close();
      client?.close();
      client = null;
      void stun.close();
    },
  };
}
