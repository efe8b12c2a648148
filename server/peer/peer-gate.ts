/**
 * Adapter around PeerServer (npm `peer`): admits a websocket only for a current member's peer id
 * and token, passes signalling only between peers allowed to talk (the registry's `maySignal`),
 * within a per-socket budget, turns connects and disconnects into presence, and closes every socket
 * of anyone who leaves, is removed, or whose room ends. It reads a message's type and destination,
 * never its payload. Every workaround for `peer`'s internals lives in this file.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { ExpressPeerServer, type IClient } from 'peer';
import { WebSocketServer, type RawData, type ServerOptions, type WebSocket } from 'ws';
import {
  authenticatePeer,
  maySignal,
  peerConnected,
  peerDisconnected,
  type RegistryEvent,
} from '../core/room-registry.ts';
import type { UpgradeRouter } from '../http/upgrades.ts';
import type { RoomStore } from '../room-store.ts';
import { WarnThrottle } from '../warn-throttle.ts';

/** Where PeerServer is mounted and the key clients pass; the PWA learns both from /api/config. */
export const PEER_PATH = '/peerjs';
export const PEER_KEY = 'peerjs';

/** PeerJS clients send a heartbeat every 5 s; after this long without one the socket counts as dead. */
const ALIVE_TIMEOUT_MS = 15_000;
/** Largest signalling message accepted (a bigger frame closes the socket with 1009); SDP offers are a few KB. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/**
 * Each socket's budget, a token bucket in messages and in bytes. A supervisor answering a class of
 * 200 sends about 200 answers and 1,000 candidates (under 1 MB) within seconds; the burst covers
 * that, and the refill bounds what a flooding member can push through to the rest of its room.
 */
export const SIGNAL_BUDGET = {
  burstMessages: 2000,
  messagesPerS: 500,
  burstBytes: 2 * 1024 * 1024,
  bytesPerS: 512 * 1024,
} as const;
/**
 * What may wait for a member who is in the room but not connected right now (PeerServer holds it
 * for its expire timeout, 5 s, then answers EXPIRE): enough for one call's offer and candidates.
 */
export const HELD_FOR_ABSENT = { messages: 32, bytes: 128 * 1024, forMs: 6_000 } as const;
/** A recipient whose socket has this much unsent is not sent more until it drains. */
const MAX_RECIPIENT_BUFFER_BYTES = 1024 * 1024;
/** A closed socket that does not finish the closing handshake is cut after this long. */
const CLOSE_GRACE_MS = 1_000;
/** Close code for a socket replaced by a newer one with the same id (4000–4999: for applications). */
export const CLOSE_REPLACED = 4001;
/** Refused connections are logged once per address per this long, with a count (anyone can send them). */
export const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** Messages a PeerJS client may send; OPEN, ID-TAKEN, ERROR and EXPIRE come only from the server. */
const CLIENT_TYPES = new Set(['HEARTBEAT', 'OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE']);

/** Why a signalling message was not passed on. */
export type DropReason = 'not-allowed' | 'over-budget' | 'recipient-absent' | 'recipient-busy' | 'malformed';

/** The relay identities to admit: local workers' and connected relay nodes' (it changes as nodes come and go). */
export interface RelayIds {
  /** Whether `peerId` is a relay's, with `token` its token. */
  admits(peerId: string, token: string): boolean;
  /** Every relay's peer id now. */
  readonly peerIds: readonly string[];
}

