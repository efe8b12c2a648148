/**
 * The composition root: builds the parts, wires each adapter to the room store, and listens.
 * Used by the command-line entry point and by the tests, so both run the same server.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Logger } from 'pino';
import { portSlices, relayWorkerCount, type Config } from './config.ts';
import { SignIn } from './auth/sign-in.ts';
import { resumeAfterRestart } from './core/restart.ts';
import { LessonRecorder } from './db/lesson-recorder.ts';
import { deleteExpiredLessons } from './db/lessons-repo.ts';
import { openDatabase } from './db/open-database.ts';
import { emptyRegistry, setRelaysUp, sweep } from './core/room-registry.ts';
import { LobbyStreams } from './events/lobby-streams.ts';
import { RoomStreams } from './events/room-streams.ts';
import { TabBoard } from './tabs/tab-board.ts';
import { createApi } from './http/api.ts';
import { createPasscodeGate } from './http/passcode.ts';
import { limiter } from './http/limits.ts';
import { extensionRoutes } from './http/routes/extension.ts';
import { answerClientErrors, securityHeaders } from './http/security.ts';
import { UpgradeRouter } from './http/upgrades.ts';
import { loopbackPeerUrl, publicUrl } from './http/urls.ts';
import { createWebApp, requestLog } from './http/web.ts';
import { EXTENSION_PATH } from './extension/extension-package.ts';
import { openExtension } from './extension/open-extension.ts';
import { createMetrics, timedSaves, timeJoins } from './metrics.ts';
import { PEER_PATH, createPeerGate, type DropReason } from './peer/peer-gate.ts';
import {
  RelayDirectory,
  relaysAtStart,
  startRelays,
  workerIdentities,
  type RelayHost,
} from './relay/host/relay-host.ts';
import { acceptRelayNodes } from './relay/host/node-endpoint.ts';
import { openNodeFile } from './relay/host/node-file.ts';
import { openWorkerFile } from './relay/host/worker-file.ts';
import { RoomStore } from './room-store.ts';
import { openStateStore } from './store/open-store.ts';
import { loadState, StateSaver } from './store/persistence.ts';
import { startStunResponder, type StunResponder } from './stun/stun-responder.ts';

/** How often deadlines (reconnect grace, empty-room time) are checked. */
const SWEEP_INTERVAL_MS = 500;
/** How often lessons past RECORD_RETENTION_DAYS are deleted (also once at start). */
const RETENTION_INTERVAL_MS = 24 * 60 * 60_000;
/** On stop, PeerServer sockets get this long to finish their close handshake before they are cut. */
const SOCKET_CLOSE_MS = 1_000;

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  readonly port: number;
  readonly store: RoomStore;
  /** Open event streams and PeerServer sockets, for health checks and benchmarks. */
  connections(): { roomStreams: number; lobbyStreams: number; peers: number; peerSockets: number };
  /** Signalling messages PeerServer did not pass on, by reason. */
  droppedSignals(): Readonly<Record<DropReason, number>>;
  /** The relay workers, when RELAY_MODE is not off. */
  readonly relay: RelayHost | null;
  /** Refuses new rooms and members (503 server-restarting) and tells every stream `server-restarting`. */
  drain(): void;
  /** Saves the whole state again soon (the store may have lost it, e.g. Redis restarted empty). */
  saveAgain(): void;
  /** Resolves once every lesson record write queued so far has finished. */
  flushRecords(): Promise<void>;
  /**
   * Stops: drains, ends every stream and socket, saves the state, and resolves when closed. With
   * `keepRelayWorkers` (a planned restart) the local relay workers keep forwarding for the next process.
   */
  close(options?: { keepRelayWorkers: boolean }): Promise<void>;
}

