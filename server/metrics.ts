/**
 * The Prometheus endpoint for operators (prom-client): rooms, members, relayed streams and load per
 * relay worker, join latency and store save latency. Read-only: it looks at the registry and the
 * relay workers' reports at scrape time and never changes either. Off unless METRICS_TOKEN is set;
 * then only a scraper presenting it as a bearer token is answered. Also the two taps that feed it
 * (join timing, store save timing), so the composition root only plugs them in.
 */
import express from 'express';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isRelayed } from '../src/shared/protocol.ts';
import type { RegistryState, Room } from './core/room-registry.ts';
import { sameSecret } from './core/secrets.ts';
import type { RelayHost } from './relay/host/relay-host.ts';
import type { StateStore } from './store/state-store.ts';

/** The instruments other parts feed, and the endpoint. */
export interface Metrics {
  /** Seconds from a join request to its answer (201 only). */
  readonly joinSeconds: Histogram;
  /** Seconds one save of the room state took in the store. */
  readonly saveSeconds: Histogram;
  /** GET / with the metrics in Prometheus text format, behind the bearer token. */
  readonly app: express.Router;
}

/** Builds the metrics for a server whose registry is `state()` and whose relay workers are `relay()`. */
export function createMetrics(deps: {
  token: string;
  state: () => RegistryState;
  relay: () => RelayHost | null;
}): Metrics {
  const registry = new Registry();
  const workers = () => deps.relay()?.workers ?? [];
  new Gauge({
    name: 'classroom_rooms',
    help: 'Rooms open.',
    registers: [registry],
    collect() {
      this.set(deps.state().rooms.size);
    },
  });
  new Gauge({
    name: 'classroom_members',
    help: 'Members with a seat, by role and by whether their PeerServer socket is connected.',
    labelNames: ['role', 'connected'],
    registers: [registry],
    collect() {
      this.reset();
      for (const role of ['student', 'supervisor'] as const)
        for (const connected of [true, false]) this.set({ role, connected: String(connected) }, 0);
      for (const room of deps.state().rooms.values())
        for (const m of room.members) this.inc({ role: m.role, connected: String(m.connected) });
    },
  });
  new Gauge({
    name: 'classroom_relay_worker_up',
    help: 'Whether each relay worker (by index) or relay node (by name) is up and registered with PeerServer (1) or starting or restarting (0).',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers()) this.set({ worker: w.name }, w.up ? 1 : 0);
    },
  });
  /** A gauge per relay worker: the sum of `amount` over the rooms placed on it (0 for a worker with none). */
  const perWorkerGauge = (name: string, help: string, amount: (room: Room) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['worker'],
      registers: [registry],
      collect() {
        this.reset();
        const index = new Map(workers().map((w) => [w.peerId, w.name]));
        for (const worker of index.values()) this.set({ worker }, 0);
        for (const room of deps.state().rooms.values()) {
          const worker = index.get(room.routes.relayPeerId ?? '');
          if (worker === undefined) continue;
          const value = amount(room);
          if (value > 0) this.inc({ worker }, value);
        }
      },
    });
  perWorkerGauge('classroom_relay_rooms', 'Rooms placed on each relay worker.', () => 1);
  perWorkerGauge(
    'classroom_relay_streams',
    'Viewer-streams each relay worker should forward now: sharing students times the supervisors who receive them through it.',
    (room) => {
      const supervisors = room.members.filter((m) => m.role === 'supervisor' && m.connected);
      return room.members
        .filter((s) => s.role === 'student' && s.share === 'sharing')
        .reduce((sum, s) => sum + supervisors.filter((v) => isRelayed(room.routes, s.id, v.id)).length, 0);
    },
  );
  const forwardedSeen = new Map<string, number>();
  new Counter({
    name: 'classroom_relay_forwarded_packets_total',
    help: 'RTP packets each relay worker sent to viewers (over its restarts).',
    labelNames: ['worker'],
    registers: [registry],
    // A counter only goes up: add what each worker reported since the last scrape. A worker or
    // node no longer there loses its series (a node that joins again starts from 0, a reset).
    collect() {
      const present = workers();
      const names = new Set(present.map((w) => w.name));
      for (const worker of forwardedSeen.keys()) {
        if (names.has(worker)) continue;
        forwardedSeen.delete(worker);
        this.remove({ worker });
      }
      for (const w of present) {
        const worker = w.name;
        const seen = forwardedSeen.get(worker) ?? 0;
        this.inc({ worker }, Math.max(0, w.stats.forwardedPackets - seen));
        forwardedSeen.set(worker, Math.max(seen, w.stats.forwardedPackets));
      }
    },
  });
  new Gauge({
    name: 'classroom_relay_forwarded_packets_per_second',
    help: 'RTP packets each relay worker sent to viewers per second, over its last one-second report.',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers()) this.set({ worker: w.name }, w.stats.packetsPerSecond);
    },
  });
  new Gauge({
    name: 'classroom_relay_cpu_ratio',
    help: 'Share of one core each relay worker used over its last one-second report (1 = a full core: add workers).',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      this.reset();
      for (const w of workers()) this.set({ worker: w.name }, w.stats.cpuRatio);
    },
  });
  const joinSeconds = new Histogram({
    name: 'classroom_join_duration_seconds',
    help: 'Time from a join request to its answer, for joins that got a seat.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const saveSeconds = new Histogram({
    name: 'classroom_store_save_duration_seconds',
    help: 'Time one save of the room state took in the store (file or Redis).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });

  const app = express.Router();
  app.get('/', (req, res, next) => {
    if (!sameSecret(req.get('authorization') ?? '', `Bearer ${deps.token}`)) {
      res.status(401).set('www-authenticate', 'Bearer').json({
        error: 'unauthorized',
        message: 'Send the METRICS_TOKEN as a bearer token (Authorization: Bearer …).',
      });
      return;
    }
    registry
      .metrics()
      .then((text) => res.type(registry.contentType).send(text))
      .catch(next);
  });
  return { joinSeconds, saveSeconds, app };
}

/** Join latency as the member sees it: from the request to the answer that gave them a seat (201 only). */
export function timeJoins(metrics: Pick<Metrics, 'joinSeconds'>): express.RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || !/^\/api\/rooms\/[^/]+\/members\/?$/.test(req.path)) return next();
    const started = performance.now();
    res.on('finish', () => {
      if (res.statusCode === 201) metrics.joinSeconds.observe((performance.now() - started) / 1000);
    });
    next();
  };
}

/** The store, with each save's duration observed by the metrics (unchanged without metrics). */
export function timedSaves<S extends StateStore>(stateStore: S | null, metrics: Metrics | null): S | null {
  if (!stateStore || !metrics) return stateStore;
  return new Proxy(stateStore, {
    get(target, key) {
      if (key === 'write') {
        return async (text: string) => {
          const started = performance.now();
          await target.write(text);
          metrics.saveSeconds.observe((performance.now() - started) / 1000);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
