/**
 * Messages between the app server and its relays, local workers and remote nodes alike, on one
 * control websocket: the server says who may publish and who should receive; a relay says what it is
 * and when it is reachable on PeerServer.
 */

/**
 * A call the routes no longer want stays up this long while both members are still in the room, so
 * the switch to a direct call is made before this one breaks (the student and supervisor hang it up
 * themselves once the new one works). The server keeps telling the relay about such a room as long.
 */
export const LINGER_MS = 10_000;

/** One room as the relay needs to know it. */
export interface RelayRoom {
  code: string;
  students: {
    memberId: string;
    peerId: string;
    sharing: boolean;
    /** Whether the student sends to the relay (for every supervisor, or for some pairs). */
    publishes: boolean;
    /** Member ids of the connected supervisors who receive this student through the relay. */
    viewers: string[];
  }[];
  /** Connected supervisors only: they are the ones to send screens to. */
  supervisors: { memberId: string; peerId: string }[];
  /**
   * Member ids of supervisors still seated whose PeerServer socket is down (reconnect grace; every
   * member just after the app server restarts): their relayed calls are kept, lingering, not hung up.
   */
  awaySupervisors: string[];
  /**
   * The screen shown to the class, while it goes through the relay: the presenter calls the relay
   * with it, and the relay calls each connected student named here (not the shown student).
   */
  presentation: {
    id: string;
    /** The name on the students' viewer. */
    name: string;
    presenterPeerId: string;
    viewers: { memberId: string; peerId: string }[];
  } | null;
  /**
   * The students the relay keeps a standing call to, shown or not, in a room that shows its screens
   * through the relay (a large class): Show then costs each student a keyframe, not a handshake. The
   * calls carry nothing while nothing is shown, nor to the student whose screen it is. Absent from
   * an older server: none.
   */
  stage?: { memberId: string; peerId: string }[];
}

/**
 * Server → relay: rooms that changed (or every room, with `complete`, when the relay registers), and
 * codes of rooms that ended.
 */
export type ToRelay = { type: 'rooms'; rooms: RelayRoom[]; removed: string[]; complete: boolean };

/** Relay → server: it is registered with PeerServer; and every STATS_INTERVAL_MS, what it did. */
export type FromRelay =
  | { type: 'ready' }
  | {
      type: 'stats';
      /** RTP packets sent to viewers since the process started. */
      forwardedPackets: number;
      /** CPU time (user + system) used since the process started, in microseconds. */
      cpuMicros: number;
    };

/** How often the relay process reports its stats. */
export const STATS_INTERVAL_MS = 1000;

/**
 * How long a relay that lost the app server keeps its calls and forwarding while it tries to connect
 * again (a planned restart takes seconds); then it hangs up, and a local worker exits.
 */
export const ORPHAN_MS = 30_000;

/**
 * Close code of the control websocket when the app server will not adopt a local worker (its
 * identity is not one of this server's workers, or was taken over by a new process): the worker exits.
 */
export const NOT_ADOPTED_CLOSE_CODE = 4001;

/**
 * The version of what the app server and a local worker say to each other, raised whenever a change
 * to these messages would make an older worker misunderstand a newer server: a worker of another
 * protocol is not adopted after an update (it exits, and a new one starts).
 */
export const RELAY_PROTOCOL = 1;

/** What a local worker process is started with (as JSON in RELAY_PROCESS_DATA). */
export interface RelayProcessData {
  /** The app server's loopback websocket base (ws://127.0.0.1:port), for the control websocket. */
  serverUrl: string;
  /** The secret of this DATA_DIR's local workers (`relay-workers.json`), its bearer token there. */
  secret: string;
  /** Its name for the operators ("0", "1" …) and its PeerServer id, kept across app server restarts. */
  name: string;
  peerId: string;
  /** The app version that started it (package.json), for the operators after an update. */
  version: string;
  /** Addresses the relay offers to browsers (ICE host candidates). */
  announcedIps: string[];
  /** UDP ports the relay may use, for the school's firewall. */
  portRange: [number, number] | null;
}

