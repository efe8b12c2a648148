/**
 * Runs the relay workers beside the server: forks each as a process with its own PeerServer
 * identity and UDP port slice, restarts one that dies, tells the registry whether each is up, and
 * keeps each told who may publish and who should receive in the rooms placed on it. It applies the
 * routes and placement the registry decided; it never decides or writes them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import { isRelayed, sendsToRelay } from '../../src/shared/protocol.ts';
import { setRelayUp, type RegistryState, type Room } from '../core/room-registry.ts';
import type { RoomStore } from '../room-store.ts';
import { LINGER_MS, type FromRelay, type RelayRoom, type RelayProcessData, type ToRelay } from './relay-protocol.ts';

/** How often rooms that stopped using the relay are checked for having lingered long enough. */
const LINGER_CHECK_INTERVAL_MS = 1000;
const MAX_RESTART_BACKOFF_MS = 10_000;

/** The parts of the logger the host uses. */
interface HostLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The relay's PeerServer id and token; the same across its restarts. */
export interface RelayCredentials {
  readonly peerId: string;
  readonly token: string;
}

/** A fresh relay identity (PeerJS ids allow letters and digits). */
export function newRelayCredentials(): RelayCredentials {
  return { peerId: `relay${randomBytes(12).toString('hex')}`, token: randomBytes(32).toString('base64url') };
}

/** One running relay worker. */
export interface RelayWorker {
  /** Its PeerServer id (the same across its restarts). */
  readonly peerId: string;
  /** Whether it is up and registered with PeerServer. */
  readonly up: boolean;
  /** Its process's pid, while it runs. */
  readonly pid: number | null;
  /** The UDP ports it uses for media, or null for any. */
  readonly portRange: readonly [number, number] | null;
  /** What it reported last: totals since the current process started, and that process's rates. */
  readonly stats: WorkerStats;
}

/** A worker's latest report. */
export interface WorkerStats {
  /** RTP packets sent to viewers over all its runs. */
  readonly forwardedPackets: number;
  /** CPU seconds used over all its runs. */
  readonly cpuSeconds: number;
  /** Over the last report interval: packets sent per second, and the share of one core used (0–1). */
  readonly packetsPerSecond: number;
  readonly cpuRatio: number;
}

/** The running relay workers. */
export interface RelayHost {
  /** Whether every worker is up and registered with PeerServer. */
  readonly up: boolean;
  /** The first worker's pid, while it runs. */
  readonly pid: number | null;
  readonly workers: readonly RelayWorker[];
  close(): void;
}

/**
 * Starts one relay worker per credentials (for RELAY_MODE auto or always) for a server reachable at
 * `peerServerUrl` (ws://127.0.0.1:port), worker i on `portRanges[i]`.
 */
export function startRelays(deps: {
  config: Pick<Config, 'relay'>;
  store: RoomStore;
  credentials: readonly RelayCredentials[];
  portRanges: readonly (readonly [number, number] | null)[];
  peerServerUrl: string;
  log: HostLog;
}): RelayHost {
  // Every worker is known to placement before any is up, so rooms spread while they start.
  for (const { peerId } of deps.credentials)
    deps.store.run((state, ctx) => setRelayUp(state, { peerId, up: false }, ctx));
  const workers = deps.credentials.map((credentials, i) =>
    startWorker({
      ...deps,
      credentials,
      portRange: deps.portRanges[i] ?? null,
      log: {
        info: (o, m) => deps.log.info({ ...o, worker: i }, m),
        warn: (o, m) => deps.log.warn({ ...o, worker: i }, m),
      },
    }),
  );
  return {
    get up() {
      return workers.every((w) => w.up);
    },
    get pid() {
      return workers[0]?.pid ?? null;
    },
    workers,
    close() {
      for (const worker of workers) worker.close();
    },
  };
}

