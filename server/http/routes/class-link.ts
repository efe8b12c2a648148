/**
 * A class's students' link (`/api/join/:joinSecret`): what it shows (the class, its live lesson,
 * and while one runs the roster's names not yet in it), a stream that says when a lesson starts or
 * ends (one stream for all of a device's links), and joining the live lesson as a picked roster name or under a typed one. The join secret
 * is the credential, so nothing here is limited per seat; a school's devices share one address,
 * so streams are bounded per class rather than per address. No room rule here.
 */
import express from 'express';
import type { Kysely } from 'kysely';
import type {
  ClassLinkEvent,
  ClassLinkResponse,
  JoinRoomResponse,
  RosterName,
  WaitingResponse,
} from '../../../src/shared/protocol.ts';
import type { SignedInStudent, SignIn } from '../../auth/sign-in.ts';
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
/** Longest join secret accepted (they are 32 characters). */
const SECRET_MAX = 64;
/** Class links one stream may follow: a student's timetable. */
export const LINKS_PER_STREAM = 8;

/** An open stream and the link (secret) by which it follows each class. */
interface Follower {
  stream: SseStream;
  secrets: Map<string, string>;
}

/** What the class link routes need. */
export interface ClassLinkDeps {
  store: RoomStore;
  db: Kysely<Tables>;
  limits: Pick<RequestLimits, 'read' | 'entry'>;
  /** A signed-in student joins as their roster entry (by e-mail) or under their verified name. */
  signIn: Pick<SignIn, 'student' | 'studentsMustSignIn'>;
}

/** The class's live lesson room in the registry, if one is running. */
export function liveLessonRoom(state: RegistryState, classId: string): Room | undefined {
  for (const room of state.rooms.values()) if (room.lesson?.classId === classId) return room;
  return undefined;
}

/** Who a student joining says (or their signed-in account proves) they are. */
export interface Joiner {
  readonly name: string;
  /** The roster entry they join as: picked by the class link, or matched to their account's e-mail. */
  readonly rosterEntry?: { readonly id: string; readonly name: string };
  /** Signed in: their account, for the lesson's record. */
  readonly accountId?: string;
}

/** A joiner as a signed-in student: under their verified name, as the roster entry with their e-mail. */
export function signedInJoiner(student: SignedInStudent): Joiner {
  return {
    name: student.name,
    accountId: student.accountId,
    ...(student.rosterEntry ? { rosterEntry: student.rosterEntry } : {}),
  };
}

/**
 * Seats a student in `code`, or, where the lesson must vouch for them first, puts them on its
 * waiting list: the one way in for both the room code and the class link.
 */
export function joinOrWait(
  store: RoomStore,
  input: Joiner & { code: string },
): { status: 201; body: JoinRoomResponse } | { status: 202; body: WaitingResponse } {
  const joined = store.run((state, ctx) => joinRoom(state, { ...input, role: 'student' }, ctx));
  if (!joined.ok && joined.error === 'admission-required') {
    const { room, waiting, token } = succeed(store.run((state, ctx) => requestAdmission(state, input, ctx)));
    return {
      status: 202,
      body: { roomCode: room.code, roomName: room.name, waiting: { id: waiting.id, name: waiting.name }, token },
    };
  }
  const { room, member, token } = succeed(joined, input.accountId === undefined ? undefined : 'join-signed-in');
  return { status: 201, body: { room: roomView(room, member), member: ownMember(member, token) } };
}

