/**
 * Every environment variable the server reads: its documentation, example, default and parser.
 * Pure data and parsers; `loadConfig` in config.ts reads the environment with them.
 */
import { RELAY_MODES, type IceServer } from '../src/shared/protocol.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Pino's levels, plus 'silent'. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One environment variable: its documentation, default and parser. */
export interface Option<T> {
  readonly doc: string;
  readonly example: string;
  /** Used when the variable is unset or empty; undefined means "not set" is a valid state. */
  readonly fallback: string | undefined;
  readonly parse: (raw: string) => T;
}

const integer = (min: number, max: number) => (raw: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new Error(`must be a whole number from ${min} to ${max}`);
  return n;
};

const text = (raw: string) => raw.trim();

/** One of a fixed set of words, case-insensitive. */
const oneOf =
  <const T extends string>(values: readonly T[], words = values.join(', ')) =>
  (raw: string): T => {
    const value = raw.trim().toLowerCase();
    if (!(values as readonly string[]).includes(value)) throw new Error(`must be ${words}`);
    return value as T;
  };

/** Comma-separated values, each passing `valid`, at least one. */
const commaList = (valid: RegExp, what: string) => (raw: string) => {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0 || !items.every((item) => valid.test(item)))
    throw new Error(`must be ${what} separated by commas`);
  return items;
};

/** A secret of at least `min` characters, without spaces inside. */
const secret = (min: number) => (raw: string) => {
  const value = raw.trim();
  if (value.length < min || /\s/.test(value)) throw new Error(`must be at least ${min} characters without spaces`);
  return value;
};