/** Starts the server described by `config`; `webDir` is the built PWA, `extensionDir` the built companion extension. */
export async function startServer(
  config: Config,
  deps: {
    log: Logger;
    version: string;
    webDir: string;
    /** Where the extension was built; without it the extension is not served (nor a signing key made). */
    extensionDir?: string;
    clock?: () => number;
    /** The timer slow-downs wait on (wrong teacher passcodes); tests pass one they hold and release. */
    wait?: (ms: number) => Promise<void>;
    /** With Redis and a standby: the lease this instance holds, which fences its writes. */
    leaseId?: string;
  },
): Promise<RunningServer> {
  const { log, version } = deps;
  const clock = deps.clock ?? Date.now;
  const app = express();
  app.disable('x-powered-by');
  // One proxy hop: the address the proxy appended, never one a client wrote into X-Forwarded-For itself.
  app.set('trust proxy', config.trustProxy ? 1 : false);
  const server: HttpServer = config.tls
    ? createHttpsServer({ cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) }, app)
    : createHttpServer(app);
  answerClientErrors(server);

  // Classes, rosters and lesson records: SQLite in DATA_DIR unless DATABASE_URL names PostgreSQL.
  // The companion extension, signed for force-installation (a key is made in DATA_DIR on first start).
  const extension = deps.extensionDir
    ? await openExtension(config, deps.extensionDir, log.child({ part: 'extension' }))
    : null;
  const database = await openDatabase(config, (err) => log.warn({ err }, 'classes database connection error'));
  log.info({ database: database.kind, where: database.where }, 'classes database open');

  let relay: RelayHost | null = null;
  let store: RoomStore | null = null;
  const metrics = config.metricsToken
    ? createMetrics({ token: config.metricsToken, state: () => store?.state ?? emptyRegistry, relay: () => relay })
    : null;
  // Rooms saved before a restart (or a crash) come back, every member with the full reconnect grace.
  const stateStore = timedSaves(
    await openStateStore(config.store, (err) => log.debug({ err }, 'store connection error'), deps.leaseId ?? null),
    metrics,
  );
  const loaded = stateStore
    ? await loadState(stateStore, log.child({ part: 'store' }), clock())
    : { registry: emptyRegistry, relayPeerIds: [] };
  let saver: StateSaver | null = null;
  store = new RoomStore({
    clock,
    initial: resumeAfterRestart(loaded.registry, clock()),
    onChange: () => saver?.changed(),
    random: (n) => randomBytes(n),
    limits: {
      maxRooms: config.maxRooms,
      maxMembersPerRoom: config.maxMembersPerRoom,
      reconnectGraceMs: config.reconnectGraceS * 1000,
      emptyRoomTtlMs: config.emptyRoomTtlS * 1000,
      maxRoomsPerAddress: config.roomsPerAddress,
      unclaimedRoomTtlMs: config.unclaimedRoomTtlS * 1000,
    },
    routing: {
      mode: config.relay.mode,
      minSupervisors: config.relay.minSupervisors,
      holdMs: config.relay.holdS * 1000,
    },
    onListenerError: (err) => log.error({ err }, 'an event adapter failed'),
  });
  const roomStreams = new RoomStreams();
  const lobbyStreams = new LobbyStreams();
  store.subscribe(roomStreams.publish);
  const tabs = new TabBoard(roomStreams);
  store.subscribe(tabs.forget);
  store.subscribe(lobbyStreams.publish);
  const recorder = new LessonRecorder({ db: database.db, clock, log: log.child({ part: 'records' }) });
  store.subscribe(recorder.listen);
  store.subscribe((events) => {
    for (const { type, code, ...rest } of events) {
      if (type === 'room-created' || type === 'room-terminated' || type === 'host-changed') {
        log.info({ code, event: type, reason: 'reason' in rest ? rest.reason : undefined }, 'room event');
      }
    }
  });
  // The relay workers are started after the server listens (they connect to PeerServer); their
  // identities first. A worker whose process outlived the last server keeps its peer id (browsers
  // call it with the calls it kept); local workers connect back with the secret kept in DATA_DIR.
  const workerCount = config.relay.mode === 'off' ? 0 : relayWorkerCount(config.relay, availableParallelism());
  const workerFile = await openWorkerFile(config.relay.dataDir);
  // Relay nodes of the last process keep their identities (and rooms) if they connect back soon.
  const nodeFile = await openNodeFile(config.relay.dataDir);
  const relayCredentials = workerIdentities(workerCount, loaded.relayPeerIds, workerFile);
  const relayOn = config.relay.mode !== 'off';
  const relayPeerIds = relayOn ? relayCredentials.map((c) => c.peerId) : loaded.relayPeerIds;
  // The relays are known before anyone can connect: a member reconnecting first would otherwise
  // have their room placed again with no relay known. Rooms on a worker this configuration no longer
  // runs, or on a node not saved, are placed again.
  store.run((state, ctx) =>
    setRelaysUp(state, { relays: relayOn ? relaysAtStart(relayCredentials, workerFile, nodeFile) : [] }, ctx),
  );
  if (stateStore) {
    saver = new StateSaver({
      store: stateStore,
      read: () => ({ registry: store.state, relayPeerIds }),
      clock,
      log: log.child({ part: 'store' }),
    });
    // The restart rule changed presence, and new relay identities must be saved before anyone learns them.
    saver.changed();
  }
  // Lessons whose room did not come back (nothing saved it) are over; then the retention period.
  await recorder.endLessonsWithoutRoom(store.state);
  const applyRetention = () =>
    deleteExpiredLessons(database.db, clock(), config.recordRetentionDays).then(
      (deleted) => deleted > 0 && log.info({ deleted }, 'deleted lesson records past RECORD_RETENTION_DAYS'),
      (err: unknown) => log.error({ err }, 'could not delete lesson records past RECORD_RETENTION_DAYS'),
    );
  await applyRetention();
  const retention = setInterval(() => void applyRetention(), RETENTION_INTERVAL_MS);
  retention.unref();
  let stopping = false;
  let closing: Promise<void> | null = null;
  let stun: StunResponder | null = null;
  // Relay nodes on other machines join the directory while they are connected.
  const relayDirectory = new RelayDirectory(relayCredentials);
  const upgrades = new UpgradeRouter(server);
  const peers = createPeerGate({ server, upgrades, store, log: log.child({ part: 'peer' }), relays: relayDirectory });
  const relayNodes = acceptRelayNodes({
    config,
    upgrades,
    relay: () => relay,
    workerSecret: workerFile.secret,
    log: log.child({ part: 'relay-nodes' }),
  });

  app.use(requestLog(log.child({ part: 'http' })));
  app.use(securityHeaders());
  if (metrics) {
    app.use('/metrics', metrics.app);
    app.use(timeJoins(metrics));
  }
  app.use(
    '/api',
    createApi({
      store,
      roomStreams,
      tabs,
      lobbyStreams,
      config,
      passcode: createPasscodeGate(config.teacherPasscode, { clock, wait: deps.wait ?? ((ms) => sleep(ms)) }),
      version,
      relayOn,
      relayUp: () => relay?.up ?? false,
      stopping: () => stopping,
      extensionId: extension?.id ?? null,
      storeHealth: () => ({ kind: stateStore?.kind ?? 'memory', saving: saver?.status ?? 'ok' }),
      stunPort: () => stun?.port ?? null,
      startedAt: clock(),
      onError: (err, req) => log.error({ err, method: req.method, path: req.path }, 'request failed'),
      classes: { db: database.db, recorder },
      signIn: new SignIn({ db: database.db, config, clock, log: log.child({ part: 'sign-in' }) }),
    }),
  );
  app.use(
    EXTENSION_PATH,
    extensionRoutes({ extension, limit: limiter({ windowMs: 60_000, limit: config.readRateLimitPerMinute }) }),
  );
  app.use(PEER_PATH, peers.app);
  app.use(createWebApp(deps.webDir));

  const sweeper = setInterval(() => store.run(sweep), SWEEP_INTERVAL_MS);
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  if (config.stunPort !== null) {
    // Without STUN browsers still connect wherever mDNS names resolve; a taken port is not fatal.
    stun = await startStunResponder({ port: config.stunPort, host: config.host, log }).catch((err: unknown) => {
      log.warn({ err, port: config.stunPort }, 'STUN responder could not start; set STUN_PORT to a free UDP port');
      return null;
    });
  }
  if (relayOn) {
    relay = startRelays({
      config,
      store,
      credentials: relayCredentials,
      directory: relayDirectory,
      portRanges: portSlices(config.relay.portRange, relayCredentials.length),
      serverUrl: loopbackPeerUrl(config, port),
      file: workerFile,
      nodeFile,
      version,
      log: log.child({ part: 'relay' }),
    });
  }
  const url = publicUrl(config, port);

  return {
    url,
    port,
    store,
    connections: () => ({
      roomStreams: roomStreams.size,
      lobbyStreams: lobbyStreams.size,
      peers: peers.size,
      peerSockets: peers.socketCount,
    }),
    droppedSignals: () => peers.dropped,
    get relay() {
      return relay;
    },
    drain,
    saveAgain: () => saver?.changed(),
    flushRecords: () => recorder.flush(),
    close: async (options) => {
      if (closing) return closing;
      drain();
      closing = closeAll(options?.keepRelayWorkers ?? false);
      return closing;
    },
  };

  /** The first step of a stop: nobody new comes in, and everyone connected hears why. */
  function drain(): void {
    if (stopping) return;
    stopping = true;
    clearInterval(sweeper);
    clearInterval(retention);
    roomStreams.announce({ type: 'server-restarting' });
    lobbyStreams.announce({ type: 'server-restarting' });
  }

  async function closeAll(keepRelayWorkers: boolean): Promise<void> {
    relay?.close({ keepWorkers: keepRelayWorkers });
    relayNodes.close();
    await stun?.close();
    roomStreams.closeAll();
    lobbyStreams.closeAll();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await peers.close(SOCKET_CLOSE_MS);
    if (saver) {
      await saver.flush().catch((err: unknown) => log.error({ err }, 'could not save room state on stop'));
      saver.stop();
    }
    await stateStore?.close();
    await closed;
    await recorder.flush();
    await database.close();
  }
}
