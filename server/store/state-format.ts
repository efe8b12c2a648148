/**
 * The saved form of the room registry: a versioned, line-per-room text (JSON Lines) with a
 * migration path, so a damaged line costs one room rather than all of them. Pure: no I/O.
 * Tokens are never in it (the registry holds only their hashes); supervisor keys are, because
 * supervisors are shown theirs again after a restart, so the file is private to the server (0600).
 */
import type { RememberedNetworks } from '../core/networks.ts';
import { z } from 'zod';
import type { Member, RegistryState, Room } from '../core/room-registry.ts';
import { MIGRATIONS } from './migrations.ts';

/** What the first line says the text is. */
export const STATE_FORMAT = 'classroom-screens-state';
/** The version this server writes; older versions are migrated on load, newer ones are refused. */
export const STATE_VERSION = 4;

/** What is saved besides the rooms: the relay workers' PeerServer ids, which browsers learned from their rooms. */
export interface SavedState {
  readonly registry: RegistryState;
  readonly relayPeerIds: readonly string[];
  /** Milliseconds since the Unix epoch. */
  readonly savedAt: number;
}

/** A saved document before it is checked: the header line and one unparsed object per room. */
export interface RawDocument {
  header: Record<string, unknown>;
  rooms: unknown[];
}

/** Turns a document of version N into version N + 1. Add one when the format changes; never edit an old one. */
export type Migration = (document: RawDocument) => RawDocument;

export { MIGRATIONS };

/** What loading found. */
export type ParseResult =
  | {
      readonly ok: true;
      readonly saved: SavedState;
      /** One line per thing that could not be read, for the log; never holds a secret. */
      readonly lost: readonly string[];
      /** The version the text was written in (lower than STATE_VERSION when it was migrated). */
      readonly fromVersion: number;
    }
  | {
      readonly ok: false;
      /** unreadable: no header could be read; newer: written by a newer server, which this one must not overwrite. */
      readonly problem: 'unreadable' | 'newer';
      readonly detail: string;
    };

/**
 * The registry as text: a header line, then one line per room. With `known`, a room already
 * serialised is not serialised again: the registry never changes a room in place, so the same room
 * object always has the same line, and a save costs what changed rather than the whole registry.
 */
export function serializeState(saved: SavedState, known?: WeakMap<Room, string>): string {
  const header = {
    format: STATE_FORMAT,
    version: STATE_VERSION,
    savedAt: saved.savedAt,
    relayPeerIds: [...saved.relayPeerIds],
    isolatedNetworks: [...saved.registry.isolatedNetworks],
    directNetworks: [...saved.registry.directNetworks],
  };
  const text = [JSON.stringify(header)];
  for (const room of saved.registry.rooms.values()) {
    let line = known?.get(room);
    if (line === undefined) {
      line = JSON.stringify(roomRecord(room));
      known?.set(room, line);
    }
    text.push(line);
  }
  return `${text.join('\n')}\n`;
}

/**
 * Reads saved text back, keeping every room that can be read: a damaged line, an invalid room, or a
 * member who clashes with an earlier one is left out and reported in `lost`.
 */
