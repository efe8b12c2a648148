/**
 * What each relay is told of its rooms: the rooms placed on it, as the relay needs to know them
 * (who may publish, who receives whom, the shown screen and who watches it), resent as they change
 * and kept for LINGER_MS after a room stops using it. It reads the registry's state; it writes none.
 */
import { presentationAudience, stageAudience } from '../../../src/shared/presentation-audience.ts';
import { presentsThroughRelay, relayCarries, sendsToRelay } from '../../../src/shared/protocol.ts';
import type { RegistryState, Room } from '../../core/room-registry.ts';
import { usesRelay } from '../../core/routes.ts';
import type { RoomStore } from '../../room-store.ts';
import { LINGER_MS, type RelayRoom, type ToRelay } from '../messages.ts';

/** How often rooms that stopped using the relay are checked for having lingered long enough. */
const LINGER_CHECK_INTERVAL_MS = 1000;

/**
 * Keeps one relay told of the rooms placed on it, and for LINGER_MS of those that just left it, as
 * rooms change. `tell` is a no-op while the relay is not connected; `all` resends every room.
 */
export function feedRooms(deps: { store: RoomStore; peerId: string; tell: (message: ToRelay) => void }) {
  const { store, peerId, tell } = deps;
  /**
   * Rooms the relay knows of: those where some screen goes through it or that keep a stage on it
   * (null), and for a while those that just stopped, with since when (so the relay keeps their
   * calls up until the direct ones, or those through another relay, work).
   */
  const known = new Map<string, number | null>();
  const expired = (since: number | null | undefined, now: number) =>
    typeof since === 'number' && now - since >= LINGER_MS + LINGER_CHECK_INTERVAL_MS;
  /** Tells the relay about the rooms named (all of them without `codes`), and which it can forget. */
  const publish = (state: RegistryState, codes?: Iterable<string>) => {
    if (!codes) known.clear();
    const now = store.now();
    const rooms: RelayRoom[] = [];
    const removed: string[] = [];
    for (const code of codes ?? state.rooms.keys()) {
      const room = state.rooms.get(code);
      const shown = room?.classroom.presentation ?? null;
      const stage = room ? stageOf(room) : [];
      const relayed = room && (usesRelay(room.routes, shown?.presenterId ?? null) || stage.length > 0);
      if (room && relayed && room.routes.relayPeerId === peerId) known.set(code, null);
      else if (room && known.has(code)) known.set(code, known.get(code) ?? now);
      if (room && known.has(code) && !expired(known.get(code), now)) rooms.push(relayRoom(room, stage));
      else if (known.delete(code)) removed.push(code);
    }
    if (!codes || rooms.length > 0 || removed.length > 0) tell({ type: 'rooms', rooms, removed, complete: !codes });
  };
  /** Rooms that stopped using the relay long enough ago are forgotten. */
  const forgetStale = () => {
    const now = store.now();
    const stale = [...known].filter(([, since]) => expired(since, now)).map(([code]) => code);
    if (stale.length > 0) publish(store.state, stale);
  };
  // Only the rooms an event touched: a busy server must not resend every room on every join.
  const unsubscribe = store.subscribe((events, state) => publish(state, new Set(events.map((e) => e.code))));
  const timer = setInterval(forgetStale, LINGER_CHECK_INTERVAL_MS);
  timer.unref();
  return {
    all: () => publish(store.state),
    stop: () => {
      clearInterval(timer);
      unsubscribe();
    },
  };
}

/** What the relay needs to know of a room, whose stage is `stage` (see stageOf). */
function relayRoom(room: Room, stage: NonNullable<RelayRoom['stage']>): RelayRoom {
  const supervisors = room.members.filter((m) => m.role === 'supervisor' && m.connected);
  return {
    code: room.code,
    students: room.members
      .filter((m) => m.role === 'student')
      .map((m) => ({
        memberId: m.id,
        peerId: m.peerId,
        sharing: m.share === 'sharing',
        publishes: sendsToRelay(room.routes, m.id),
        viewers: supervisors.filter((s) => relayCarries(room.routes, m.id, s.id)).map((s) => s.id),
      })),
    supervisors: supervisors.map((m) => ({ memberId: m.id, peerId: m.peerId })),
    awaySupervisors: room.members.filter((m) => m.role === 'supervisor' && !m.connected).map((m) => m.id),
    presentation: relayedPresentation(room),
    stage,
  };
}

/** The students the relay keeps a standing call to, ready for what the room shows next. */
function stageOf(room: Room): NonNullable<RelayRoom['stage']> {
  return stageAudience(room.members, room.routes).map((m) => ({ memberId: m.id, peerId: m.peerId }));
}

/** The screen shown to the class as the relay forwards it, or null when none goes through the relay. */
function relayedPresentation(room: Room): RelayRoom['presentation'] {
  const shown = room.classroom.presentation;
  const presenter = shown && room.members.find((m) => m.id === shown.presenterId);
  if (!shown || !presenter || !presentsThroughRelay(room.routes, presenter.id)) return null;
  const viewers = presentationAudience(shown, room.members, room.routes).throughRelay;
  return {
    id: shown.id,
    name: shown.name,
    presenterPeerId: presenter.peerId,
    viewers: viewers.map((m) => ({ memberId: m.id, peerId: m.peerId })),
  };
}
