/**
 * One relay at work: the werift relay and its PeerServer client, with a stats report every
 * STATS_INTERVAL_MS. Shared by a forked worker (worker/main.ts, over IPC) and a relay node on
 * another machine (node/main.ts, over its control websocket); it knows neither channel.
 */
import { startStunResponder } from '../../stun/stun-responder.ts';
import { PeerClient } from './peer-client.ts';
import { Relay } from './relay.ts';
import { STATS_INTERVAL_MS, type FromRelay, type ToRelay } from '../messages.ts';

/** A running relay. */
export interface RunningRelay {
  /** The server's word on the rooms. */
  receive(message: ToRelay): void;
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
  const relay = new Relay((message) => client.send(message), {
    announcedIps: options.announcedIps,
    portRange: options.portRange,
    stunUrl: `stun:127.0.0.1:${stun.port}`,
  });
  const client = new PeerClient(
    options.peerUrl,
    (message) => relay.handle(message),
    () => options.tell({ type: 'ready' }),
    { verifyTls: options.verifyTls },
  );
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
    close() {
      clearInterval(stats);
      relay.close();
      client.close();
      void stun.close();
    },
  };
}
