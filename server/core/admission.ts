/**
 * Admission to a rostered lesson, pure: a student whose name the class link could not vouch for
 * (no roster entry picked, or they came by the room code) waits in the lesson's `waiting` list until
 * a teacher admits them (as who they said, or as a roster entry) or refuses them. The token they got
 * when they asked becomes their seat's token once admitted, so their app needs nothing new.
 */
import { normalizeCode } from '../../src/shared/protocol.ts';
import { newMember } from './credentials.ts';
import { done, refuse, seatIn, withRoom } from './registry-state.ts';
import {
  seatMember,
  type Context,
  type Outcome,
  type RegistryState,
  type Room,
  type RoomLesson,
  type Seat,
  type WaitingStudent,
} from './room-registry.ts';
import { hashToken, sameSecret } from './secrets.ts';

/** Students one lesson may hold waiting at once: a class and then some, and a bound on the teachers' view. */
export const MAX_WAITING = 50;

/**
 * How long a wait lasts without the student's app asking after it. The app asks every 2 s; a reload,
 * a Wi-Fi hop or a hidden tab leaves gaps of seconds (Chrome runs a hidden tab's timers as rarely
 * as once a minute: https://developer.chrome.com/blog/timer-throttling-in-chrome-88), so two
 * minutes of silence means the app was closed or the device left, and the teacher's list drops them.
 */
export const WAITING_TTL_MS = 2 * 60_000;

/**
 * How stale `lastSeenAt` may get before an ask is written down: asks every 2 s need not change the
 * saved state every 2 s to keep a two-minute deadline honest.
 */
export const WAITING_SEEN_STEP_MS = 10_000;

/** A student asks to join the lesson `code` as `name`; they get a token to ask after their request with. */
export function requestAdmission(
  state: RegistryState,
  input: { code: string; name: string; accountId?: string | undefined },
  ctx: Context,
): Outcome<{ room: Room; waiting: WaitingStudent; token: string }> {
  const room = state.rooms.get(normalizeCode(input.code));
  if (!room?.lesson) return refuse('room-not-found');
  if (room.lesson.waiting.length >= MAX_WAITING) return refuse('waiting-full');
  const [member, token] = newMember('student', input.name, ctx);
  const waiting: WaitingStudent = {
    id: member.id,
    name: member.name,
    tokenHash: member.tokenHash,
    since: ctx.now,
    lastSeenAt: ctx.now,
    ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
  };
  const next = withLesson(room, { ...room.lesson, waiting: [...room.lesson.waiting, waiting] });
  return done(withRoom(state, next), [{ type: 'waiting-changed', code: room.code }], { room: next, waiting, token });
}

/**
 * A supervisor admits a waiting student, under the name they gave or as `rosterEntry` (when the
 * teacher added them to the roster, or knows who they are).
 */
export function admitStudent(
  state: RegistryState,
  input: { code: string; actorId: string; waitingId: string; rosterEntry?: { id: string; name: string } },
  ctx: Context,
): Outcome<Seat> {
  const found = waitingFor(state, input);
  if ('error' in found) return found;
  const { room, lesson, waiting } = found;
  const [fresh] = newMember('student', input.rosterEntry?.name ?? waiting.name, ctx);
  const member = {
    ...fresh,
    id: waiting.id,
    tokenHash: waiting.tokenHash,
    ...(input.rosterEntry ? { rosterEntryId: input.rosterEntry.id } : {}),
    ...(waiting.accountId === undefined ? {} : { accountId: waiting.accountId }),
  };
  const left = withLesson(room, { ...lesson, waiting: lesson.waiting.filter((w) => w.id !== waiting.id) });
  const seated = seatMember(state, left, member, ctx);
  if (!seated.ok) return seated;
  return done(seated.state, [{ type: 'waiting-changed', code: room.code }, ...seated.events], seated.value);
}

/** A supervisor turns a waiting student away; their token then opens nothing. */
export function refuseAdmission(
  state: RegistryState,
  input: { code: string; actorId: string; waitingId: string },
): Outcome<void> {
  const found = waitingFor(state, input);
  if ('error' in found) return found;
  const { room, lesson, waiting } = found;
  const next = withLesson(room, { ...lesson, waiting: lesson.waiting.filter((w) => w.id !== waiting.id) });
  return done(withRoom(state, next), [{ type: 'waiting-changed', code: room.code }], undefined);
}

