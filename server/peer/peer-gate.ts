/**
 * Adapter around PeerServer (npm `peer`): admits a websocket only for a current member's peer id
 * and token, turns connects and disconnects into presence, and closes the socket of anyone who
 * leaves, is removed, or whose room ends. It does not look at signalling messages.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocketServer, type ServerOptions } from 'ws';
import { authenticatePeer, peerConnected, peerDisconnected, type RegistryEvent } from '../core/room-registry.ts';
import type { RoomStore } from '../room-store.ts';

/** Where PeerServer is mounted and the key clients pass; the PWA learns both from /api/config. */
export const PEER_PATH = '/peerjs';
export const PEER_KEY = 'peerjs';

/** PeerJS clients send a heartbeat every 5 s; after this long without one the socket counts as dead. */
const ALIVE_TIMEOUT_MS = 15_000;
/** Largest signalling message accepted; SDP offers are a few KB. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** The parts of the logger the gate uses. */
interface GateLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Builds the PeerServer express app for `server` and wires it to the store. Mount it at PEER_PATH. */
export function createPeerGate(deps: {
  server: HttpServer | HttpsServer;
  store: RoomStore;
  log: GateLog;
  /** The relay peer's id and token, admitted like a member's. */
  relay: { peerId: string; token: string } | null;
}) {
  const { server, store, log, relay } = deps;
  const clients = new Map<string, IClient>();

  const peerServer = ExpressPeerServer(server, {
    path: '/',
    key: PEER_KEY,
    allow_discovery: false,
    alive_timeout: ALIVE_TIMEOUT_MS,
    createWebSocketServer: (options: ServerOptions) =>
      new WebSocketServer({
        ...options,
        maxPayload: MAX_MESSAGE_BYTES,
        // Refuse the upgrade itself, so an outsider never holds a member's id even for a moment.
        verifyClient: ({ req }, accept) => {
          const query = new URL(req.url ?? '', 'http://peer').searchParams;
          const [id, token] = [query.get('id') ?? '', query.get('token') ?? ''];
          const isRelay = relay !== null && id === relay.peerId && token === relay.token;
          if (isRelay || authenticatePeer(store.state, id, token)) return accept(true);
          log.warn({ remote: req.socket.remoteAddress }, 'refused PeerServer connection: not a current member');
          accept(false, 401, 'Unauthorized');
        },
      }),
  });

  peerServer.on('connection', (client: IClient) => {
    clients.set(client.getId(), client);
    store.run((state, ctx) => peerConnected(state, client.getId(), ctx));
  });
  peerServer.on('disconnect', (client: IClient) => {
    if (clients.get(client.getId()) === client) clients.delete(client.getId());
    store.run((state, ctx) => peerDisconnected(state, client.getId(), ctx));
  });
  peerServer.on('error', (error: Error) => log.debug({ err: error }, 'PeerServer socket error'));

  const hangUp = (peerId: string) => clients.get(peerId)?.getSocket()?.close(1000, 'seat ended');
  const unsubscribe = store.subscribe((events: readonly RegistryEvent[]) => {
    for (const event of events) {
      if (event.type === 'member-left') hangUp(event.member.peerId);
      if (event.type === 'room-terminated') for (const m of event.room.members) hangUp(m.peerId);
    }
  });

  return {
    /** The express app to mount at PEER_PATH. */
    app: peerServer,
    /** Number of open PeerServer sockets. */
    get size() {
      return clients.size;
    },
    /** Stops listening to the store and closes every socket ("going away"), cutting those still open after `graceMs`. */
    async close(graceMs = 0) {
      unsubscribe();
      const sockets = [...clients.values()].flatMap((client) => client.getSocket() ?? []);
      for (const socket of sockets) socket.close(1001, 'server restarting');
      const open = () => sockets.filter((socket) => socket.readyState !== socket.CLOSED);
      for (let waitedMs = 0; waitedMs < graceMs && open().length > 0; waitedMs += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      for (const socket of open()) socket.terminate();
    },
  };
}