/** The class link router. */
export function classLinkRoutes(deps: ClassLinkDeps): express.Router {
  const { store, db, limits } = deps;
  const router = express.Router();
  const quota = new StreamQuota(LINK_STREAMS_PER_CLASS);
  /** The open streams following each class, by class id. */
  const followers = new Map<string, Set<Follower>>();

  /** The class behind the link, or 404 when there is none (rotated, mistyped) or it is archived. */
  const linkClass = async (secret: string): Promise<ClassRecord> => {
    const klass = secret.length <= SECRET_MAX ? await classByJoinSecret(db, secret) : null;
    if (!klass || klass.archivedAt !== null) throw new ApiError('class-link-not-found');
    return klass;
  };

  /** What the link says now; `room` is the live lesson, if any. */
  const linkState = async (klass: ClassRecord, room: Room | undefined): Promise<ClassLinkResponse> => ({
    class: { name: klass.name },
    hasRoster: room?.lesson ? room.lesson.rostered : await hasRoster(db, klass.id),
    signInRequired: deps.signIn.studentsMustSignIn,
    live: room ? { roomCode: room.code, startedAt: room.createdAt } : null,
  });

  router.get('/join/:joinSecret', limits.read, async (req, res) => {
    const klass = await linkClass(String(req.params.joinSecret));
    const room = liveLessonRoom(store.state, klass.id);
    const body = await linkState(klass, room);
    // Students who must sign in pick no name: the roster's names are not shown to anyone.
    if (room?.lesson?.rostered && !body.signInRequired) body.names = await namesNotIn(room, klass.id);
    res.json(body);
  });

  // One stream for every class link a device remembers, so a student's app holds one connection
  // however many classes it joined. Each message names the link it is about.
  router.get('/class-links/events', limits.read, async (req, res) => {
    const secrets = [
      ...new Set(
        String(req.query.links ?? '')
          .split(',')
          .filter(Boolean),
      ),
    ];
    if (secrets.length === 0 || secrets.length > LINKS_PER_STREAM) {
      throw new ApiError(
        'invalid-request',
        `Name 1 to ${LINKS_PER_STREAM} class links, separated by commas: ?links=<secret>,<secret>.`,
        'links',
      );
    }
    const found = await Promise.all(secrets.map((secret) => linkClass(secret).catch(() => null)));
    const followed = secrets.flatMap((secret, i) => (found[i] ? [{ secret, klass: found[i] }] : []));
    if (followed.length === 0) throw new ApiError('class-link-not-found');
    const releases = followed.map(({ klass }) => quota.admit(klass.id));
    if (releases.some((release) => release === null)) {
      for (const release of releases) release?.();
      throw new ApiError('too-many-streams');
    }
    const stream = openEventStream(req, res);
    const follower: Follower = { stream, secrets: new Map(followed.map(({ secret, klass }) => [klass.id, secret])) };
    for (const { klass } of followed) {
      const open = followers.get(klass.id) ?? new Set();
      followers.set(klass.id, open.add(follower));
    }
    stream.onClose(() => {
      for (const release of releases) release?.();
      for (const { klass } of followed) {
        const open = followers.get(klass.id);
        open?.delete(follower);
        if (open?.size === 0) followers.delete(klass.id);
      }
    });
    for (const { secret, klass } of followed) {
      stream.send(await linkEvent(secret, klass, liveLessonRoom(store.state, klass.id)));
    }
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
      if (lesson && followers.has(lesson.classId)) void announce(lesson.classId, state);
    }
  });

  /** Tells every stream following a class what its link says now. */
  async function announce(classId: string, state: RegistryState): Promise<void> {
    const klass = await getClass(db, classId).catch(() => null);
    if (!klass) return;
    const room = liveLessonRoom(state, classId);
    for (const follower of followers.get(classId) ?? []) {
      const secret = follower.secrets.get(classId);
      if (secret) follower.stream.send(await linkEvent(secret, klass, room));
    }
  }

  /** The message telling a follower of `secret` what its class's link says now. */
  async function linkEvent(secret: string, klass: ClassRecord, room: Room | undefined): Promise<ClassLinkEvent> {
    return { type: 'class-link', link: secret, ...(await linkState(klass, room)) };
  }

  router.post('/join/:joinSecret/members', limits.entry, async (req, res) => {
    const klass = await linkClass(String(req.params.joinSecret));
    const asked = parseBody(classJoinBody, req.body);
    // Signed in, the account says who they are: whatever was picked or typed is not asked.
    const student = await deps.signIn.student(req, klass.id);
    const room = liveLessonRoom(store.state, klass.id);
    if (!room) throw new ApiError('lesson-not-live');
    let joiner: Joiner;
    if (student) {
      joiner = signedInJoiner(student);
    } else if ('rosterEntryId' in asked) {
      const entry = await getRosterEntry(db, klass.id, asked.rosterEntryId);
      if (!entry) throw new ApiError('roster-entry-not-found', undefined, 'rosterEntryId');
      joiner = { name: entry.name, rosterEntry: { id: entry.id, name: entry.name } };
    } else {
      joiner = { name: asked.name };
    }
    const joined = joinOrWait(store, { code: room.code, ...joiner });
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