export function parseState(text: string, migrations: Readonly<Record<number, Migration>> = MIGRATIONS): ParseResult {
  const lines = text.split('\n');
  let header: Record<string, unknown>;
  try {
    header = headerSchema.parse(JSON.parse(lines[0] ?? ''));
  } catch {
    return { ok: false, problem: 'unreadable', detail: 'the first line is not a classroom-screens state header' };
  }
  const version = header.version as number;
  if (version > STATE_VERSION) {
    return {
      ok: false,
      problem: 'newer',
      detail: `written in format version ${version} by a newer server; this one reads up to ${STATE_VERSION}`,
    };
  }

  const lost: string[] = [];
  let document: RawDocument = { header, rooms: [] };
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      document.rooms.push(JSON.parse(line));
    } catch {
      lost.push(`line ${i + 2}: not JSON (damaged or cut short); the room on it is lost`);
    }
  });
  for (let v = version; v < STATE_VERSION; v++) {
    const migrate = migrations[v];
    if (!migrate) return { ok: false, problem: 'unreadable', detail: `no migration from format version ${v}` };
    document = migrate(document);
  }

  const rooms = new Map<string, Room>();
  const roomByPeer = new Map<string, string>();
  const memberIds = new Set<string>();
  for (const raw of document.rooms) {
    const parsed = roomSchema.safeParse(raw);
    const code = typeof (raw as { code?: unknown })?.code === 'string' ? (raw as { code: string }).code : '?';
    if (!parsed.success) {
      lost.push(`room ${code}: ${parsed.error.issues[0]?.path.join('.') || 'record'} is not valid; the room is lost`);
      continue;
    }
    const room = toRoom(parsed.data);
    const clash = rooms.has(room.code)
      ? 'its code is used twice'
      : room.members.some((m) => roomByPeer.has(m.peerId) || memberIds.has(m.id))
        ? 'a member id is used twice'
        : room.hostId !== null && !room.members.some((m) => m.id === room.hostId)
          ? 'its host is not a member'
          : null;
    if (clash) {
      lost.push(`room ${room.code}: ${clash}; the room is lost`);
      continue;
    }
    rooms.set(room.code, room);
    for (const m of room.members) {
      roomByPeer.set(m.peerId, room.code);
      memberIds.add(m.id);
    }
  }
  const ids = document.header.relayPeerIds;
  const relayPeerIds = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  const savedAt = typeof document.header.savedAt === 'number' ? document.header.savedAt : 0;
  // The relay is not up in a process that has just started; it says so itself once it is.
  const registry: RegistryState = {
    rooms,
    roomByPeer,
    relays: new Map(),
    isolatedNetworks: readNetworks(document.header.isolatedNetworks),
    directNetworks: readNetworks(document.header.directNetworks),
  };
  return { ok: true, saved: { registry, relayPeerIds, savedAt }, lost, fromVersion: version };
}

// ---------------------------------------------------------------------------------------------

const headerSchema = z.looseObject({
  format: z.literal(STATE_FORMAT),
  version: z.number().int().min(0),
});

const time = z.number().finite();
const memberSchema = z.strictObject({
  id: z.string().min(1),
  role: z.enum(['student', 'supervisor']),
  name: z.string().min(1),
  peerId: z.string().regex(/^[A-Za-z0-9]+$/),
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  joinedAt: time,
  share: z.enum(['never', 'sharing', 'stopped']),
  rosterEntryId: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
});

const recipientSchema = z.union([
  z.strictObject({ kind: z.literal('class') }),
  z.strictObject({ kind: z.literal('teachers') }),
  z.strictObject({ kind: z.literal('student'), studentId: z.string() }),
]);

const classroomSchema = z.strictObject({
  hands: z.array(z.strictObject({ studentId: z.string(), raisedAt: time, note: z.string() })),
  messages: z.array(
    z.strictObject({
      id: z.string(),
      fromId: z.string(),
      fromName: z.string(),
      to: recipientSchema,
      text: z.string(),
      url: z.string().nullable(),
      sentAt: time,
      ackedBy: z.array(z.string()),
    }),
  ),
  attention: z
    .strictObject({
      id: z.string(),
      byId: z.string(),
      byName: z.string(),
      message: z.string(),
      since: time,
      ackedBy: z.array(z.string()),
    })
    .nullable(),
  attendance: z.array(
    z.strictObject({
      studentId: z.string(),
      name: z.string(),
      joinedAt: time,
      leftAt: time.nullable(),
      sharedMs: z.number().min(0),
      lastShareAt: time,
      stops: z.number().int().min(0),
      handsRaised: z.number().int().min(0),
      rosterEntryId: z.string().min(1).optional(),
      accountId: z.string().min(1).optional(),
    }),
  ),
  presentation: z
    .strictObject({
      id: z.string(),
      presenterId: z.string(),
      presenterName: z.string(),
      studentId: z.string().nullable(),
      name: z.string(),
      since: time,
    })
    .nullable(),
  sites: z
    .strictObject({
      kind: z.enum(['allow', 'block']),
      sites: z.array(z.string().min(1)),
      byId: z.string(),
      byName: z.string(),
      since: time,
    })
    .nullable(),
});

