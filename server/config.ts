/**
 * Server configuration from environment variables. `loadConfig` is pure: it reads only the object
 * it is given and reports every problem at once, each with an example of a valid value.
 * The options, their defaults and parsers live in config-options.ts and nowhere else;
 * `.env.example` and the README table list the same options.
 */
import type { IceServer } from '../src/shared/protocol.ts';
import type { RelayMode, StoreKind } from '../src/shared/protocol.ts';
import { OPTIONS, type LogLevel, type Option } from './config-options.ts';

export { OPTIONS, type LogLevel } from './config-options.ts';

/** Everything the server can be told. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  readonly iceServers: readonly IceServer[];
  /** The UDP port of the server's own STUN responder; null when it is off. */
  readonly stunPort: number | null;
  /** The school's TURN server (coturn with use-auth-secret), when there is one. */
  readonly turn: { readonly urls: readonly string[]; readonly secret: string; readonly ttlS: number } | null;
  readonly maxRooms: number;
  readonly maxMembersPerRoom: number;
  readonly reconnectGraceS: number;
  readonly emptyRoomTtlS: number;
  readonly unclaimedRoomTtlS: number;
  readonly roomsPerAddress: number;
  readonly roomCreationsPerHour: number;
  /** The school-wide code needed to create rooms and see the lobby; null when anyone may. */
  readonly teacherPasscode: string | null;
  /** Requests one seat (member token) may make per minute; 0 turns the limit off. */
  readonly seatRateLimitPerMinute: number;
  /** Joins and room creations per client address per minute; 0 turns the limit off. */
  readonly rateLimitPerMinute: number;
  /** Reads that need no seat (config, lobby) per client address per minute; 0 turns the limit off. */
  readonly readRateLimitPerMinute: number;
  /** Lobby event streams open at once from one client address. */
  readonly streamsPerAddress: number;
  readonly trustProxy: boolean;
  readonly logLevel: LogLevel;
  /** The bearer token that opens GET /metrics; null turns the endpoint off. */
  readonly metricsToken: string | null;
  /** Where room state is saved so it outlives the process. */
  readonly store: StoreConfig;
  /** Where classes, rosters, accounts and lesson records live. */
  readonly database: DatabaseConfig;
  /** Days a lesson's record is kept after the lesson ends. */
  readonly recordRetentionDays: number;
  /** Where the companion extension's signing key is: the admin's file, or made once in the data folder. */
  readonly extensionKey: ExtensionKeyConfig;
  /** The address people open the app at (an origin), when set; null: taken from each request. */
  readonly publicUrl: string | null;
  /** Sign-in with the school's accounts (OpenID Connect); null when OIDC_ISSUER is unset. */
  readonly signIn: SignInConfig | null;
  readonly relay: {
    readonly mode: RelayMode;
    readonly minSupervisors: number;
    readonly holdS: number;
    readonly announcedIps: readonly string[];
    readonly portRange: readonly [number, number] | null;
    /** Relay processes, or auto (see `relayWorkerCount`); 0 leaves the relay to relay nodes. */
    readonly workers: number | 'auto';
    /** DATA_DIR, where the local workers' secret and process ids are kept across restarts (relay-workers.json). */
    readonly dataDir: string;
  };
  /** Relay nodes on other machines (`npm run relay`): the shared secret, and for a node, the app server's URL. */
  readonly relayNode: {
    /** The secret both sides hold; null on the server refuses every node. */
    readonly secret: string | null;
    /** The app server a node connects to (http[s]://host[:port]); only `npm run relay` reads it. */
    readonly serverUrl: string | null;
  };
}

/** A file in a data folder (the default), Redis, or nowhere (rooms end with the process); each kind is a protocol StoreKind. */
export type StoreConfig = (
  | { readonly kind: 'file'; readonly dataDir: string }
  | { readonly kind: 'redis'; readonly url: string }
  | { readonly kind: 'memory' }
) & { readonly kind: StoreKind };

