/**
 * Which calls the relay should have up, decided from the rooms the server sent: which incoming call
 * to answer, which students' calls to close or let linger, and which viewers to call with which
 * screen. Pure: no werift, no timers, no clock (the caller passes `now`); relay.ts carries it out.
 */
import {
  STANDBY_PRESENTATION_ID,
  parseCallMetadata,
  parsePresentationCallMetadata,
  type PresentationCallMetadata,
  type QualityLevel,
  type Surface,
  type VideoCodec,
} from '../../../src/shared/protocol.ts';
import { LINGER_MS, type RelayRoom } from '../messages.ts';

/** One screen the rooms name, by source id: who sends it, whether it is being sent, and whether the routes send it here. */
export interface Source {
  peerId: string;
  sharing: boolean;
  publishes: boolean;
  /** On a room's stage: the presentation shown on it now (a call for another one is closed). */
  presentationId?: string;
}

/** What an incoming call carries, once the rooms say the relay takes it. */
export interface CallSource {
  /** A student's member id, or `stageSource(room code)` for the screen shown to the class. */
  sourceId: string;
  /** For the screen shown to the class, which presentation the call carries; null for a student's call or a standing one. */
  presentationId: string | null;
  /** A supervisor's standing call to a room's stage: it carries whatever they show (see PresentationCallMetadata). */
  standing: boolean;
  codec: VideoCodec;
  level: QualityLevel;
  surface: Surface | null;
}

/** A call the relay should have up: whose screen, to whom, and for a shown screen what to tell the student. */
export interface Want {
  sourceId: string;
  viewerId: string;
  peerId: string;
  presentation: PresentationCallMetadata | null;
}

/** A student's call (a publisher) as the plan reads it. */
export interface PlannedPublisher {
  readonly sourceId: string;
  readonly peerId: string;
  /** The presentation a presenter's call carries, or null for a student's or a standing one. */
  readonly presentationId: string | null;
  /** Whether it is a supervisor's standing call to a stage. */
  readonly standing: boolean;
  /** Since when the routes have not wanted this call (it lingers for LINGER_MS), or null. */
  readonly unwantedSince: number | null;
}

/** A call to a viewer (a subscriber) as the plan reads it. */
export interface PlannedSubscriber {
  readonly sourceId: string;
  readonly unwantedSince: number | null;
}

/**
 * The source id of a room's stage: the screen shown to its class, whichever presentation it is
 * (member ids never contain a colon). Its calls to students can outlast one presentation (see
 * RelayRoom.stage), so they are keyed by room, not by presentation.
 */
export function stageSource(roomCode: string): string {
  return `stage:${roomCode}`;
}

/** Whether a source id is a room's stage (the screen shown to the class) rather than a student's. */
export function isStageSource(sourceId: string): boolean {
  return sourceId.startsWith('stage:');
}

/** The key of one source/viewer pair: one call to the viewer, and one backoff after it fails. */
export function pairKeyOf(sourceId: string, viewerId: string): string {
  return `${sourceId}/${viewerId}`;
}

/** Every source the rooms name, by source id. */
export function sourcesOf(rooms: readonly RelayRoom[]): Map<string, Source> {
  const sources = new Map<string, Source>();
  for (const room of rooms) {
    for (const s of room.students)
      sources.set(s.memberId, { peerId: s.peerId, sharing: s.sharing, publishes: s.publishes });
    const shown = room.presentation;
    if (shown)
      sources.set(stageSource(room.code), {
        peerId: shown.presenterPeerId,
        sharing: true,
        publishes: true,
        presentationId: shown.id,
      });
  }
  return sources;
}

