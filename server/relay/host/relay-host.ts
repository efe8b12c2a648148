/**
 * Runs the relays beside the server: starts each local worker as a detached process with its own
 * PeerServer identity and UDP port slice, adopts one that outlived the last server process, restarts
 * one that dies, takes relay nodes from other machines that connected with the shared secret (and
 * takes back, under the identity it had, a node of the last process that still forwards), tells
 * the registry whether each is up, and keeps each told who may publish and who should receive in the
 * rooms placed on it (room-feed.ts). Workers and nodes speak the same control websocket and are the
 * same thing to placement and the registry. It applies the routes and placement the registry
 * decided; it never decides or writes them.
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.ts';
import { keepRelays, setRelayUp, setRelaysUp } from '../../core/room-registry.ts';
import { hashToken, sameSecret } from '../../core/secrets.ts';
import { PEER_KEY, PEER_PATH } from '../../peer/peer-gate.ts';
import type { RoomStore } from '../../room-store.ts';
import {
  RELAY_PROTOCOL,
  type FromRelay,
  type FromRelayNode,
  type RelayHello,
  type RelayProcessData,
  type ToRelayNode,
} from '../messages.ts';
import type { NodeFile, SavedNode } from './node-file.ts';
import { feedRooms } from './room-feed.ts';
import { processAlive, type WorkerFile } from './worker-file.ts';

const MAX_RESTART_BACKOFF_MS = 10_000;
/** Whether this is the built server (plain JavaScript), or source run through tsx (`npm run dev`, tests). */
const COMPILED = import.meta.url.endsWith('.js');

/**
 * What a worker started now runs: the app's version, and from source also the time of the newest
 * change to the relay's code, so that `npm run dev` replaces a worker whose code was edited instead
 * of adopting it (a built server adopts a worker of the previous release and says so).
 */