/** SQLite in the data folder (the default: nothing to install), or PostgreSQL. */
export type DatabaseConfig =
  { readonly kind: 'sqlite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };

/** The admin's key file (EXTENSION_KEY_FILE), or DATA_DIR, where the server makes one on first start. */
export type ExtensionKeyConfig =
  { readonly kind: 'file'; readonly file: string } | { readonly kind: 'data-dir'; readonly dataDir: string };
/** The school's OpenID provider, this server's client there, and who may sign in and teach. */
export interface SignInConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** E-mail domains (lower case) whose accounts may sign in. */
  readonly allowedDomains: readonly string[];
  /** E-mail domains (lower case) whose accounts may teach, and sign in. */
  readonly teacherDomains: readonly string[];
  /** E-mail addresses (lower case) that may teach. */
  readonly teachers: readonly string[];
  /** A claim marking teachers, when one does. */
  readonly teacherClaim: { readonly claim: string; readonly value: string } | null;
  readonly sessionHours: number;
  /** Students join only signed in (OIDC_STUDENTS_MUST_SIGN_IN). */
  readonly studentsMustSignIn: boolean;
}

type Values = { [K in keyof typeof OPTIONS]: ReturnType<(typeof OPTIONS)[K]['parse']> | undefined };

/** Thrown by `loadConfig` with every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads the configuration from an environment-like object; throws a ConfigError listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const values: Partial<Record<string, unknown>> = {};
  for (const [key, option] of Object.entries(OPTIONS) as [string, Option<unknown>][]) {
    const raw = env[key]?.trim() ? env[key] : option.fallback;
    if (raw === undefined) continue;
    try {
      values[key] = option.parse(raw);
    } catch (error) {
      problems.push(`${key}=${JSON.stringify(raw)} ${(error as Error).message}; for example ${key}=${option.example}`);
    }
  }
  const v = values as Values;
  if ((v.TLS_CERT_FILE === undefined) !== (v.TLS_KEY_FILE === undefined)) {
    problems.push(
      `TLS_CERT_FILE and TLS_KEY_FILE go together; set both (for example TLS_CERT_FILE=${OPTIONS.TLS_CERT_FILE.example} ` +
        `TLS_KEY_FILE=${OPTIONS.TLS_KEY_FILE.example}) or neither`,
    );
  }
  const range = v.RELAY_PORT_RANGE;
  if (
    range &&
    typeof v.RELAY_WORKERS === 'number' &&
    range[1] - range[0] + 1 < v.RELAY_WORKERS * MIN_PORTS_PER_WORKER
  ) {
    problems.push(
      `RELAY_PORT_RANGE=${range.join('-')} is too small for RELAY_WORKERS=${v.RELAY_WORKERS}: each worker needs at least ` +
        `${MIN_PORTS_PER_WORKER} ports; widen the range (for example RELAY_PORT_RANGE=40000-${40000 + v.RELAY_WORKERS * 100 - 1}) or run fewer workers`,
    );
  }
  if ((v.TURN_URLS === undefined) !== (v.TURN_SECRET === undefined)) {
    problems.push(
      `TURN_URLS and TURN_SECRET go together; set both (for example TURN_URLS=${OPTIONS.TURN_URLS.example} ` +
        `TURN_SECRET=${OPTIONS.TURN_SECRET.example}) or neither`,
    );
  }
  problems.push(...signInProblems(v));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port: v.PORT!,
    host: v.HOST!,
    tls:
      v.TLS_CERT_FILE && v.TLS_KEY_FILE ? Object.freeze({ certFile: v.TLS_CERT_FILE, keyFile: v.TLS_KEY_FILE }) : null,
    iceServers: v.ICE_SERVERS!,
    stunPort: v.STUN_PORT ?? null,
    turn:
      v.TURN_URLS && v.TURN_SECRET
        ? Object.freeze({ urls: Object.freeze(v.TURN_URLS), secret: v.TURN_SECRET, ttlS: v.TURN_TTL_S! })
        : null,
    maxRooms: v.MAX_ROOMS!,
    maxMembersPerRoom: v.MAX_MEMBERS_PER_ROOM!,
    reconnectGraceS: v.RECONNECT_GRACE_S!,
    emptyRoomTtlS: v.EMPTY_ROOM_TTL_S!,
    unclaimedRoomTtlS: v.UNCLAIMED_ROOM_TTL_S!,
    roomsPerAddress: v.ROOMS_PER_ADDRESS!,
    roomCreationsPerHour: v.ROOM_CREATIONS_PER_HOUR!,
    teacherPasscode: v.TEACHER_PASSCODE ?? null,
    seatRateLimitPerMinute: v.SEAT_RATE_LIMIT_PER_MIN!,
    rateLimitPerMinute: v.RATE_LIMIT_PER_MIN!,
    readRateLimitPerMinute: v.READ_RATE_LIMIT_PER_MIN!,
    streamsPerAddress: v.STREAMS_PER_ADDRESS!,
    trustProxy: v.TRUST_PROXY!,
    logLevel: v.LOG_LEVEL!,
    metricsToken: v.METRICS_TOKEN ?? null,
    store: Object.freeze(
      v.STORE_URL === 'memory'
        ? { kind: 'memory' as const }
        : v.STORE_URL
          ? { kind: 'redis' as const, url: v.STORE_URL }
          : { kind: 'file' as const, dataDir: v.DATA_DIR! },
    ),
    database: Object.freeze(
      v.DATABASE_URL
        ? { kind: 'postgres' as const, url: v.DATABASE_URL }
        : { kind: 'sqlite' as const, dataDir: v.DATA_DIR! },
    ),
    recordRetentionDays: v.RECORD_RETENTION_DAYS!,
    extensionKey: Object.freeze(
      v.EXTENSION_KEY_FILE
        ? { kind: 'file' as const, file: v.EXTENSION_KEY_FILE }
        : { kind: 'data-dir' as const, dataDir: v.DATA_DIR! },
    ),
    publicUrl: v.PUBLIC_URL ?? null,
    signIn: v.OIDC_ISSUER
      ? Object.freeze({
          issuer: v.OIDC_ISSUER,
          clientId: v.OIDC_CLIENT_ID!,
          clientSecret: v.OIDC_CLIENT_SECRET!,
          allowedDomains: Object.freeze(v.OIDC_ALLOWED_DOMAINS ?? []),
          teacherDomains: Object.freeze(v.OIDC_TEACHER_DOMAINS ?? []),
          teachers: Object.freeze(v.OIDC_TEACHERS ?? []),
          teacherClaim: v.OIDC_TEACHER_CLAIM ? Object.freeze(v.OIDC_TEACHER_CLAIM) : null,
          sessionHours: v.OIDC_SESSION_HOURS!,
          studentsMustSignIn: v.OIDC_STUDENTS_MUST_SIGN_IN!,
        })
      : null,
    relay: Object.freeze({
      mode: v.RELAY_MODE!,
      minSupervisors: v.RELAY_MIN_SUPERVISORS!,
      holdS: v.RELAY_HOLD_S!,
      announcedIps: Object.freeze(v.RELAY_ANNOUNCED_IPS ?? []),
      portRange: v.RELAY_PORT_RANGE ?? null,
      workers: v.RELAY_WORKERS!,
      dataDir: v.DATA_DIR!,
    }),
    relayNode: Object.freeze({ secret: v.RELAY_NODE_SECRET ?? null, serverUrl: v.RELAY_SERVER_URL ?? null }),
  });
}

/** What is missing or stray among the OIDC_* options: each of them needs OIDC_ISSUER, which needs a client and who may sign in. */
function signInProblems(v: Values): string[] {
  const stray: (keyof typeof OPTIONS)[] = (
    [
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'OIDC_ALLOWED_DOMAINS',
      'OIDC_TEACHER_DOMAINS',
      'OIDC_TEACHERS',
      'OIDC_TEACHER_CLAIM',
    ] as const
  ).filter((key) => v[key] !== undefined);
  // On by itself it would lock every student out: nobody could sign in.
  if (v.OIDC_STUDENTS_MUST_SIGN_IN === true && v.OIDC_ISSUER === undefined) stray.push('OIDC_STUDENTS_MUST_SIGN_IN');
  if (v.OIDC_ISSUER === undefined)
    return stray.map(
      (key) =>
        `${key} is set but OIDC_ISSUER is not; set OIDC_ISSUER (for example OIDC_ISSUER=${OPTIONS.OIDC_ISSUER.example}) or unset ${key}`,
    );
  const problems: string[] = [];
  for (const key of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const)
    if (v[key] === undefined)
      problems.push(`${key} is needed with OIDC_ISSUER; for example ${key}=${OPTIONS[key].example}`);
  if (v.OIDC_ALLOWED_DOMAINS === undefined && v.OIDC_TEACHER_DOMAINS === undefined)
    problems.push(
      `OIDC_ALLOWED_DOMAINS (or OIDC_TEACHER_DOMAINS) is needed with OIDC_ISSUER: the e-mail domains of your school's accounts; for example OIDC_ALLOWED_DOMAINS=${OPTIONS.OIDC_ALLOWED_DOMAINS.example}`,
    );
  return problems;
}