/** Whose screen an incoming call from `peerId` carries, if the rooms send it here; null for a call to refuse. */
export function callSource(rooms: readonly RelayRoom[], peerId: string, metadata: unknown): CallSource | null {
  const shown = parsePresentationCallMetadata(metadata);
  if (shown?.standing) {
    // A supervisor's standing call: taken while their room has a stage.
    const room = rooms.find((r) => (r.stage?.length ?? 0) > 0 && r.supervisors.some((s) => s.peerId === peerId));
    return room
      ? {
          sourceId: stageSource(room.code),
          presentationId: null,
          standing: true,
          codec: 'VP8',
          level: 'thumbnail',
          surface: null,
        }
      : null;
  }
  if (shown) {
    const room = rooms.find(
      (r) => r.presentation?.id === shown.presentationId && r.presentation.presenterPeerId === peerId,
    );
    // A shown screen has one leg, the base one, in VP8 (every browser that presents encodes it);
    // its size is the presenter's whole screen, not a thumbnail.
    return room
      ? {
          sourceId: stageSource(room.code),
          presentationId: shown.presentationId,
          standing: false,
          codec: 'VP8',
          level: 'thumbnail',
          surface: null,
        }
      : null;
  }
  const call = parseCallMetadata(metadata);
  const student = rooms.flatMap((r) => r.students).find((s) => s.publishes && s.peerId === peerId);
  if (!student || !call || student.memberId !== call.studentId) return null;
  return {
    sourceId: student.memberId,
    presentationId: null,
    standing: false,
    codec: call.codec ?? 'VP8',
    level: call.leg ?? 'thumbnail',
    surface: call.surface,
  };
}

/**
 * What becomes of each student's call: closed at once when the student stopped sharing (they were
 * sharing at the last update, `sharingBefore`) or left, or calls from another peer now (or, a
 * presenter's, carries a presentation no longer shown; a supervisor's standing call is kept while
 * they are connected to its room, whatever is shown); kept while
 * the routes send it here; otherwise lingering, and closed once it lingered LINGER_MS. Also returns
 * the sources sending now, the next update's `sharingBefore`.
 */
export function planPublishers<P extends PlannedPublisher>(
  rooms: readonly RelayRoom[],
  publishers: readonly P[],
  sharingBefore: ReadonlySet<string>,
  now: number,
): { verdicts: { publisher: P; close: boolean; unwantedSince: number | null }[]; sharing: Set<string> } {
  const sources = sourcesOf(rooms);
  const sharing = new Set([...sources].filter(([, source]) => source.sharing).map(([id]) => id));
  const stages = new Map(rooms.map((r) => [stageSource(r.code), r]));
  const verdicts = publishers.map((publisher) => {
    if (publisher.standing) {
      // Kept while its supervisor is connected to the room (its stage may be empty a moment: every
      // student reconnecting after a restart); else it lingers, then closes.
      const here = stages.get(publisher.sourceId)?.supervisors.some((s) => s.peerId === publisher.peerId);
      if (here) return { publisher, close: false, unwantedSince: null };
      const unwantedSince = publisher.unwantedSince ?? now;
      return { publisher, close: now - unwantedSince >= LINGER_MS, unwantedSince };
    }
    const source = sources.get(publisher.sourceId);
    const stopped = sharingBefore.has(publisher.sourceId) && !sharing.has(publisher.sourceId);
    const replaced =
      source?.peerId !== publisher.peerId || (source.presentationId ?? null) !== publisher.presentationId;
    if (stopped || replaced) return { publisher, close: true, unwantedSince: publisher.unwantedSince };
    if (source.publishes) return { publisher, close: false, unwantedSince: null };
    const unwantedSince = publisher.unwantedSince ?? now;
    return { publisher, close: now - unwantedSince >= LINGER_MS, unwantedSince };
  });
  return { verdicts, sharing };
}

/**
 * The calls to viewers the relay should have: each publishing student (one whose first call the
 * relay answered, `publishing`: the calls onwards come up beside it) to the supervisors the server
 * says receive them through the relay, and the screen
 * shown to the class to the students it names as soon as the rooms name it, without waiting for the
 * presenter's call; none for a pair still backing off after a failure.
 * A call no longer wanted lingers while both members are still in the room (a supervisor whose
 * PeerServer socket is down included: after an app server restart, every one), except from a student
 * who stopped sharing (the supervisor hangs up their side at once, and a call kept here would take
 * the student's next share for LINGER_MS). Returns the calls to place (those wanted and not up),
 * what becomes of each existing call, the pairs whose backoff can be forgotten, and the stage calls
 * that carry the screen shown now (the others stand by, sending nothing).
 */
