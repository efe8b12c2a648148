/**
 * Messages between the server and its relay process. The server tells the relay who may publish and
 * who should receive; the relay says when it is reachable on PeerServer.
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
}

/**
 * Server → relay: rooms that changed (or every room, with `complete`, when the relay starts), and
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

/** What the relay process is started with (as JSON in RELAY_PROCESS_DATA). */
export interface RelayProcessData {
  /** PeerServer websocket URL with the relay's id and token. */
  peerUrl: string;
  /** Addresses the relay offers to browsers (ICE host candidates). */
  announcedIps: string[];
  /** UDP ports the relay may use, for the school's firewall. */
  portRange: [number, number] | null;
}

/** Where a relay node opens its control websocket on the app server. */
export const RELAY_NODE_PATH = '/relay-node';

/**
 * App server → relay node, on the control websocket: first its PeerServer identity (the path with
 * its id and token, to open on the app server), then what a local worker is told over IPC.
 */
export type ToRelayNode = { type: 'welcome'; peerId: string; peerPath: string } | ToRelay;

/**
 * Relay node → app server: first what it is (its name for the operators, its cores, the UDP ports it
 * uses), then what a local worker says over IPC, and `leaving` when it is told to stop: the server
 * places its rooms elsewhere while it keeps forwarding for LINGER_MS (make-before-break).
 */
export type FromRelayNode =
  { type: 'hello'; name: string; cores: number; portRange: [number, number] | null } | { type: 'leaving' } | FromRelay;

/** `text` parsed as JSON, or undefined when it is not JSON: how the relay's processes read a message before its type. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Parses a message from a relay node; null for anything else. */
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
    return { type: 'hello', name: m.name.slice(0, 64), cores: m.cores as number, portRange: ports };
  }
  return null;
}