const roomSchema = z.strictObject({
  code: z.string().regex(/^[A-Z0-9]+$/),
  name: z.string().min(1),
  listed: z.boolean(),
  supervisorKey: z.string().min(1),
  createdAt: time,
  hostId: z.string().nullable(),
  orphanedSince: time.nullable(),
  transport: z.enum(['mesh', 'relay']),
  transportSince: time,
  relayedPairs: z.array(z.string()),
  directMembers: z.array(z.string()),
  unroutablePairs: z.array(z.string()),
  // null: placed on a relay worker again at start.
  relayPeerId: z.string().nullable(),
  presentationTransport: z.enum(['mesh', 'relay']),
  failures: z.array(z.tuple([z.string(), z.number().int().min(0)])),
  // Absent in state saved before rooms raced their paths: not racing, no direct call seen.
  racing: z.boolean().optional(),
  directSeen: z.boolean().optional(),
  members: z.array(memberSchema),
  createdBy: z.string(),
  claimed: z.boolean(),
  classroom: classroomSchema,
  // The class and lesson the room is, or null for a room made on its own.
  lesson: z
    .strictObject({
      classId: z.string().min(1),
      lessonId: z.string().min(1),
      rostered: z.boolean(),
      waiting: z.array(
        z.strictObject({
          id: z.string().min(1),
          name: z.string().min(1),
          tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
          since: time,
          // Absent in state saved before waits expired: seen when they began waiting.
          lastSeenAt: time.optional(),
          accountId: z.string().min(1).optional(),
        }),
      ),
    })
    .nullable(),
});

type RoomRecord = z.infer<typeof roomSchema>;

/**
 * What is saved of a room. Presence (connected, offlineSince) is not: after a restart every member
 * is offline since the start until they reconnect.
 */
function roomRecord(room: Room): RoomRecord {
  return {
    code: room.code,
    name: room.name,
    listed: room.listed,
    supervisorKey: room.supervisorKey,
    createdAt: room.createdAt,
    hostId: room.hostId,
    orphanedSince: room.orphanedSince,
    transport: room.routes.transport,
    transportSince: room.routes.transportSince,
    relayedPairs: [...room.routes.relayedPairs],
    directMembers: [...room.routes.directMembers],
    unroutablePairs: [...room.routes.unroutablePairs],
    relayPeerId: room.routes.relayPeerId,
    presentationTransport: room.routes.presentationTransport,
    failures: [...room.routes.failures],
    racing: room.routes.racing,
    directSeen: room.routes.directSeen,
    createdBy: room.createdBy,
    claimed: room.claimed,
    classroom: room.classroom as z.infer<typeof classroomSchema>,
    lesson: room.lesson
      ? {
          classId: room.lesson.classId,
          lessonId: room.lesson.lessonId,
          rostered: room.lesson.rostered,
          waiting: room.lesson.waiting.map((w) => ({ ...w })),
        }
      : null,
    members: room.members.map((m) => ({
      id: m.id,
      role: m.role,
      name: m.name,
      peerId: m.peerId,
      tokenHash: m.tokenHash,
      joinedAt: m.joinedAt,
      share: m.share,
      ...(m.rosterEntryId === undefined ? {} : { rosterEntryId: m.rosterEntryId }),
      ...(m.accountId === undefined ? {} : { accountId: m.accountId }),
    })),
  };
}

/** A saved room as the registry holds it; members start offline (see `resumeAfterRestart`). */
function toRoom(record: RoomRecord): Room {
  const {
    transport,
    transportSince,
    relayedPairs,
    directMembers,
    unroutablePairs,
    relayPeerId,
    presentationTransport,
    failures,
    racing,
    directSeen,
    classroom,
    ...rest
  } = record;
  const members: Member[] = record.members.map((m) => ({
    ...m,
    connected: false,
    offlineSince: record.createdAt,
  }));
  const routes = {
    transport,
    transportSince,
    relayedPairs,
    directMembers,
    relayPeerId,
    unroutablePairs,
    presentationTransport,
    failures: new Map(failures),
    racing: racing ?? false,
    directSeen: directSeen ?? false,
  };
  const lesson = rest.lesson && {
    ...rest.lesson,
    waiting: rest.lesson.waiting.map((w) => ({ ...w, lastSeenAt: w.lastSeenAt ?? w.since })),
  };
  return { ...rest, lesson, members, routes, classroom };
}

/** The header's `[network, seen at]` pairs (absent before issue #22's memory: none); anything else is skipped. */
function readNetworks(value: unknown): RememberedNetworks {
  const pairs = Array.isArray(value) ? value : [];
  return new Map(
    pairs.filter(
      (pair): pair is [string, number] =>
        Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'number' && Number.isFinite(pair[1]),
    ),
  );
}
