/**
 * The students' open tabs, as their companion extensions report them (issue #21): held in memory
 * for the lesson's live state only (never saved, never logged), shown to the room's supervisors
 * and no one else, and forgotten the moment the student leaves or the room ends. Holds no room
 * rule; a report is checked by the shared `parseTabReport` before it gets here.
 */
import type { RoomEvent, TabsView, TabView } from '../../src/shared/protocol.ts';
import type { RegistryEvent, RegistryState, Room } from '../core/room-registry.ts';
import type { RoomStreams } from '../events/room-streams.ts';

/** The latest report of each student, by room code then member id. */
export class TabBoard {
  readonly #byRoom = new Map<string, Map<string, TabsView>>();

  constructor(readonly streams: RoomStreams) {
    streams.addSnapshotSource((room, viewer) => (viewer.role === 'supervisor' ? this.#eventsFor(room) : []));
  }

  /** A student's new report: kept, and sent to the room's supervisors. */
  report(room: Room, memberId: string, tabs: TabsView): void {
    let reports = this.#byRoom.get(room.code);
    if (!reports) this.#byRoom.set(room.code, (reports = new Map()));
    reports.set(memberId, tabs);
    this.#tell(room, memberId, tabs);
  }

  /** A student's extension stopped reporting (the lesson link ended): their tabs are shown no more. */
  clear(room: Room, memberId: string): void {
    if (this.#byRoom.get(room.code)?.delete(memberId)) this.#tell(room, memberId, null);
  }

  /** One tab of a student's last report, if they reported it. */
  tabOf(code: string, memberId: string, tabId: number): TabView | undefined {
    return this.#byRoom
      .get(code)
      ?.get(memberId)
      ?.tabs.find((tab) => tab.id === tabId);
  }

  /** Tabs held, for health and tests. */
  get size(): number {
    let n = 0;
    for (const reports of this.#byRoom.values()) n += reports.size;
    return n;
  }

  /** Store listener: a student who leaves takes their tabs with them; an ended room takes all. */
  readonly forget = (events: readonly RegistryEvent[], state: RegistryState): void => {
    for (const event of events) {
      if (event.type === 'room-terminated') this.#byRoom.delete(event.code);
      if (event.type !== 'member-left') continue;
      const reports = this.#byRoom.get(event.code);
      if (!reports?.delete(event.member.id)) continue;
      if (reports.size === 0) this.#byRoom.delete(event.code);
      const room = state.rooms.get(event.code);
      if (room) this.#tell(room, event.member.id, null);
    }
  };

  #tell(room: Room, memberId: string, tabs: TabsView | null): void {
    const message: RoomEvent = { type: 'tabs-changed', memberId, tabs: tabs?.tabs ?? null };
    this.streams.sendTo(room, (viewer) => viewer.role === 'supervisor', message);
  }

  #eventsFor(room: Room): RoomEvent[] {
    return [...(this.#byRoom.get(room.code) ?? [])].map(([memberId, report]) => ({
      type: 'tabs-changed',
      memberId,
      tabs: report.tabs,
    }));
  }
}