export function planSubscribers<S extends PlannedSubscriber>(input: {
  rooms: readonly RelayRoom[];
  publishing: ReadonlySet<string>;
  sharing: ReadonlySet<string>;
  subscribers: ReadonlyMap<string, S>;
  backoffUntil: ReadonlyMap<string, { until: number }>;
  now: number;
}): {
  place: Map<string, Want>;
  verdicts: { key: string; subscriber: S; close: boolean; unwantedSince: number | null }[];
  forgetBackoff: string[];
  carrying: Set<string>;
} {
  const { publishing, sharing, subscribers, backoffUntil, now } = input;
  const wanted = new Map<string, Want>();
  const present = new Set<string>();
  const pairs = new Set<string>();
  const carrying = new Set<string>();
  const want = (sourceId: string, viewer: { memberId: string; peerId: string }, presentation: Want['presentation']) => {
    const key = pairKeyOf(sourceId, viewer.memberId);
    pairs.add(key);
    if ((backoffUntil.get(key)?.until ?? 0) > now) return;
    wanted.set(key, { sourceId, viewerId: viewer.memberId, peerId: viewer.peerId, presentation });
  };
  for (const room of input.rooms) {
    for (const student of room.students) {
      // A supervisor away from PeerServer is still in the room: their call lingers rather than ends.
      for (const supervisorId of [...room.supervisors.map((s) => s.memberId), ...room.awaySupervisors])
        present.add(pairKeyOf(student.memberId, supervisorId));
      if (!publishing.has(student.memberId)) continue;
      for (const supervisor of room.supervisors)
        if (student.viewers.includes(supervisor.memberId)) want(student.memberId, supervisor, null);
    }
    // The stage: a call to each student it names, standing between presentations (see
    // RelayRoom.stage), and to each student watching the screen shown now. Not waiting for the
    // presenter's call: the students' calls come up while hers does, and each starts at her first
    // keyframe, as after her call drops (see Relay). Only the calls to students watching carry it.
    const shown = room.presentation;
    const stage = stageSource(room.code);
    const standing = new Set(room.stage?.map((s) => s.memberId));
    // A student still in the room keeps their stage call lingering while it is not wanted (their
    // socket, or every teacher's, down for a restart), as a supervisor keeps theirs.
    for (const student of room.students) present.add(pairKeyOf(stage, student.memberId));
    for (const student of uniqueMembers([...(room.stage ?? []), ...(shown?.viewers ?? [])])) {
      want(stage, student, {
        presentationId: shown?.id ?? STANDBY_PRESENTATION_ID,
        name: shown?.name ?? '',
        ...(standing.has(student.memberId) && { standing: true }),
      });
    }
    for (const student of shown?.viewers ?? []) carrying.add(pairKeyOf(stage, student.memberId));
  }
  const forgetBackoff = [...backoffUntil.keys()].filter((key) => !pairs.has(key));
  const verdicts = [...subscribers].map(([key, subscriber]) => {
    if (wanted.has(key)) return { key, subscriber, close: false, unwantedSince: null };
    const unwantedSince = subscriber.unwantedSince ?? now;
    // A stage does not stop sharing: its calls outlast what it shows (the students hang up the others).
    const stopped = !isStageSource(subscriber.sourceId) && !sharing.has(subscriber.sourceId);
    const close = !present.has(key) || stopped || now - unwantedSince >= LINGER_MS;
    return { key, subscriber, close, unwantedSince };
  });
  const place = new Map([...wanted].filter(([key]) => !subscribers.has(key)));
  return { place, verdicts, forgetBackoff, carrying };
}

/** Members named once each. */
function uniqueMembers<M extends { memberId: string }>(members: readonly M[]): M[] {
  return [...new Map(members.map((m) => [m.memberId, m] as const)).values()];
}
