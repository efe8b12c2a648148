/**
 * The classes this device joined by their link, so the app can offer a class's next lesson the
 * moment it starts, and the join that waits for a teacher (so a reload goes on waiting). Kept in
 * IndexedDB beside the seat.
 */
import { createStore, del, get, set } from 'idb-keyval';
import type { JoinRoomResponse, WaitingResponse } from '../../shared/protocol.ts';

/** A class joined by its link: how to join its next lesson with one tap. */
export interface JoinedClass {
  /** The link's secret (`/class/<secret>`). */
  secret: string;
  className: string;
  /** The roster name picked, or null when the student typed their name. */
  rosterEntryId: string | null;
  name: string;
}

/** Classes remembered, newest first: more than one student's timetable, fewer than would flood the server with streams. */
export const MAX_REMEMBERED_CLASSES = 8;

/** The list with `joined` first, once, and at most MAX_REMEMBERED_CLASSES long. */
export function rememberedWith(list: readonly JoinedClass[], joined: JoinedClass): JoinedClass[] {
  return [joined, ...list.filter((c) => c.secret !== joined.secret)].slice(0, MAX_REMEMBERED_CLASSES);
}

const store = createStore('classroom-screens', 'session');

/** The classes remembered; unreadable storage reads as none. */
export async function loadJoinedClasses(): Promise<JoinedClass[]> {
  return (await get<JoinedClass[]>('classes-joined', store).catch(() => undefined)) ?? [];
}

/** Remembers a class joined by its link. */
export async function rememberJoinedClass(joined: JoinedClass): Promise<void> {
  const list = await loadJoinedClasses();
  await set('classes-joined', rememberedWith(list, joined), store).catch(() => undefined);
}

/** A join the server holds until a teacher lets the student in. */
export interface Waiting {
  code: string;
  name: string;
  /** The token they asked with; once admitted it is their seat's. */
  token: string;
  /** What to call the lesson while they wait. */
  roomName: string;
}

/** Whether a join reply is a seat or a wait. */
export function isWaiting(reply: JoinRoomResponse | WaitingResponse): reply is WaitingResponse {
  return 'waiting' in reply;
}

/** The wait a 202 reply starts. */
export function waitingFrom(reply: WaitingResponse): Waiting {
  return { code: reply.roomCode, name: reply.waiting.name, token: reply.token, roomName: reply.roomName };
}

/** The wait under way, if any (a reload goes on waiting); unreadable storage reads as none. */
export async function loadWaiting(): Promise<Waiting | undefined> {
  const saved = await get<Partial<Waiting>>('waiting', store).catch(() => undefined);
  const { code, name, token, roomName } = saved ?? {};
  return typeof code === 'string' &&
    typeof name === 'string' &&
    typeof token === 'string' &&
    typeof roomName === 'string'
    ? { code, name, token, roomName }
    : undefined;
}

/** Remembers the wait under way, or forgets it (`null`: let in, turned away, or given up). */
export async function saveWaiting(waiting: Waiting | null): Promise<void> {
  await (waiting ? set('waiting', waiting, store) : del('waiting', store)).catch(() => undefined);
}
