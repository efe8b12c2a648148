/**
 * A class's students' link (`/api/join/:joinSecret`): what it shows (the class, its live lesson,
 * and while one runs the roster's names not yet in it), a stream that says when a lesson starts or
 * ends, and joining the live lesson as a picked roster name or under a typed one. The join secret
 * is the credential, so nothing here is limited per seat; a school's devices share one address,
 * so streams are bounded per class rather than per address. No room rule here.
 */
import express, { type Request } from 'express';
import type { Kysely } from 'kysely';
import type {
  ClassLinkEvent,
  ClassLinkResponse,
  JoinRoomResponse,
  RosterName,
  WaitingResponse,
} from '../../../src/shared/protocol.ts';
import { joinRoom, requestAdmission, type RegistryState, type Room } from '../../core/room-registry.ts';
import { roomView } from '../../core/views.ts';
import { classByJoinSecret, getClass } from '../../db/classes-repo.ts';
import { getRosterEntry, hasRoster, listRoster } from '../../db/rosters-repo.ts';
import type { ClassRecord, Tables } from '../../db/tables.ts';
import { openEventStream, type SseStream } from '../../events/sse.ts';
import { StreamQuota } from '../../events/stream-quota.ts';
import type { RoomStore } from '../../room-store.ts';
import { ApiError, succeed } from '../errors.ts';
import type { RequestLimits } from '../limits.ts';
import { classJoinBody, parseBody } from '../schemas.ts';
import { ownMember } from './own-member.ts';

/** Open link streams one class may have: every device of a few classes' worth of students, each with a spare tab. */
export const LINK_STREAMS_PER_CLASS = 500;
/** Longest join secret accepted in a path (they are 32 characters). */
const SECRET_MAX = 64;

/** What the class link routes need. */
export interface ClassLinkDeps {
  store: RoomStore;
  db: Kysely<Tables>;
  limits: Pick<RequestLimits, 'read' | 'entry'>;
}

/** The class's live lesson room in the registry, if one is running. */
export function liveLessonRoom(state: RegistryState, classId: string): Room | undefined {
  for (const room of state.rooms.values()) if (room.lesson?.classId === classId) return room;
  return undefined;
}

/**
 * Seats a student in `code`, or, where the lesson must vouch for them first, puts them on its
 * waiting list: the one way in for both the room code and the class link.
 */
export function joinOrWait(
  store: RoomStore,
  input: { code: string; name: string; rosterEntry?: { id: string; name: string } },
): { status: 201; body: JoinRoomResponse } | { status: 202; body: WaitingResponse } {
  const joined = store.run((state, ctx) => joinRoom(state, { ...input, role: 'student' }, ctx));
  if (!joined.ok && joined.error === 'admission-required') {
    const { room, waiting, token } = succeed(store.run((state, ctx) => requestAdmission(state, input, ctx)));
    return { status: 202, body: { roomCode: room.code, waiting: { id: waiting.id, name: waiting.name }, token } };
  }
  const { room, member, token } = succeed(joined);
  return { status: 201, body: { room: roomView(room, member), member: ownMember(member, token) } };
}

/** The class link router. */
export function classLinkRoutes(deps: ClassLinkDeps): express.Router {
  const { store, db, limits } = deps;
  const router = express.Router();
  const quota = new StreamQuota(LINK_STREAMS_PER_CLASS);
  const streams = new Map<string, Set<SseStream>>();

  /** The class behind the link, or 404 when there is none (rotated, mistyped) or it is archived. */
  const linkClass = async (req: Request): Promise<ClassRecord> => {
    const secret = String(req.params.joinSecret);
    const klass = secret.length <= SECRET_MAX ? await classByJoinSecret(db, secret) : null;
    if (!klass || klass.archivedAt !== null) throw new ApiError('class-link-not-found');
    return klass;
  };

  /** What the link says now; `room` is the live lesson, if any. */
  const linkState = async (klass: ClassRecord, room: Room | undefined): Promise<ClassLinkResponse> => ({
    class: { name: klass.name },
    hasRoster: room?.lesson ? room.lesson.rostered : await hasRoster(db, klass.id),
    live: room ? { roomCode: room.code, startedAt: room.createdAt } : null,
  });

  router.get('/join/:joinSecret', limits.read, async (req, res) => {
    const klass = await linkClass(req);
    const room = liveLessonRoom(store.state, klass.id);
    const body = await linkState(klass, room);
    if (room?.lesson?.rostered) body.names = await namesNotIn(room, klass.id);
    res.json(body);
  });

  router.get('/join/:joinSecret/events', limits.read, async (req, res) => {
    const klass = await linkClass(req);
    const release = quota.admit(klass.id);
    if (!release) throw new ApiError('too-many-streams');
    const stream = openEventStream(req, res);
    const open = streams.get(klass.id) ?? new Set();
    streams.set(klass.id, open.add(stream));
    stream.onClose(() => {
      release();
      open.delete(stream);
      if (open.size === 0 && streams.get(klass.id) === open) streams.delete(klass.id);
    });
    const first: ClassLinkEvent = {
      type: 'class-link',
      ...(await linkState(klass, liveLessonRoom(store.state, klass.id))),
    };
    stream.sendSnapshot(first);
  });

  // A lesson starting or ending is all a link's stream tells.
  store.subscribe((events, state) => {
    for (const event of events) {
      const lesson =
        event.type === 'room-created'
          ? state.rooms.get(event.code)?.lesson
          : event.type === 'room-terminated'
            ? event.room.lesson
            : undefined;
      const open = lesson ? streams.get(lesson.classId) : undefined;
      if (lesson && open) void announce(lesson.classId, open, state);
    }
  });

  /** Tells a class's open streams what its link says now. */
  async function announce(classId: string, open: Set<SseStream>, state: RegistryState): Promise<void> {
    const klass = await getClass(db, classId).catch(() => null);
    if (!klass) return;
    const message: ClassLinkEvent = { type: 'class-link', ...(await linkState(klass, liveLessonRoom(state, classId))) };
    for (const stream of open) stream.send(message);
  }

  router.post('/join/:joinSecret/members', limits.entry, async (req, res) => {
    const klass = await linkClass(req);
    const input = parseBody(classJoinBody, req.body);
    const room = liveLessonRoom(store.state, klass.id);
    if (!room) throw new ApiError('lesson-not-live');
    let joined;
    if ('rosterEntryId' in input) {
      const entry = await getRosterEntry(db, klass.id, input.rosterEntryId);
      if (!entry) throw new ApiError('roster-entry-not-found', undefined, 'rosterEntryId');
      joined = joinOrWait(store, {
        code: room.code,
        name: entry.name,
        rosterEntry: { id: entry.id, name: entry.name },
      });
    } else {
      joined = joinOrWait(store, { code: room.code, name: input.name });
    }
    res.status(joined.status).json(joined.body);
  });

  /** The roster's names nobody in the lesson `room` holds, for a student to pick their own. */
  async function namesNotIn(room: Room, classId: string): Promise<RosterName[]> {
    const seated = new Set(room.members.map((m) => m.rosterEntryId));
    return (await listRoster(db, classId))
      .filter((entry) => !seated.has(entry.id))
      .map((entry) => ({ id: entry.id, name: entry.name }));
  }

  return router;
}
