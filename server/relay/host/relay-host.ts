/**
 * Runs the relays beside the server: forks each local worker as a process with its own PeerServer
 * identity and UDP port slice and restarts one that dies, takes relay nodes from other machines that
 * connected with the shared secret, tells the registry whether each is up, and keeps each told who
 * may publish and who should receive in the rooms placed on it (room-feed.ts). A worker and a node
 * are the same thing to placement and to the registry. It applies the routes and placement the
 * registry decided; it never decides or writes them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.ts';
import { keepRelays, setRelayUp } from '../../core/room-registry.ts';
import { PEER_KEY, PEER_PATH } from '../../peer/peer-gate.ts';
import type { RoomStore } from '../../room-store.ts';
import type { FromRelay, FromRelayNode, RelayProcessData, ToRelayNode } from '../messages.ts';
import { feedRooms } from './room-feed.ts';

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

/** The relay identities PeerServer admits: the local workers' from the start, each node's while it is connected. */
export class RelayDirectory {
  readonly #tokens = new Map<string, string>();
  #peerIds: readonly string[] = [];

  constructor(credentials: readonly RelayCredentials[] = []) {
    for (const c of credentials) this.add(c);
  }

  /** Admits one more relay. */
  add(credentials: RelayCredentials): void {
    this.#tokens.set(credentials.peerId, credentials.token);
    this.#peerIds = [...this.#tokens.keys()];
  }

  /** Admits a relay no more. */
  remove(peerId: string): void {
    this.#tokens.delete(peerId);
    this.#peerIds = [...this.#tokens.keys()];
  }

  /** Whether `peerId` is a relay's, with `token` its token. */
  admits(peerId: string, token: string): boolean {
    const expected = this.#tokens.get(peerId);
    return expected !== undefined && expected === token;
  }

  /** Every relay's peer id. */
  get peerIds(): readonly string[] {
    return this.#peerIds;
  }
}

/** One relay: a local worker, or a node on another machine. */
export interface RelayWorker {
  /** How operators know it: the worker's index ("0", "1" …), or the node's name. */
  readonly name: string;
  /** A process of this server, or a node that connected from another machine. */
  readonly kind: 'worker' | 'node';
  /** Its PeerServer id (a worker's is the same across its restarts). */
  readonly peerId: string;
  /** Whether it is up and registered with PeerServer. */
  readonly up: boolean;
  /** A local worker's pid, while it runs; null for a node. */
  readonly pid: number | null;
  /** The UDP ports it uses for media, or null for any. */
  readonly portRange: readonly [number, number] | null;
  /** Cores of its machine (a node reports them; a local worker shares this server's). */
  readonly cores: number | null;
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

/** A relay node's control connection, as the host uses it (node-endpoint.ts holds the websocket). */
export interface NodeLink {
  /** The name the node gave, its cores and UDP ports (from its hello). */
  readonly hello: { name: string; cores: number; portRange: [number, number] | null };
  send(message: ToRelayNode): void;
}

/** The running relays. */
export interface RelayHost {
  /** Whether every local worker is up and registered with PeerServer (with none: whether some node is). */
  readonly up: boolean;
  /** The first worker's pid, while it runs. */
  readonly pid: number | null;
  /** The local workers, then the nodes connected now. */
  readonly workers: readonly RelayWorker[];
  /**
   * Takes a node that connected with the shared secret and said hello: gives it an identity and
   * rooms. Returns what to call with each of its messages, and once its connection is gone.
   */
  addNode(link: NodeLink): { receive(message: FromRelayNode): void; gone(): void };
  close(): void;
}

/**
 * Starts one relay worker per credentials (for RELAY_MODE auto or always; none with RELAY_WORKERS=0)
 * for a server reachable at `peerServerUrl` (ws://127.0.0.1:port), worker i on `portRanges[i]`, and
 * takes relay nodes into `directory`.
 */
export function startRelays(deps: {
  config: Pick<Config, 'relay'>;
  store: RoomStore;
  credentials: readonly RelayCredentials[];
  directory: RelayDirectory;
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
      name: String(i),
      credentials,
      portRange: deps.portRanges[i] ?? null,
      log: {
        info: (o, m) => deps.log.info({ ...o, worker: i }, m),
        warn: (o, m) => deps.log.warn({ ...o, worker: i }, m),
      },
    }),
  );
  const nodes = new Set<ReturnType<typeof attachNode>>();
  return {
    get up() {
      return workers.length > 0 ? workers.every((w) => w.up) : [...nodes].some((n) => n.up);
    },
    get pid() {
      return workers[0]?.pid ?? null;
    },
    get workers() {
      return [...workers, ...nodes];
    },
    addNode(link) {
      const taken = new Set([...workers, ...nodes].map((w) => w.name));
      let name = link.hello.name;
      for (let i = 2; taken.has(name); i++) name = `${link.hello.name}-${i}`;
      const node = attachNode({ ...deps, link, name, log: deps.log });
      nodes.add(node);
      return {
        receive: node.receive,
        gone: () => {
          nodes.delete(node);
          node.gone();
        },
      };
    },
    close() {
      for (const worker of workers) worker.close();
      for (const node of nodes) node.gone();
      nodes.clear();
    },
  };
}

/** A relay's reports turned into totals over its runs and rates over the last interval. */
function statsTracker() {
  let stats: WorkerStats = { forwardedPackets: 0, cpuSeconds: 0, packetsPerSecond: 0, cpuRatio: 0 };
  let last = { packets: 0, cpuMicros: 0, at: performance.now() };
  return {
    get stats() {
      return stats;
    },
    /** A new process started: its counters start from zero. */
    restarted() {
      last = { packets: 0, cpuMicros: 0, at: performance.now() };
    },
    /** The process stopped: no rates until it reports again. */
    stopped() {
      stats = { ...stats, packetsPerSecond: 0, cpuRatio: 0 };
    },
    report(message: Extract<FromRelay, { type: 'stats' }>) {
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
    },
  };
}