/** Starts one relay worker. */
function startWorker(deps: {
  config: Pick<Config, 'relay'>;
  store: RoomStore;
  credentials: RelayCredentials;
  portRange: readonly [number, number] | null;
  peerServerUrl: string;
  log: HostLog;
}): RelayWorker & { close(): void } {
  const { config, store, log, credentials } = deps;
  let child: ChildProcess | null = null;
  let closed = false;
  let backoffMs = 500;
  let restart: ReturnType<typeof setTimeout> | undefined;

  const tell = (message: ToRelay) => {
    if (child?.connected) child.send(message);
  };
  /** The worker's up/down is registry input: the routes of its rooms follow it in that one operation. */
  const setUp = (up: boolean) => store.run((state, ctx) => setRelayUp(state, { peerId: credentials.peerId, up }, ctx));
  /**
   * Rooms the relay knows of: those where some screen goes through it (null), and for a while
   * those that just stopped, with since when (so the relay keeps their calls up until the direct
   * ones work).
   */
  const known = new Map<string, number | null>();
  const expired = (since: number | null | undefined, now: number) =>
    typeof since === 'number' && now - since >= LINGER_MS + LINGER_CHECK_INTERVAL_MS;
  /** Tells the relay about the rooms named (all of them without `codes`), and which it can forget. */
  const publish = (state: RegistryState, codes?: Iterable<string>) => {
    if (!codes) known.clear();
    const now = store.now();
    const rooms: RelayRoom[] = [];
    const removed: string[] = [];
    for (const code of codes ?? state.rooms.keys()) {
      const room = state.rooms.get(code);
      if (room && usesRelay(room) && room.routes.relayPeerId === credentials.peerId) known.set(code, null);
      else if (room && known.has(code)) known.set(code, known.get(code) ?? now);
      if (room && known.has(code) && !expired(known.get(code), now)) rooms.push(relayRoom(room));
      else if (known.delete(code)) removed.push(code);
    }
    if (!codes || rooms.length > 0 || removed.length > 0) tell({ type: 'rooms', rooms, removed, complete: !codes });
  };
  /** Rooms that stopped using the relay long enough ago are forgotten. */
  const forgetStale = () => {
    const now = store.now();
    const stale = [...known].filter(([, since]) => expired(since, now)).map(([code]) => code);
    if (stale.length > 0) publish(store.state, stale);
  };

  let stats: WorkerStats = { forwardedPackets: 0, cpuSeconds: 0, packetsPerSecond: 0, cpuRatio: 0 };
  const spawn = () => {
    const data: RelayProcessData = {
      peerUrl: `${deps.peerServerUrl}/peerjs/peerjs?key=peerjs&id=${credentials.peerId}&token=${credentials.token}`,
      announcedIps: [...config.relay.announcedIps],
      portRange: deps.portRange ? [...deps.portRange] : null,
    };
    const compiled = import.meta.url.endsWith('.js');
    const entry = fileURLToPath(new URL(`./relay-process.${compiled ? 'js' : 'ts'}`, import.meta.url));
    child = fork(entry, [], {
      env: { ...process.env, RELAY_PROCESS_DATA: JSON.stringify(data) },
      // Run from source (tests, `npm run dev`) through tsx; the built server runs plain JavaScript.
      execArgv: compiled ? [] : ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const current = child;
    let last = { packets: 0, cpuMicros: 0, at: performance.now() };
    current.on('message', (message: FromRelay) => {
      if (child !== current) return;
      if (message.type === 'stats') {
        const at = performance.now();
        const seconds = Math.max((at - last.at) / 1000, 0.001);
        const packets = Math.max(0, message.forwardedPackets - last.packets);
        const cpuMicros = Math.max(0, message.cpuMicros - last.cpuMicros);
        stats = {
          forwardedPackets: stats.forwardedPackets + packets,
          cpuSeconds: stats.cpuSeconds + cpuMicros / 1e6,
          packetsPerSecond: packets / seconds,
          cpuRatio: cpuMicros / 1e6 / seconds,
        };
        last = { packets: message.forwardedPackets, cpuMicros: message.cpuMicros, at };
        return;
      }
      backoffMs = 500;
      log.info({ pid: current.pid }, 'relay is up');
      setUp(true);
      publish(store.state);
    });
    current.on('exit', (code, signal) => {
      if (child !== current) return;
      child = null;
      stats = { ...stats, packetsPerSecond: 0, cpuRatio: 0 };
      setUp(false);
      if (closed) return;
      log.warn({ code, signal }, 'relay worker stopped; its rooms fall back to peer to peer while it restarts');
      restart = setTimeout(spawn, backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_RESTART_BACKOFF_MS);
    });
  };

  // Only the rooms an event touched: a busy server must not resend every room on every join.
  const unsubscribe = store.subscribe((events, state) => publish(state, new Set(events.map((e) => e.code))));
  const timer = setInterval(forgetStale, LINGER_CHECK_INTERVAL_MS);
  timer.unref();
  spawn();

  return {
    peerId: credentials.peerId,
    portRange: deps.portRange,
    get stats() {
      return stats;
    },
    get up() {
      return store.state.relays.get(credentials.peerId) === true;
    },
    get pid() {
      return child?.pid ?? null;
    },
    close() {
      closed = true;
      clearTimeout(restart);
      clearInterval(timer);
      unsubscribe();
      child?.kill();
      setUp(false);
    },
  };
}

/** Whether some screen in the room goes through the relay. */
function usesRelay(room: Room): boolean {
  return room.routes.transport === 'relay' || room.routes.relayedPairs.length > 0;
}

/** What the relay needs to know of a room. */
function relayRoom(room: Room): RelayRoom {
  const supervisors = room.members.filter((m) => m.role === 'supervisor' && m.connected);
  return {
    code: room.code,
    students: room.members
      .filter((m) => m.role === 'student')
      .map((m) => ({
        memberId: m.id,
        peerId: m.peerId,
        sharing: m.share === 'sharing',
        publishes: sendsToRelay(room.routes, m.id),
        viewers: supervisors.filter((s) => isRelayed(room.routes, m.id, s.id)).map((s) => s.id),
      })),
    supervisors: supervisors.map((m) => ({ memberId: m.id, peerId: m.peerId })),
  };
}