/** The parts of the logger the gate uses. */
interface GateLog {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Builds the PeerServer express app for `server` and wires it to the store. Mount it at PEER_PATH. */
export function createPeerGate(deps: {
  server: HttpServer | HttpsServer;
  upgrades: UpgradeRouter;
  store: RoomStore;
  log: GateLog;
  /** The relays' ids and tokens, admitted like a member's (none with RELAY_MODE=off). */
  relays: RelayIds;
}) {
  const { server, store, log, relays } = deps;
  const refusals = new WarnThrottle(REFUSAL_LOG_INTERVAL_MS, (remote, count) =>
    count === 1
      ? log.warn({ remote }, 'refused PeerServer connection: not a current member')
      : log.warn(
          { remote, count },
          `refused ${count} more PeerServer connections from this address since the last line`,
        ),
  );
  const clients = new Map<string, IClient>();
  /** Every open socket per peer id: the current one, and older ones still closing. */
  const sockets = new Map<string, Set<WebSocket>>();
  /** Sockets told to close: nothing they send is passed on any more. */
  const ending = new WeakSet<WebSocket>();
  /** Per absent recipient: what was let through to wait for them, and since when. */
  const held = new Map<string, { messages: number; bytes: number; since: number }>();
  const dropped: Record<DropReason, number> = {
    'not-allowed': 0,
    'over-budget': 0,
    'recipient-absent': 0,
    'recipient-busy': 0,
    malformed: 0,
  };

  /** Whether one message from `peerId` may go on to PeerServer's handler; counts and logs it if not. */
  const admit = (peerId: string, socket: WebSocket, data: RawData, bucket: TokenBucket): boolean => {
    const bytes = rawLength(data);
    const drop = (reason: DropReason, dst?: string) => {
      dropped[reason]++;
      log.debug({ src: peerId, dst, reason }, 'dropped a signalling message');
      return false;
    };
    // A socket replaced by a newer one, or of a seat that ended, says nothing more.
    if (ending.has(socket)) return drop('not-allowed');
    if (!relays.peerIds.includes(peerId) && !store.state.roomByPeer.has(peerId)) return drop('not-allowed');
    if (!bucket.take(bytes)) {
      // Stop reading the socket until the budget has refilled: the sender's TCP window closes, so a
      // flood costs the server no more than the budget, instead of unmasking and dropping every frame.
      if (!socket.isPaused) {
        socket.pause();
        setTimeout(() => socket.resume(), bucket.refillMs(bytes)).unref();
      }
      return drop('over-budget');
    }
    let message: { type?: unknown; dst?: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return drop('malformed');
    }
    if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return drop('malformed');
    if (!CLIENT_TYPES.has(message.type)) return drop('not-allowed');
    if (message.type === 'HEARTBEAT') return true;
    const dst = message.dst;
    if (typeof dst !== 'string' || !maySignal(store.state, peerId, dst, relays.peerIds))
      return drop('not-allowed', String(dst));
    const recipient = clients.get(dst)?.getSocket();
    if (recipient) {
      return recipient.bufferedAmount <= MAX_RECIPIENT_BUFFER_BYTES || drop('recipient-busy', dst);
    }
    // The recipient is a member but offline: PeerServer would queue without limit.
    const now = Date.now();
    let entry = held.get(dst);
    if (!entry || now - entry.since >= HELD_FOR_ABSENT.forMs)
      held.set(dst, (entry = { messages: 0, bytes: 0, since: now }));
    if (entry.messages + 1 > HELD_FOR_ABSENT.messages || entry.bytes + bytes > HELD_FOR_ABSENT.bytes) {
      return drop('recipient-absent', dst);
    }
    entry.messages++;
    entry.bytes += bytes;
    return true;
  };

  /** Ends one socket: a polite close, cut short if the other side does not answer it. */
  const endSocket = (socket: WebSocket, code: number, reason: string) => {
    ending.add(socket);
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  };

  const onSocket = (socket: WebSocket, req: IncomingMessage) => {
    const peerId = new URL(req.url ?? '', 'http://peer').searchParams.get('id') ?? '';
    // A second socket for the same id replaces the first: `peer` only re-points the client to the
    // newest socket and leaves the old one open, still able to send as that id.
    let set = sockets.get(peerId);
    if (!set) sockets.set(peerId, (set = new Set()));
    for (const older of set) endSocket(older, CLOSE_REPLACED, 'replaced by a newer connection');
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && sockets.get(peerId) === set) sockets.delete(peerId);
    });
    // `peer` offers no hook between a socket's frames and its message handler (the realm and the
    // handler are private), so the gate sits in front of the socket's own 'message' event; `peer`
    // adds its listener after this runs, and sees only what `admit` lets through.
    const bucket = new TokenBucket();
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'message' && !admit(peerId, socket, args[0] as RawData, bucket)) return false;
      return emit(event, ...args);
    }) as typeof socket.emit;
  };

  const peerServer = ExpressPeerServer(server, {
    path: '/',
    key: PEER_KEY,
    allow_discovery: false,
    alive_timeout: ALIVE_TIMEOUT_MS,
    // Same origin only: `peer` otherwise answers any Origin with CORS headers that allow it.
    corsOptions: { origin: false },
    createWebSocketServer: (options: ServerOptions) => {
      // Upgrades reach it through the router: other websockets (relay nodes) share the HTTP server.
      const { server: _attachTo, ...rest } = options;
      const wss = new WebSocketServer({
        ...rest,
        noServer: true,
        maxPayload: MAX_MESSAGE_BYTES,
        // Refuse the upgrade itself, so an outsider never holds a member's id even for a moment.
        verifyClient: ({ req }, accept) => {
          const query = new URL(req.url ?? '', 'http://peer').searchParams;
          const [id, token] = [query.get('id') ?? '', query.get('token') ?? ''];
          if (relays.admits(id, token) || authenticatePeer(store.state, id, token)) return accept(true);
          refusals.warn(req.socket.remoteAddress ?? 'unknown');
          accept(false, 401, 'Unauthorized');
        },
      });
      // Registered before `peer` registers its own, so the gate is in place before it reads a frame.
      wss.on('connection', onSocket);
      deps.upgrades.add(options.path!, wss);
      return wss;
    },
  });

  // `peer` builds its own express app, which would announce itself in X-Powered-By.
  peerServer.disable('x-powered-by');

  peerServer.on('connection', (client: IClient) => {
    clients.set(client.getId(), client);
    held.delete(client.getId());
    store.run((state, ctx) => peerConnected(state, client.getId(), ctx));
  });
  peerServer.on('disconnect', (client: IClient) => {
    if (clients.get(client.getId()) === client) clients.delete(client.getId());
    store.run((state, ctx) => peerDisconnected(state, client.getId(), ctx));
  });
  peerServer.on('error', (error: Error) => log.debug({ err: error }, 'PeerServer socket error'));

  /** A seat ended: every socket it ever opened closes, not only the one `peer` knows as current. */
  const hangUp = (peerId: string) => {
    for (const socket of sockets.get(peerId) ?? []) endSocket(socket, 1000, 'seat ended');
    held.delete(peerId);
  };
  const unsubscribe = store.subscribe((events: readonly RegistryEvent[]) => {
    for (const event of events) {
      if (event.type === 'member-left') hangUp(event.member.peerId);
      if (event.type === 'room-terminated') for (const m of event.room.members) hangUp(m.peerId);
    }
  });

  return {
    /** The express app to mount at PEER_PATH. */
    app: peerServer,
    /** Number of peer ids with an open PeerServer connection. */
    get size() {
      return clients.size;
    },
    /** Number of open PeerServer sockets, replaced ones still closing included. */
    get socketCount() {
      let n = 0;
      for (const set of sockets.values()) n += set.size;
      return n;
    },
    /** Signalling messages not passed on since start, by reason. */
    get dropped(): Readonly<Record<DropReason, number>> {
      return { ...dropped };
    },
    /** Stops listening to the store and closes every socket ("going away"), cutting those still open after `graceMs`. */
    async close(graceMs = 0) {
      unsubscribe();
      refusals.close();
      const all = [...sockets.values()].flatMap((set) => [...set]);
      for (const socket of all) socket.close(1001, 'server restarting');
      const open = () => all.filter((socket) => socket.readyState !== socket.CLOSED);
      for (let waitedMs = 0; waitedMs < graceMs && open().length > 0; waitedMs += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      for (const socket of open()) socket.terminate();
    },
  };
}

