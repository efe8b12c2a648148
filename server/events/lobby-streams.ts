/**
 * Adapter from registry events to the public lobby stream: listed rooms appear, change and vanish.
 * Sends an update only when a room's lobby line actually changed.
 */
import type { LobbyEvent, RoomSummary } from '../../src/shared/protocol.ts';
import type { RegistryEvent, RegistryState } from '../core/room-registry.ts';
import { roomSummary } from '../core/views.ts';
import type { SseStream } from './sse.ts';

/** The lobby line of every listed room. */
export function listedRooms(state: RegistryState): RoomSummary[] {
  return [...state.rooms.values()].filter((r) => r.listed).map(roomSummary);
}

/** The open lobby streams. */
export class LobbyStreams {
  readonly #streams = new Set<SseStream>();
  /** Last line sent per listed room, as JSON, to skip updates that change nothing. */
  readonly #sent = new Map<string, string>();

  /** Starts a stream with a snapshot of every listed room. */
  attach(state: RegistryState, stream: SseStream): void {
    this.#streams.add(stream);
    stream.onClose(() => this.#streams.delete(stream));
    stream.sendSnapshot({ type: 'snapshot', rooms: listedRooms(state) } satisfies LobbyEvent);
  }

  /** Number of open streams. */
  get size(): number {
    return this.#streams.size;
  }

  /** Store listener: turns room changes into lobby events. */
  readonly publish = (events: readonly RegistryEvent[], state: RegistryState): void => {
    for (const code of new Set(events.map((e) => e.code))) {
      const room = state.rooms.get(code);
      const before = this.#sent.get(code);
      let message: LobbyEvent | null = null;
      if (room?.listed) {
        const summary = roomSummary(room);
        const json = JSON.stringify(summary);
        if (json !== before) {
          this.#sent.set(code, json);
          message = { type: before === undefined ? 'room-added' : 'room-updated', room: summary };
        }
      } else if (before !== undefined) {
        this.#sent.delete(code);
        message = { type: 'room-removed', code };
      }
      if (message) for (const stream of this.#streams) stream.send(message);
    }
  };

  /** Sends one message to every open stream (the server is restarting). */
  announce(message: LobbyEvent): void {
    for (const stream of this.#streams) stream.send(message);
  }

  /** Ends every stream, for shutdown. */
  closeAll(): void {
    for (const stream of [...this.#streams]) stream.close();
  }
}
