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