/** Every option, in the order `.env.example` and the README document them. */
export const OPTIONS = {
  PORT: {
    doc: 'TCP port for the app, API and PeerServer.',
    example: '3000',
    fallback: '3000',
    parse: integer(0, 65535),
  },
  HOST: {
    doc: 'Address to listen on; 0.0.0.0 lets students on the school network reach it.',
    example: '0.0.0.0',
    fallback: '0.0.0.0',
    parse: text,
  },
  TLS_CERT_FILE: {
    doc: 'PEM certificate to serve HTTPS directly (screen sharing needs HTTPS off localhost). Set with TLS_KEY_FILE.',
    example: '/etc/ssl/classroom/fullchain.pem',
    fallback: undefined,
    parse: text,
  },
  TLS_KEY_FILE: {
    doc: 'PEM private key for TLS_CERT_FILE.',
    example: '/etc/ssl/classroom/privkey.pem',
    fallback: undefined,
    parse: text,
  },
  ICE_SERVERS: {
    doc: 'JSON array of STUN/TURN servers handed to browsers. Empty means LAN only; no public servers are ever used.',
    example: '[{"urls":"turn:turn.school.example:3478","username":"class","credential":"secret"}]',
    fallback: '[]',
    parse: parseIceServers,
  },
  STUN_PORT: {
    doc: 'UDP port on which the server answers STUN binding requests itself and which it hands to browsers (so devices find each other when mDNS names do not resolve); off to turn it off, 0 for any free port.',
    example: '3478',
    fallback: '3478',
    parse: (raw: string) => (raw.trim().toLowerCase() === 'off' ? null : integer(0, 65535)(raw)),
  },
  TURN_URLS: {
    doc: 'Comma-separated TURN URLs of the school’s coturn, handed to browsers with short-lived credentials (TURN REST API). Set with TURN_SECRET.',
    example: 'turn:turn.school.example:3478?transport=udp,turn:turn.school.example:3478?transport=tcp',
    fallback: undefined,
    parse: commaList(/^turns?:[^\s]+$/, 'turn: or turns: URLs'),
  },
  TURN_SECRET: {
    doc: 'The static-auth-secret of coturn (use-auth-secret); it never leaves the server. Set with TURN_URLS.',
    example: 'a-long-random-string-from-openssl-rand-hex-32',
    fallback: undefined,
    parse: (raw: string) => {
      if (raw.trim().length < 16) throw new Error('must be at least 16 characters');
      return raw.trim();
    },
  },
  TURN_TTL_S: {
    doc: 'Seconds a TURN credential opens new relays after it was issued; members fetch fresh ones before then while their seat lasts, so after leaving a saved one works at most this long.',
    example: '600',
    fallback: '600',
    parse: integer(60, 7 * 86_400),
  },
  MAX_ROOMS: { doc: 'Rooms open at once on this server.', example: '500', fallback: '500', parse: integer(1, 100_000) },
  MAX_MEMBERS_PER_ROOM: {
    doc: 'Students plus supervisors in one room.',
    example: '200',
    fallback: '200',
    parse: integer(2, 10_000),
  },
  RECONNECT_GRACE_S: {
    doc: 'Seconds a member may be disconnected (or not yet connected) before losing their seat.',
    example: '20',
    fallback: '20',
    parse: integer(1, 3600),
  },
  EMPTY_ROOM_TTL_S: {
    doc: 'Seconds a room stays open with no supervisor; the next supervisor to join becomes host.',
    example: '600',
    fallback: '600',
    parse: integer(1, 86_400),
  },
  UNCLAIMED_ROOM_TTL_S: {
    doc: 'Seconds a new room waits for its host to connect; a room no supervisor ever connected to ends after this.',
    example: '60',
    fallback: '60',
    parse: integer(5, 86_400),
  },
  ROOMS_PER_ADDRESS: {
    doc: 'Rooms open at once that were created from one client address (so a few machines cannot take every room).',
    example: '10',
    fallback: '10',
    parse: integer(1, 100_000),
  },
  ROOM_CREATIONS_PER_HOUR: {
    doc: 'Rooms one client address may create per hour; 0 turns the limit off.',
    example: '30',
    fallback: '30',
    parse: integer(0, 1_000_000),
  },
  TEACHER_PASSCODE: {
    doc: 'A school-wide code (8 to 128 characters) needed to create a room and to see the lobby. Unset: anyone on the network may.',
    example: 'staffroom-kettle-42',
    fallback: undefined,
    parse: (raw: string) => {
      const code = raw.trim();
      if (code.length < 8 || code.length > 128) throw new Error('must be 8 to 128 characters');
      return code;
    },
  },
  SEAT_RATE_LIMIT_PER_MIN: {
    doc: 'API requests one member may make per minute with their seat token (reads and event streams included), counted per seat, never per address; 0 turns the limit off.',
    example: '300',
    fallback: '300',
    parse: integer(0, 1_000_000),
  },
  RATE_LIMIT_PER_MIN: {
    doc: 'Joins and room creations (the changing requests that carry no seat token) allowed per client address per minute; sized for a whole school behind one NAT; 0 turns the limit off.',
    example: '1500',
    fallback: '1500',
    parse: integer(0, 1_000_000),
  },
  READ_RATE_LIMIT_PER_MIN: {
    doc: 'Reads that carry no seat token (GET /api/config, the lobby list and stream) allowed per client address per minute; /api/health is never limited; 0 turns the limit off.',
    example: '3000',
    fallback: '3000',
    parse: integer(0, 1_000_000),
  },
  STREAMS_PER_ADDRESS: {
    doc: "Lobby event streams open at once from one client address (a member's room streams are capped per seat instead).",
    example: '50',
    fallback: '50',
    parse: integer(1, 100_000),
  },
  TRUST_PROXY: {
    doc: 'true when behind a reverse proxy that sets X-Forwarded-For, so rate and room limits see real client addresses.',
    example: 'false',
    fallback: 'false',
    parse: boolean,
  },
  RELAY_MODE: {
    doc: 'When screens go through the relay peer in the server instead of peer to peer: off, auto (rooms with RELAY_MIN_SUPERVISORS or more supervisors, and any pair whose direct connection fails), or always.',
    example: 'auto',
    fallback: 'auto',
    parse: oneOf(RELAY_MODES, 'off, auto or always'),
  },
  RELAY_MIN_SUPERVISORS: {
    doc: 'With RELAY_MODE=auto: a room with at least this many supervisors uses the relay.',
    example: '3',
    fallback: '3',
    parse: integer(1, 1000),
  },
  RELAY_HOLD_S: {
    doc: 'With RELAY_MODE=auto: seconds a room keeps its transport before switching again (no flapping).',
    example: '30',
    fallback: '30',
    parse: integer(0, 3600),
  },
  RELAY_ANNOUNCED_IPS: {
    doc: 'Comma-separated addresses the relay offers to browsers besides its interfaces (e.g. the address students reach the server at, or 127.0.0.1 for a single-machine test).',
    example: '192.0.2.10',
    fallback: undefined,
    parse: commaList(/^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]+$/i, 'IP addresses'),
  },
  RELAY_PORT_RANGE: {
    doc: 'UDP ports the relay uses for media, as first-last, so the firewall can be opened for exactly them.',
    example: '40000-40199',
    fallback: undefined,
    parse: (raw: string) => {
      const match = /^(\d+)-(\d+)$/.exec(raw.trim());
      const [first, last] = [Number(match?.[1]), Number(match?.[2])];
      if (!match || first < 1024 || last > 65535 || first >= last)
        throw new Error('must be two ports from 1024 to 65535, first lower, as first-last');
      return [first, last] as [number, number];
    },
  },
  RELAY_WORKERS: {
    doc: 'Relay processes, each on its own core with its own slice of RELAY_PORT_RANGE; rooms go to the least-loaded one. auto: one per core, leaving one core for the app when there are more than two; 0: only relay nodes relay.',
    example: '2',
    fallback: 'auto',
    parse: (raw: string) => {
      if (raw.trim().toLowerCase() === 'auto') return 'auto' as const;
      try {
        return integer(0, 64)(raw);
      } catch {
        throw new Error('must be auto or a whole number from 0 to 64');
      }
    },
  },
  RELAY_NODE_SECRET: {
    doc: 'Shared secret (at least 32 characters) of relay nodes on other machines: set the same on the app server and on each node (npm run relay). Unset on the server refuses every node.',
    example: 'e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8',
    fallback: undefined,
    parse: secret(32),
  },
  RELAY_SERVER_URL: {
    doc: 'On a relay node only (npm run relay): the app server to connect to, as students reach it. The app server ignores it.',
    example: 'https://screens.school.example',
    fallback: undefined,
    parse: (raw: string) => {
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        throw new Error('must be an http:// or https:// URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http:// or https:// URL');
      return url.origin;
    },
  },
  DATA_DIR: {
    doc: 'Folder (created with mode 0700) for the saved room state, so a restart loses no room (unless STORE_URL is set), the classes database classes.sqlite (unless DATABASE_URL is set), and relay-workers.json and relay-nodes.json (how the relay workers and relay nodes that outlive a restart are found again); each file 0600.',
    example: '/var/lib/classroom-screens',
    fallback: './data',
    parse: text,
  },
  EXTENSION_KEY_FILE: {
    doc: 'PEM RSA private key the companion extension is signed with (its public half is the extension’s id). Unset: the server makes one on first start and keeps it in DATA_DIR as extension-key.pem (0600).',
    example: '/etc/classroom-screens/extension-key.pem',
    fallback: undefined,
    parse: text,
  },
  STORE_URL: {
    doc: 'Save room state in Redis instead of DATA_DIR (redis://[:password@]host:6379[/db]; needed for a standby instance), or memory to save nothing.',
    example: 'redis://127.0.0.1:6379/0',
    fallback: undefined,
    parse: (raw: string) => {
      const url = raw.trim();
      if (url === 'memory') return url;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new Error('must be a redis:// URL or memory');
      }
      if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
        throw new Error('must be a redis:// URL or memory');
      return url;
    },
  },
  DATABASE_URL: {
    doc: 'Keep classes, rosters, accounts and lesson records in PostgreSQL (postgres://user:password@host:5432/database) instead of SQLite in DATA_DIR: for a district, or several instances.',
    example: 'postgres://classroom:secret@127.0.0.1:5432/classroom',
    fallback: undefined,
    parse: (raw: string) => {
      const url = raw.trim();
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new Error('must be a postgres:// URL');
      }
      if ((parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') || parsed.hostname === '')
        throw new Error('must be a postgres:// URL with a host');
      return url;
    },
  },
  RECORD_RETENTION_DAYS: {
    doc: 'Days a lesson’s record (who attended, time sharing, hands raised) is kept after the lesson; older records are deleted.',
    example: '365',
    fallback: '365',
    parse: integer(1, 36_500),
  },
  PUBLIC_URL: {
    doc: 'The address people open the app at (scheme, host and port, no path), when it differs from what the server can tell from each request (a proxy that rewrites Host); sign-in builds its redirect URI from it. Unset: taken from each request.',
    example: 'https://screens.school.example',
    fallback: undefined,
    parse: (raw: string) => httpOrigin(raw),
  },
  OIDC_ISSUER: {
    doc: "Turns on sign-in with the school's accounts (OpenID Connect): the provider's issuer URL, as its discovery document names it. https, or http on this machine only. Set with OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_ALLOWED_DOMAINS or OIDC_TEACHER_DOMAINS.",
    example: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
    fallback: undefined,
    parse: (raw: string) => {
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        throw new Error('must be an https:// URL');
      }
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
        throw new Error('must be an https:// URL (http:// only for a provider on this machine)');
      if (url.search || url.hash) throw new Error('must be the issuer URL without ? or #');
      return raw.trim();
    },
  },
  OIDC_CLIENT_ID: {
    doc: "The client (application) id this server is registered with at the school's OpenID provider.",
    example: 'classroom-screens',
    fallback: undefined,
    parse: text,
  },
  OIDC_CLIENT_SECRET: {
    doc: 'The client secret of OIDC_CLIENT_ID; it never leaves the server.',
    example: 'a-secret-from-the-provider-console',
    fallback: undefined,
    parse: secret(8),
  },
  OIDC_ALLOWED_DOMAINS: {
    doc: "E-mail domains whose accounts may sign in (students and teachers), exactly as after the @; with Google's issuer the account's Workspace domain (hd) must be one of them too.",
    example: 'school.example,students.school.example',
    fallback: undefined,
    parse: domainList,
  },
  OIDC_TEACHER_DOMAINS: {
    doc: 'E-mail domains whose accounts may teach (create rooms and classes without the passcode); they may sign in too.',
    example: 'staff.school.example',
    fallback: undefined,
    parse: domainList,
  },
  OIDC_TEACHERS: {
    doc: 'E-mail addresses that may teach, comma-separated, for schools whose staff and students share a domain; their domain must be in OIDC_ALLOWED_DOMAINS.',
    example: 'ada.lovelace@school.example,alan.turing@school.example',
    fallback: undefined,
    parse: (raw: string) =>
      commaList(/^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/, 'e-mail addresses')(raw).map((e) => e.toLowerCase()),
  },
  OIDC_TEACHER_CLAIM: {
    doc: 'An ID token claim that marks teachers, as claim=value: the account may teach when the claim equals value or is a list holding it (an Entra app role, a group id, a Keycloak group).',
    example: 'roles=Teacher',
    fallback: undefined,
    parse: (raw: string) => {
      const match = /^([A-Za-z0-9_.:/-]+)=(.+)$/.exec(raw.trim());
      if (!match) throw new Error('must be claim=value');
      return { claim: match[1]!, value: match[2]!.trim() };
    },
  },
  OIDC_STUDENTS_MUST_SIGN_IN: {
    doc: "Students join only signed in with their school account (by code or by class link): no name to pick from a roster or type, so no student can take a classmate's seat. Off: signing in is offered, and a student may still pick or type their name.",
    example: 'true',
    fallback: 'false',
    parse: boolean,
  },
  OIDC_SESSION_HOURS: {
    doc: 'Hours a sign-in lasts on a device before the school account is asked again.',
    example: '12',
    fallback: '12',
    parse: integer(1, 24 * 90),
  },
  METRICS_TOKEN: {
    doc: 'Bearer token that opens the Prometheus endpoint GET /metrics (at least 16 characters); unset turns the endpoint off.',
    example: 'b7f0c4e2a9d14f6e8c3a5d7e9f1b2c4d',
    fallback: undefined,
    parse: secret(16),
  },
  LOG_LEVEL: {
    doc: `Log detail: ${LOG_LEVELS.join(', ')}.`,
    example: 'info',
    fallback: 'info',
    parse: oneOf(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`),
  },
} satisfies Record<string, Option<unknown>>;

/** Comma-separated e-mail domains, lower-cased. */
function domainList(raw: string): string[] {
  return commaList(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'domains such as school.example')(raw).map((d) => d.toLowerCase());
}

/** An http(s) origin, without a trailing slash or path. */
function httpOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error('must be an http:// or https:// URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname.length > 1 || url.search || url.hash)
    throw new Error('must be an http:// or https:// URL without a path');
  return url.origin;
}

function boolean(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new Error('must be true or false');
}

function parseIceServers(raw: string): IceServer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('is not valid JSON');
  }
  const isUrl = (u: unknown) => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u);
  const valid =
    Array.isArray(parsed) &&
    parsed.every((s: unknown) => {
      if (typeof s !== 'object' || s === null) return false;
      const { urls, username, credential } = s as Record<string, unknown>;
      const urlsOk = isUrl(urls) || (Array.isArray(urls) && urls.length > 0 && urls.every(isUrl));
      const optionalText = (x: unknown) => x === undefined || typeof x === 'string';
      return urlsOk && optionalText(username) && optionalText(credential);
    });
  if (!valid) throw new Error('must be a JSON array of {urls, username?, credential?} with stun:/turn: URLs');
  return parsed as IceServer[];
}