/** A socket's signalling budget: SIGNAL_BUDGET's burst, refilled at its rate. */
class TokenBucket {
  #messages: number = SIGNAL_BUDGET.burstMessages;
  #bytes: number = SIGNAL_BUDGET.burstBytes;
  #at = performance.now();

  /** Takes one message of `bytes` from the budget, or returns false (and takes nothing) when it is spent. */
  take(bytes: number): boolean {
    const now = performance.now();
    const elapsedS = (now - this.#at) / 1000;
    this.#at = now;
    this.#messages = Math.min(SIGNAL_BUDGET.burstMessages, this.#messages + elapsedS * SIGNAL_BUDGET.messagesPerS);
    this.#bytes = Math.min(SIGNAL_BUDGET.burstBytes, this.#bytes + elapsedS * SIGNAL_BUDGET.bytesPerS);
    if (this.#messages < 1 || this.#bytes < bytes) return false;
    this.#messages -= 1;
    this.#bytes -= bytes;
    return true;
  }

  /** Milliseconds until a message of `bytes` would fit the budget again (at least 50, at most 1,000). */
  refillMs(bytes: number): number {
    const forMessages = ((1 - this.#messages) / SIGNAL_BUDGET.messagesPerS) * 1000;
    const forBytes = ((bytes - this.#bytes) / SIGNAL_BUDGET.bytesPerS) * 1000;
    return Math.min(1000, Math.max(50, forMessages, forBytes));
  }
}

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, part) => n + part.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
