/**
 * What survives a reload or a crash: the current seat, the name last used and the classes this
 * browser teaches, in a named IndexedDB store (idb-keyval), so reopening the app returns the
 * person to the same seat.
 */
import { createStore, del, get, set, update } from 'idb-keyval';
import type { OwnMember, Role, RoomView } from '../../shared/protocol.ts';
import { classListFrom, withClass, withoutClass, type SavedClass } from './classes.ts';
import type { OverflowMode, TileSize } from './wall-layout.ts';

/** A seat in a room: enough to reconnect as the same member. */
export interface SavedSeat {
  code: string;
  roomName: string;
  memberId: string;
  role: Role;
  name: string;
  peerId: string;
  token: string;
  /** The class whose lesson this room is, when the seat was taken from its page (to return there at the end). */
  classId?: string;
}

/** The seat a create or join reply gives; `classId` when it is a lesson opened from its class's page. */
export function seatFrom(room: Pick<RoomView, 'code' | 'name'>, member: OwnMember, classId?: string): SavedSeat {
  const { id: memberId, role, name, peerId, token } = member;
  const seat: SavedSeat = { code: room.code, roomName: room.name, memberId, role, name, peerId, token };
  return classId === undefined ? seat : { ...seat, classId };
}

const store = createStore('classroom-screens', 'session');

/** The saved seat, if any. Storage failures (private mode, quota) read as "none". */
export async function loadSeat(): Promise<SavedSeat | undefined> {
  return get<SavedSeat>('seat', store).catch(() => undefined);
}

/** Remembers the seat, and its name for the next form. */
export async function saveSeat(seat: SavedSeat): Promise<void> {
  await Promise.all([set('seat', seat, store), set('name', seat.name, store)]).catch(() => undefined);
}

/** Forgets the seat (left, removed, or the room ended). */
export async function clearSeat(): Promise<void> {
  await del('seat', store).catch(() => undefined);
}

/** The name last used, to prefill forms. */
export async function loadName(): Promise<string> {
  return (await get<string>('name', store).catch(() => undefined)) ?? '';
}

/** The classes this browser teaches, newest first; unreadable storage reads as none. */
export async function loadClasses(): Promise<SavedClass[]> {
  return classListFrom(await get<unknown>('classes', store).catch(() => undefined));
}

/**
 * Adds a class to the list, or updates its name or key; returns the list. Read and written in one
 * transaction, so two tabs saving at once both land.
 */
export async function saveClass(entry: SavedClass): Promise<SavedClass[]> {
  return updateClasses((list) => withClass(list, entry));
}

/** Takes a class off this browser's list (the class itself stays on the server); returns the list. */
export async function forgetClass(id: string): Promise<SavedClass[]> {
  return updateClasses((list) => withoutClass(list, id));
}

async function updateClasses(change: (list: SavedClass[]) => SavedClass[]): Promise<SavedClass[]> {
  let next: SavedClass[] = [];
  await update<unknown>(
    'classes',
    (stored) => {
      next = change(classListFrom(stored));
      return next;
    },
    store,
  ).catch(() => undefined);
  return next;
}

/** The teacher's wall choices, kept across lessons. */
export interface WallSettings {
  size: TileSize;
  overflow: OverflowMode;
  /** A short sound when a student stops sharing (off unless the teacher turns it on). */
  stopSound: boolean;
  /** A short sound when a student raises their hand (off unless the teacher turns it on). */
  handSound: boolean;
}

/** Every tile fits on screen, a big class pages, and no sound. */
export const DEFAULT_WALL_SETTINGS: WallSettings = Object.freeze({
  size: 'fit',
  overflow: 'pages',
  stopSound: false,
  handSound: false,
});

/** The saved wall choices; anything missing or unreadable reads as the default. */
export async function loadWallSettings(): Promise<WallSettings> {
  const saved = await get<Partial<WallSettings>>('wall', store).catch(() => undefined);
  return { ...DEFAULT_WALL_SETTINGS, ...saved };
}

/** Remembers the wall choices. */
export async function saveWallSettings(settings: WallSettings): Promise<void> {
  await set('wall', settings, store).catch(() => undefined);
}