/** The fewest UDP ports one relay worker is given from RELAY_PORT_RANGE. */
export const MIN_PORTS_PER_WORKER = 10;

/**
 * How many relay workers to run on a machine with `cores` cores: RELAY_WORKERS, or for auto one per
 * core, leaving one core for the app when there are more than two (on two cores both run a worker:
 * the app is idle between joins, and a relayed class needs the cores more). Never more workers than
 * RELAY_PORT_RANGE has room for.
 */
export function relayWorkerCount(relay: Config['relay'], cores: number): number {
  const wanted = relay.workers === 'auto' ? (cores > 2 ? cores - 1 : Math.max(1, cores)) : relay.workers;
  if (!relay.portRange || wanted === 0) return wanted;
  const ports = relay.portRange[1] - relay.portRange[0] + 1;
  return Math.max(1, Math.min(wanted, Math.floor(ports / MIN_PORTS_PER_WORKER)));
}

/**
 * What `npm run relay` needs beyond the relay settings: the app server's URL and the shared secret.
 * Throws a ConfigError naming each one missing.
 */
export function relayNodeSettings(config: Config): { serverUrl: string; secret: string } {
  const { serverUrl, secret } = config.relayNode;
  const problems: string[] = [];
  if (!serverUrl)
    problems.push(
      `RELAY_SERVER_URL is needed on a relay node; for example RELAY_SERVER_URL=${OPTIONS.RELAY_SERVER_URL.example}`,
    );
  if (!secret)
    problems.push(
      `RELAY_NODE_SECRET is needed on a relay node, the same as on the app server; for example RELAY_NODE_SECRET=${OPTIONS.RELAY_NODE_SECRET.example}`,
    );
  if (!serverUrl || !secret) throw new ConfigError(problems);
  return { serverUrl, secret };
}

/** RELAY_PORT_RANGE split into `workers` consecutive slices (the last takes what does not divide), or nulls without one. */
export function portSlices(
  range: readonly [number, number] | null,
  workers: number,
): (readonly [number, number] | null)[] {
  if (!range) return Array.from({ length: workers }, () => null);
  const size = Math.floor((range[1] - range[0] + 1) / workers);
  return Array.from({ length: workers }, (_, i) => {
    const first = range[0] + i * size;
    return [first, i === workers - 1 ? range[1] : first + size - 1] as const;
  });
}
