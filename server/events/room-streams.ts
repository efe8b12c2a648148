/**
 * Adapter from registry events to each member's room event stream: a snapshot on connect, then
 * only what that member may see. A member's stream ends when they leave or the room ends.
 */
import type { RoomEvent } from '../../src/shared/protocol.ts';
import type { Member, RegistryEvent, RegistryState, Room } from '../core/room-registry.ts';
import { eventFor, roomView } from '../core/views.ts';
import type { SseStream } from './sse.ts';

interface Subscriber {
  readonly memberId: string;
  readonly stream: SseStream;
}

/** Streams one member may hold at once (a few tabs, or a reconnect before the old one timed out). */
export const MAX_STREAMS_PER_MEMBER = 3;

/** What an adapter beside the registry adds to a snapshot for `viewer` (live state the registry does not hold). */
export type SnapshotSource = (room: Room, viewer: Member) => RoomEvent[];

/** The open room event streams, by room code. */
export class RoomStreams {
  readonly #byRoom = new Map<string, Set<Subscriber>>();
  readonly #sources: SnapshotSource[] = [];

  /** Adds what `source` knows of a room to every snapshot from now on, right after it. */
  addSnapshotSource(source: SnapshotSource): void {
    this.#sources.push(source);
  }

  /** Starts a member's stream with a snapshot of the room as they see it. */
  attach(room: Room, memberId: string, stream: SseStream): void {
    const viewer = room.members.find((m) => m.id === memberId);
    if (!viewer) return stream.close();
    const subscriber = { memberId, stream };
    let set = this.#byRoom.get(room.code);
    if (!set) this.#byRoom.set(room.code, (set = new Set()));
    // Past the per-member cap the oldest of the member's streams gives way (sets keep insertion order).
    const own = [...set].filter((s) => s.memberId === memberId);
    for (const old of own.slice(0, Math.max(0, own.length - MAX_STREAMS_PER_MEMBER + 1))) old.stream.close();
    set.add(subscriber);
    stream.onClose(() => {
      set.delete(subscriber);
      if (set.size === 0 && this.#byRoom.get(room.code) === set) this.#byRoom.delete(room.code);
    });
    stream.sendSnapshot({ type: 'snapshot', room: roomView(room, viewer), you: memberId } satisfies RoomEvent);
    for (const source of this.#sources) for (const message of source(room, viewer)) stream.send(message);
  }

  /** Sends `message` to the streams of the room's members for whom `to` holds. */
  sendTo(room: Room, to: (viewer: Member) => boolean, message: RoomEvent): void {
    for (const { memberId, stream } of this.#byRoom.get(room.code) ?? []) {
      const viewer = room.members.find((m) => m.id === memberId);
      if (viewer && to(viewer)) stream.send(message);
    }
  }

  /** Number of open streams, for health and benchmarks. */
  get size(): number {
    let n = 0;
    for (const set of this.#byRoom.values()) n += set.size;
    return n;
  }

  /** Store listener: delivers each event to the members who may see it. */
  readonly publish = (events: readonly RegistryEvent[], state: RegistryState): void => {
    for (const event of events) {
      const subscribers = this.#byRoom.get(event.code);
      if (!subscribers) continue;
      const room = state.rooms.get(event.code);
      for (const { memberId, stream } of [...subscribers]) {
        const viewer =
          event.type === 'room-terminated'
            ? event.room.members.find((m) => m.id === memberId)
            : event.type === 'member-left' && event.member.id === memberId
              ? event.member
              : room?.members.find((m) => m.id === memberId);
        if (!viewer) {
          stream.close();
          continue;
        }
        const message = eventFor(event, room, viewer);
        if (message) stream.send(message);
        const seatEnded =
          event.type === 'room-terminated' || (event.type === 'member-left' && event.member.id === memberId);
        if (seatEnded) stream.close();
      }
    }
  };

  /** Sends one message to every open stream (the server is restarting). */
  announce(message: RoomEvent): void {
    for (const set of this.#byRoom.values()) for (const { stream } of set) stream.send(message);
  }

  /** Ends every stream, for shutdown. */
  closeAll(): void {
    for (const set of this.#byRoom.values()) for (const { stream } of [...set]) stream.close();
  }
}