function workerCode(version: string): string {
  if (COMPILED) return version;
  const relayDir = fileURLToPath(new URL('..', import.meta.url));
  const newest = readdirSync(relayDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .reduce((latest, file) => Math.max(latest, statSync(`${relayDir}/${file}`).mtimeMs), 0);
  return `${version}+source.${Math.round(newest)}`;
}

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

/**
 * The identities of `count` local workers: worker i keeps its saved PeerServer id while a process of
 * it outlived the last server (browsers' calls to it still forward, and it is adopted); otherwise it
 * gets a new one, so its rooms are placed again and browsers, seeing a new relay id in their routes,
 * call the new process at once instead of waiting for their calls to the dead one to time out.
 * Records of other processes are dropped from `file`.
 */
export function workerIdentities(count: number, savedPeerIds: readonly string[], file: WorkerFile): RelayCredentials[] {
  const credentials = Array.from({ length: count }, (_, i) => {
    const saved = savedPeerIds[i];
    const pid = saved === undefined ? null : file.pidOf(saved);
    return { ...newRelayCredentials(), ...(saved && pid !== null && processAlive(pid) ? { peerId: saved } : {}) };
  });
  file.keepOnly(credentials.map((c) => c.peerId));
  return credentials;
}

/**
 * The relay identities PeerServer admits: the local workers' from the start, each node's while it is
 * connected or (a node of the last process) while it may still come back. Tokens are kept hashed.
 */
export class RelayDirectory {
  readonly #tokenHashes = new Map<string, string>();
  #peerIds: readonly string[] = [];

  constructor(credentials: readonly RelayCredentials[] = []) {
    for (const c of credentials) this.add(c);
  }

  /** Admits one more relay. */
  add(credentials: RelayCredentials): void {
    this.addHashed(credentials.peerId, hashToken(credentials.token));
  }

  /** Admits one more relay known by its token's hash (a node saved by the last process). */
  addHashed(peerId: string, tokenHash: string): void {
    this.#tokenHashes.set(peerId, tokenHash);
    this.#peerIds = [...this.#tokenHashes.keys()];
  }

  /** Admits a relay no more. */
  remove(peerId: string): void {
    this.#tokenHashes.delete(peerId);
    this.#peerIds = [...this.#tokenHashes.keys()];
  }

  /** Whether `peerId` is a relay's, with `token` its token. */
  admits(peerId: string, token: string): boolean {
    const expected = this.#tokenHashes.get(peerId);
    return expected !== undefined && sameSecret(hashToken(token), expected);
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

/** A relay's control connection, a worker's or a node's, as the host uses it (node-endpoint.ts holds the websocket). */
export interface NodeLink {
  /** The name it gave, its cores and UDP ports, and a local worker's identity (from its hello). */
  readonly hello: RelayHello;
  send(message: ToRelayNode): void;
}

/** What to call with each message of a relay's control connection, and once it is gone. */
export interface LinkHandlers {
  receive(message: FromRelayNode): void;
  gone(): void;
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
  addNode(link: NodeLink): LinkHandlers;
  /**
   * Takes a local worker's process that connected with the DATA_DIR's secret, as the worker its hello
   * names: null when it is not one of this server's workers, or another process is that worker now.
   */
  adoptWorker(link: NodeLink): LinkHandlers | null;
  /** Stops the relays; with `keepWorkers` (a planned restart) the local workers run on for the next process. */
  close(options?: { keepWorkers: boolean }): void;
}

/**
 * The relays a starting server knows, and whether each is up, for one `setRelaysUp` before anyone can
 * connect: every local worker (so rooms spread while they start), up if its process outlived the
 * last server, and the last process's relay nodes, up. Survivors and nodes forward while no server
 * runs (control-link.ts), so their rooms keep their routes while they connect back. One operation,
 * so that no room moves to whichever relay was made known first.
 */
export function relaysAtStart(
  credentials: readonly RelayCredentials[],
  file: WorkerFile,
  nodeFile: NodeFile,
): (readonly [peerId: string, up: boolean])[] {
  const survived = (peerId: string) => {
    const pid = file.pidOf(peerId);
    return pid !== null && processAlive(pid);
  };
  return [
    ...credentials.map(({ peerId }) => [peerId, survived(peerId)] as const),
    ...nodeFile.saved.map(({ peerId }) => [peerId, true] as const),
  ];
}

/** A local worker started by an earlier app server process has this long to connect back, or a new one starts. */
const ADOPT_WAIT_MS = 5_000;
/**
 * A relay node of the last server process has this long from this one's start to connect back, its
 * rooms held on it meanwhile. It tries every second (control-link.ts), so ten tries over a slow
 * network; its calls last ORPHAN_MS from when it lost the server, which a slow start eats into. One
 * not back by then is gone or cut off: its rooms are placed again rather than held on a dead relay.
 */
const NODE_ADOPT_WAIT_MS = 10_000;

/**
 * Starts (or adopts) one relay worker per credentials (for RELAY_MODE auto or always; none with
 * RELAY_WORKERS=0) for a server reachable at `serverUrl` (ws://127.0.0.1:port), worker i on
 * `portRanges[i]`, recording them in `file`, and takes relay nodes into `directory`.
 */
export function startRelays(deps: {
  config: Pick<Config, 'relay'>;
  store: RoomStore;
  credentials: readonly RelayCredentials[];
  directory: RelayDirectory;
  portRanges: readonly (readonly [number, number] | null)[];
  serverUrl: string;
  file: WorkerFile;
  /** The identities given to relay nodes, this process's and the last one's. */
  nodeFile: NodeFile;
  /** The app's version, given to workers it starts and compared with an adopted one's. */
  version: string;
  log: HostLog;
}): RelayHost {
  const code = workerCode(deps.version);
  const { nodeFile } = deps;
  // Normally known already (instance.ts, before listening); a no-op then.
  deps.store.run((state, ctx) =>
    setRelaysUp(state, { relays: relaysAtStart(deps.credentials, deps.file, nodeFile) }, ctx),
  );
  /** Nodes of the last process that may still connect back, until NODE_ADOPT_WAIT_MS has passed. */
  const awaiting = new Map<string, { saved: SavedNode; timer: ReturnType<typeof setTimeout> }>();
  for (const saved of nodeFile.saved) {
    // Admitted to PeerServer already: signalling for it waits there for it instead of being refused.
    deps.directory.addHashed(saved.peerId, saved.tokenHash);
    const timer = setTimeout(() => {
      awaiting.delete(saved.peerId);
      nodeFile.forget(saved.peerId);
      deps.directory.remove(saved.peerId);
      forgetRelay(deps.store, saved.peerId);
      deps.log.warn(
        { node: saved.name, waitedS: NODE_ADOPT_WAIT_MS / 1000 },
        'a relay node of the last server process did not connect back; its rooms are placed again',
      );
    }, NODE_ADOPT_WAIT_MS);
    awaiting.set(saved.peerId, { saved, timer });
  }
  if (awaiting.size > 0)
    deps.log.info(
      { nodes: nodeFile.saved.map((n) => n.name) },
      'relay nodes of the last server process keep their rooms while they connect back',
    );
  const workers = deps.credentials.map((credentials, i) =>
    startWorker({
      ...deps,
      version: code,
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
      if (workers.length > 0) return workers.every((w) => w.up);
      return [...nodes].some((n) => n.up) || [...awaiting.keys()].some((id) => deps.store.state.relays.get(id));
    },
    get pid() {
      return workers[0]?.pid ?? null;
    },
    get workers() {
      return [...workers, ...nodes];
    },
    adoptWorker(link) {
      const claimed = link.hello.worker;
      // A worker of an older build that would misread this server's messages goes; a new one starts.
      // So does one running relay code edited since (from source), so the edit takes effect.
      if (!claimed || claimed.protocol !== RELAY_PROTOCOL) return null;
      if (!COMPILED && claimed.version !== code) return null;
      const worker = workers.find((w) => w.peerId === claimed.peerId);
      if (worker && claimed.version !== code)
        deps.log.info(
          { worker: worker.name, pid: claimed.pid, runs: claimed.version, server: code },
          'adopted a relay worker of the previous version; it runs that code until it restarts',
        );
      return worker ? worker.attach(link, claimed.pid) : null;
    },
    addNode(link) {
      const taken = new Set([...workers, ...nodes].map((w) => w.name));
      let name = link.hello.name;
      for (let i = 2; taken.has(name); i++) name = `${link.hello.name}-${i}`;
      // A node of the last process is taken back under its identity, its rooms and calls with it,
      // only with that identity's token, and only once: a taken identity is no longer awaited.
      const claimed = link.hello.previous;
      const back = claimed && awaiting.get(claimed.peerId);
      const adopted = back && sameSecret(hashToken(claimed.token), back.saved.tokenHash) ? claimed : null;
      if (back && adopted) {
        clearTimeout(back.timer);
        awaiting.delete(adopted.peerId);
      } else if (claimed) {
        deps.log.info(
          { node: name },
          'a relay node named an identity this server does not await from it; it gets a new one',
        );
      }
      const node = attachNode({
        ...deps,
        link,
        name,
        credentials: adopted ?? newRelayCredentials(),
        adopted: adopted !== null,
        log: deps.log,
      });
      nodes.add(node);
      return {
        receive: node.receive,
        gone: () => {
          nodes.delete(node);
          node.gone();
        },
      };
    },
    close(options) {
      for (const worker of workers) worker.close(options?.keepWorkers ?? false);
      // Nodes forward on without a server (control-link.ts): the next process takes them back, so
      // their identities stay saved and their rooms stay placed on them, as awaited ones do.
      for (const { timer } of awaiting.values()) clearTimeout(timer);
      for (const node of nodes) node.detach();
      nodes.clear();
    },
  };
}

/** A relay's reports turned into totals over its runs and rates over the last interval. */
function statsTracker() {
  let stats: WorkerStats = { forwardedPackets: 0, cpuSeconds: 0, packetsPerSecond: 0, cpuRatio: 0 };
  let last: { packets: number; cpuMicros: number; at: number } | null = {
    packets: 0,
    cpuMicros: 0,
    at: performance.now(),
  };
  return {
    get stats() {
      return stats;
    },
    /** A new process started: its counters start from zero. */
    restarted() {
      last = { packets: 0, cpuMicros: 0, at: performance.now() };
    },
    /** A process an earlier server started: its first report is where its counters stand. */
    adopted() {
      last = null;
    },
    /** The process stopped: no rates until it reports again. */
    stopped() {
      stats = { ...stats, packetsPerSecond: 0, cpuRatio: 0 };
    },
    report(message: Extract<FromRelay, { type: 'stats' }>) {
      const at = performance.now();
      if (last === null) {
        last = { packets: message.forwardedPackets, cpuMicros: message.cpuMicros, at };
        return;
      }
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

/** A worker just started has this long to connect (loading werift from source on a busy core takes seconds). */
const START_WAIT_MS = 30_000;
/** How often a worker without its control websocket is checked for being alive. */
const WATCH_INTERVAL_MS = 250;

/** A local worker as the host drives it. */
type LocalWorker = RelayWorker & {
  /** Its process connected and said hello: adopted (handlers for its messages), or null if refused. */
  attach(link: NodeLink, pid: number): { receive(message: FromRelayNode): void; gone(): void } | null;
  /** Stops it, or (`keepProcess`) only stops driving it: a planned restart's next process adopts it. */
  close(keepProcess: boolean): void;
};

/**
 * One local relay worker: a detached process (it outlives this one) that connects back over the
 * control websocket with the DATA_DIR's secret. One that outlived the last app server process counts
 * as up at once (its calls still forward) and is adopted when it connects; one that is gone is
 * started again, with backoff, under the same identity.
 */
function startWorker(deps: {
  config: Pick<Config, 'relay'>;
  store: RoomStore;
  name: string;
  credentials: RelayCredentials;
  portRange: readonly [number, number] | null;
  serverUrl: string;
  file: WorkerFile;
  version: string;
  log: HostLog;
}): LocalWorker {
  const { config, store, log, credentials, file } = deps;
  const { peerId } = credentials;
  let link: NodeLink | null = null;
  /** The worker's process: started here, or recorded by an earlier app server process. */
  let pid: number | null = null;
  let closed = false;
  let backoffMs = 500;
  let restart: ReturnType<typeof setTimeout> | undefined;
  let watch: ReturnType<typeof setInterval> | undefined;
  let waitUntil = 0;

  /** The worker's up/down is registry input: the routes of its rooms follow it in that one operation. */
  const setUp = (up: boolean) => store.run((state, ctx) => setRelayUp(state, { peerId, up }, ctx));
  const feed = feedRooms({ store, peerId, tell: (message) => link?.send(message) });
  const tracker = statsTracker();

  const spawnWorker = () => {
    const data: RelayProcessData = {
      serverUrl: deps.serverUrl,
      secret: file.secret,
      name: deps.name,
      peerId,
      version: deps.version,
      announcedIps: [...config.relay.announcedIps],
      portRange: deps.portRange ? [...deps.portRange] : null,
    };
    const entry = fileURLToPath(new URL(`../worker/main.${COMPILED ? 'js' : 'ts'}`, import.meta.url));
    // Detached, in its own process group: a planned restart of this process must not stop the screens.
    const child = spawn(process.execPath, [...(COMPILED ? [] : ['--import', 'tsx']), entry], {
      env: { ...process.env, RELAY_PROCESS_DATA: JSON.stringify(data) },
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.unref();
    child.on('error', (err) => log.warn({ err }, 'could not start a relay worker'));
    child.on('exit', (code, signal) => {
      if (!closed && pid === child.pid)
        log.warn({ code, signal }, 'relay worker stopped; its rooms fall back to peer to peer while it restarts');
    });
    pid = child.pid ?? null;
    if (pid !== null) file.record(peerId, pid);
    tracker.restarted();
    awaitLink(START_WAIT_MS);
  };

  /** The process is gone: its rooms go peer to peer, and another starts after a backoff. */
  const processGone = () => {
    stopWatching();
    pid = null;
    file.record(peerId, null);
    tracker.stopped();
    setUp(false);
    if (closed) return;
    restart = setTimeout(spawnWorker, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_RESTART_BACKOFF_MS);
  };

  /** Waits `ms` for the process to connect; it is started again if it dies or takes longer. */
  const awaitLink = (ms: number) => {
    waitUntil = performance.now() + ms;
    stopWatching();
    watch = setInterval(() => {
      if (link || closed) return stopWatching();
      if (pid !== null && processAlive(pid)) {
        if (performance.now() < waitUntil) return;
        log.warn({ pid }, 'relay worker did not connect; starting a new one');
        process.kill(pid, 'SIGKILL');
      }
      processGone();
    }, WATCH_INTERVAL_MS);
  };
  const stopWatching = () => {
    clearInterval(watch);
    watch = undefined;
  };

  const survivor = file.pidOf(peerId);
  if (survivor !== null && processAlive(survivor)) {
    pid = survivor;
    // It kept forwarding while no server ran: its rooms stay on their routes while it connects back.
    setUp(true);
    tracker.adopted();
    log.info({ pid }, 'a relay worker outlived the last server process; waiting for it to connect back');
    awaitLink(ADOPT_WAIT_MS);
  } else {
    setUp(false);
    spawnWorker();
  }

  return {
    name: deps.name,
    kind: 'worker',
    peerId,
    portRange: deps.portRange,
    cores: null,
    get stats() {
      return tracker.stats;
    },
    get up() {
      return store.state.relays.get(peerId) === true;
    },
    get pid() {
      return pid;
    },
    attach(newLink, newPid) {
      // Another process under this identity (a survivor given up on, now late) is told to go.
      if (closed || link || (pid !== null && pid !== newPid)) return null;
      clearTimeout(restart);
      stopWatching();
      link = newLink;
      if (pid !== newPid) file.record(peerId, newPid);
      pid = newPid;
      newLink.send({ type: 'welcome', peerId, token: credentials.token, peerPath: peerServerPath(credentials) });
      return {
        receive(message) {
          if (link !== newLink) return;
          if (message.type === 'stats') return tracker.report(message);
          if (message.type !== 'ready') return;
          backoffMs = 500;
          log.info({ pid }, 'relay is up');
          setUp(true);
          feed.all();
        },
        gone() {
          if (link !== newLink) return;
          link = null;
          if (closed) return;
          // Its process died or hangs: peer to peer until it connects again or another one is up.
          setUp(false);
          awaitLink(ADOPT_WAIT_MS);
        },
      };
    },
    close(keepProcess) {
      closed = true;
      clearTimeout(restart);
      stopWatching();
      feed.stop();
      link = null;
      // Kept for the next process: its rooms' routes are saved as they are, relay and all.
      if (keepProcess) return;
      if (pid !== null && processAlive(pid)) process.kill(pid, 'SIGTERM');
      file.record(peerId, null);
      setUp(false);
    },
  };
}

/**
 * A relay node on another machine, from its hello until its connection is gone: it gets a fresh
 * identity (or, `adopted`, the one it had under the last server process, whose rooms are still placed
 * on it). Once registered with PeerServer it is known to placement, and its identity is saved in
 * the nodes' file so the next process can take it back. It is forgotten when it leaves (its rooms
 * are placed again, on another relay or peer to peer, while it keeps forwarding them for
 * LINGER_MS) or its connection drops while this server runs: a node whose process or machine ended, most likely, since one that
 * only lost the server reconnects at once, and its rooms are better placed again than held.
 */
function attachNode(deps: {
  store: RoomStore;
  directory: RelayDirectory;
  nodeFile: NodeFile;
  link: NodeLink;
  name: string;
  credentials: RelayCredentials;
  adopted: boolean;
  log: HostLog;
}): RelayWorker & { receive(message: FromRelayNode): void; gone(): void; detach(): void } {
  const { store, directory, nodeFile, link, name, credentials } = deps;
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
  // Its counters carry on from its run under the last server: the first report is where they stand.
  if (deps.adopted) tracker.adopted();
  /** Out of placement, and no next process takes it back: the registry places its rooms again. */
  const forget = () => {
    nodeFile.forget(credentials.peerId);
    forgetRelay(store, credentials.peerId);
  };
  directory.add(credentials);
  link.send({
    type: 'welcome',
    peerId: credentials.peerId,
    token: credentials.token,
    peerPath: peerServerPath(credentials),
  });
  log.info(
    { cores: link.hello.cores, portRange: link.hello.portRange },
    deps.adopted
      ? 'relay node connected back after the server restarted; its rooms and calls carry on'
      : 'relay node connected',
  );

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
        // From now on it holds calls that outlive this process: the next one may take it back.
        nodeFile.record({ peerId: credentials.peerId, tokenHash: hashToken(credentials.token), name });
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
    detach() {
      // This server stops: the node forwards on, its identity saved, its rooms placed on it as saved.
      ended = true;
      feed.stop();
      tracker.stopped();
    },
  };
}

/** Out of placement: the registry places the rooms of relay `peerId` again (keeping every other relay). */
function forgetRelay(store: RoomStore, peerId: string): void {
  store.run((state, ctx) =>
    keepRelays(state, { peerIds: [...state.relays.keys()].filter((id) => id !== peerId) }, ctx),
  );
}

/** Where a relay opens PeerServer's websocket under its identity (the path and key the PWA gets too). */
function peerServerPath(credentials: RelayCredentials): string {
  return `${PEER_PATH}/peerjs?key=${PEER_KEY}&id=${credentials.peerId}&token=${credentials.token}`;
}