/** Where a relay node opens its control websocket on the app server. */
export const RELAY_NODE_PATH = '/relay-node';

/**
 * App server → relay, on the control websocket: first its PeerServer identity (its id and token, and
 * the path with both to open on the app server), then the rooms. A node keeps the id and token and
 * names them in its next hello (`previous`), so a restarted app server can take it back as that relay.
 */
export type ToRelayNode = { type: 'welcome'; peerId: string; token: string; peerPath: string } | ToRelay;

/** A relay's PeerServer identity as the app server gave it. */
export interface RelayIdentity {
  peerId: string;
  token: string;
}

/** A relay's first message: what it is, and for a local worker which one. */
export interface RelayHello {
  type: 'hello';
  /** Its name for the operators (a node's host name; a local worker's index). */
  name: string;
  cores: number;
  /** The UDP ports it uses. */
  portRange: [number, number] | null;
  /**
   * A local worker's PeerServer id and process id, the RELAY_PROTOCOL it speaks and the app version
   * it runs: the app server adopts it as that worker, calls and all, even when an earlier app server
   * process (an older version, after an update) started it. Absent for a node.
   */
  worker?: { peerId: string; pid: number; protocol: number; version: string };
  /**
   * A node's identity from its last welcome, while it still forwards that relay's calls (it lost the
   * app server, which may have restarted): the server takes it back under it, rooms and all, if it
   * handed that identity out and no connected node has it; otherwise the node gets a fresh one.
   */
  previous?: RelayIdentity;
}

/**
 * Relay → app server: first its hello, then `ready` and stats, and `leaving` when a node is told to
 * stop: the server places its rooms elsewhere while it keeps forwarding for LINGER_MS
 * (make-before-break).
 */
export type FromRelayNode = RelayHello | { type: 'leaving' } | FromRelay;

/** `text` parsed as JSON, or undefined when it is not JSON: how the relay's processes read a message before its type. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Parses a message from a relay; null for anything else. */
export function parseFromRelayNode(text: string): FromRelayNode | null {
  const data = parseJson(text);
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  const count = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  if (m.type === 'ready' || m.type === 'leaving') return { type: m.type };
  if (m.type === 'stats' && count(m.forwardedPackets) && count(m.cpuMicros))
    return { type: 'stats', forwardedPackets: m.forwardedPackets as number, cpuMicros: m.cpuMicros as number };
  if (m.type === 'hello' && typeof m.name === 'string' && count(m.cores)) {
    const range = m.portRange;
    const ports =
      Array.isArray(range) && range.length === 2 && range.every((p) => Number.isInteger(p) && p > 0 && p < 65536)
        ? ([range[0], range[1]] as [number, number])
        : null;
    const hello: RelayHello = { type: 'hello', name: m.name.slice(0, 64), cores: m.cores as number, portRange: ports };
    const w = m.worker as Record<string, unknown> | undefined;
    if (
      typeof w === 'object' &&
      w !== null &&
      typeof w.peerId === 'string' &&
      Number.isInteger(w.pid) &&
      count(w.pid) &&
      Number.isInteger(w.protocol) &&
      typeof w.version === 'string'
    )
      hello.worker = {
        peerId: w.peerId.slice(0, 64),
        pid: w.pid as number,
        protocol: w.protocol as number,
        version: w.version.slice(0, 32),
      };
    const p = m.previous as Record<string, unknown> | undefined;
    // Identities the server hands out are short: anything longer is not one, and is no claim.
    if (
      typeof p === 'object' &&
      p !== null &&
      typeof p.peerId === 'string' &&
      typeof p.token === 'string' &&
      p.peerId.length > 0 &&
      p.peerId.length <= 64 &&
      p.token.length > 0 &&
      p.token.length <= 128
    )
      hello.previous = { peerId: p.peerId, token: p.token };
    return hello;
  }
  return null;
}