/** Starts one relay worker. */
function startWorker(deps: {
  config: Pick<Config, 'relay'>;
  store: RoomStore;
  name: string;
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

  /** The worker's up/down is registry input: the routes of its rooms follow it in that one operation. */
  const setUp = (up: boolean) => store.run((state, ctx) => setRelayUp(state, { peerId: credentials.peerId, up }, ctx));
  const feed = feedRooms({
    store,
    peerId: credentials.peerId,
    tell: (message) => {
      if (child?.connected) child.send(message);
    },
  });
  const tracker = statsTracker();

  const spawn = () => {
    const data: RelayProcessData = {
      peerUrl: `${deps.peerServerUrl}${peerServerPath(credentials)}`,
      announcedIps: [...config.relay.announcedIps],
      portRange: deps.portRange ? [...deps.portRange] : null,
    };
    const compiled = import.meta.url.endsWith('.js');
    const entry = fileURLToPath(new URL(`../worker/main.${compiled ? 'js' : 'ts'}`, import.meta.url));
    child = fork(entry, [], {
      env: { ...process.env, RELAY_PROCESS_DATA: JSON.stringify(data) },
      // Run from source (tests, `npm run dev`) through tsx; the built server runs plain JavaScript.
      execArgv: compiled ? [] : ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const current = child;
    tracker.restarted();
    current.on('message', (message: FromRelay) => {
      if (child !== current) return;
      if (message.type === 'stats') return tracker.report(message);
      backoffMs = 500;
      log.info({ pid: current.pid }, 'relay is up');
      setUp(true);
      feed.all();
    });
    current.on('exit', (code, signal) => {
      if (child !== current) return;
      child = null;
      tracker.stopped();
      setUp(false);
      if (closed) return;
      log.warn({ code, signal }, 'relay worker stopped; its rooms fall back to peer to peer while it restarts');
      restart = setTimeout(spawn, backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_RESTART_BACKOFF_MS);
    });
  };
  spawn();

  return {
    name: deps.name,
    kind: 'worker',
    peerId: credentials.peerId,
    portRange: deps.portRange,
    cores: null,
    get stats() {
      return tracker.stats;
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
      feed.stop();
      child?.kill();
      setUp(false);
    },
  };
}

/**
 * A relay node on another machine, from its hello until its connection is gone: it gets a fresh
 * identity, is known to placement once registered with PeerServer, and is forgotten when it leaves
 * (its rooms are placed again, on another relay or peer to peer, while it keeps forwarding them for
 * LINGER_MS) or its connection drops.
 */
function attachNode(deps: {
  store: RoomStore;
  directory: RelayDirectory;
  link: NodeLink;
  name: string;
  log: HostLog;
}): RelayWorker & { receive(message: FromRelayNode): void; gone(): void } {
  const { store, directory, link, name } = deps;
  const credentials = newRelayCredentials();
  const log = {
    info: (o: object, m: string) => deps.log.info({ ...o, node: name }, m),
    warn: (o: object, m: string) => deps.log.warn({ ...o, node: name }, m),
  };
  let ended = false;
  /** Once it said it leaves, nothing it says brings it back into placement (a PeerServer reconnect sends `ready` again). */
  let leaving = false;
  const feed = feedRooms({
    store,
    peerId: credentials.peerId,
    tell: (message) => {
      if (!ended) link.send(message);
    },
  });
  const tracker = statsTracker();
  /** Out of placement: the registry places its rooms again (keeping every other relay). */
  const forget = () =>
    store.run((state, ctx) =>
      keepRelays(state, { peerIds: [...state.relays.keys()].filter((id) => id !== credentials.peerId) }, ctx),
    );
  directory.add(credentials);
  link.send({
    type: 'welcome',
    peerId: credentials.peerId,
    peerPath: peerServerPath(credentials),
  });
  log.info({ cores: link.hello.cores, portRange: link.hello.portRange }, 'relay node connected');

  return {
    name,
    kind: 'node',
    peerId: credentials.peerId,
    portRange: link.hello.portRange,
    cores: link.hello.cores,
    get stats() {
      return tracker.stats;
    },
    get up() {
      return store.state.relays.get(credentials.peerId) === true;
    },
    pid: null,
    receive(message) {
      if (ended) return;
      if (message.type === 'stats') return tracker.report(message);
      if (message.type === 'ready' && !leaving) {
        log.info({}, 'relay node is up');
        store.run((state, ctx) => setRelayUp(state, { peerId: credentials.peerId, up: true }, ctx));
        feed.all();
      } else if (message.type === 'leaving') {
        leaving = true;
        log.info({}, 'relay node is leaving; its rooms are placed again while it keeps forwarding them');
        forget();
      }
    },
    gone() {
      if (ended) return;
      ended = true;
      feed.stop();
      tracker.stopped();
      forget();
      directory.remove(credentials.peerId);
      log.warn({}, 'relay node disconnected; its rooms are placed again');
    },
  };
}

/** Where a relay opens PeerServer's websocket under its identity (the path and key the PWA gets too). */
function peerServerPath(credentials: RelayCredentials): string {
  return `${PEER_PATH}/peerjs?key=${PEER_KEY}&id=${credentials.peerId}&token=${credentials.token}`;
}