/**
 * The waiting student with `token` asks after their request: they are still there, so their wait
 * does not expire (`lastSeenAt` moves on, at most every WAITING_SEEN_STEP_MS). Refused
 * `waiting-not-found` when nobody waits with that token.
 */
export function askAfterAdmission(
  state: RegistryState,
  input: { code: string; token: string },
  ctx: Pick<Context, 'now'>,
): Outcome<WaitingStudent> {
  const room = state.rooms.get(normalizeCode(input.code));
  const waiting = waitingIn(state, input.code, input.token);
  if (!room?.lesson || !waiting) return refuse('waiting-not-found');
  if (ctx.now - waiting.lastSeenAt < WAITING_SEEN_STEP_MS) return done(state, [], waiting);
  const seen = { ...waiting, lastSeenAt: ctx.now };
  const next = withLesson(room, {
    ...room.lesson,
    waiting: room.lesson.waiting.map((w) => (w.id === waiting.id ? seen : w)),
  });
  return done(withRoom(state, next), [], seen);
}

/** The waiting student with `token` stops waiting of their own accord; their token then opens nothing. */
export function withdrawAdmission(state: RegistryState, input: { code: string; token: string }): Outcome<void> {
  const room = state.rooms.get(normalizeCode(input.code));
  const waiting = waitingIn(state, input.code, input.token);
  if (!room?.lesson || !waiting) return refuse('waiting-not-found');
  const next = withLesson(room, { ...room.lesson, waiting: room.lesson.waiting.filter((w) => w.id !== waiting.id) });
  return done(withRoom(state, next), [{ type: 'waiting-changed', code: room.code }], undefined);
}

/**
 * The lesson `room` without the waits nobody asked after for WAITING_TTL_MS (the app was closed),
 * or `room` itself when none expired; `sweep` runs it with the store's clock.
 */
export function withoutExpiredWaits(room: Room, now: number): Room {
  const lesson = room.lesson;
  if (!lesson?.waiting.some((w) => now - w.lastSeenAt >= WAITING_TTL_MS)) return room;
  return withLesson(room, { ...lesson, waiting: lesson.waiting.filter((w) => now - w.lastSeenAt < WAITING_TTL_MS) });
}

/** The waiting student a token belongs to in the lesson `code`, if they are still waiting. */
export function waitingIn(state: RegistryState, code: string, token: string): WaitingStudent | undefined {
  const presented = hashToken(token);
  return state.rooms.get(normalizeCode(code))?.lesson?.waiting.find((w) => sameSecret(presented, w.tokenHash));
}

/**
 * The lesson `code` learns whether its class has a roster now (a roster imported or emptied while
 * it runs). Without one, nobody needs admitting, so whoever waits stays for a teacher to admit.
 */
export function setLessonRostered(state: RegistryState, input: { code: string; rostered: boolean }): Outcome<void> {
  const room = state.rooms.get(input.code);
  if (!room?.lesson) return refuse('room-not-found');
  if (room.lesson.rostered === input.rostered) return done(state, [], undefined);
  return done(withRoom(state, withLesson(room, { ...room.lesson, rostered: input.rostered })), [], undefined);
}

/** The lesson's waiting student `waitingId`, asked after by supervisor `actorId`. */
function waitingFor(
  state: RegistryState,
  input: { code: string; actorId: string; waitingId: string },
): { room: Room; lesson: RoomLesson; waiting: WaitingStudent } | Extract<Outcome<never>, { ok: false }> {
  const seat = seatIn(state, input.code, input.actorId);
  if ('error' in seat) return seat;
  if (seat.member.role !== 'supervisor') return refuse('wrong-role');
  const lesson = seat.room.lesson;
  const waiting = lesson?.waiting.find((w) => w.id === input.waitingId);
  return lesson && waiting ? { room: seat.room, lesson, waiting } : refuse('waiting-not-found');
}

function withLesson(room: Room, lesson: RoomLesson): Room {
  return { ...room, lesson };
}
