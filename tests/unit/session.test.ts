import { describe, expect, it } from 'vitest';
import { PEER_TO_PEER_ROUTES, type MemberView, type MessageView, type RoomEvent } from '../../src/shared/protocol.ts';
import {
  arrangeRoster,
  handQueue,
  initialSession,
  notAcknowledged,
  rosterSummary,
  reduceSession,
  seatEndText,
  studentRoster,
  supervisors,
  unreadMessages,
  type LocalEvent,
  type Session,
} from '../../src/client/state/session.ts';

const member = (id: string, role: 'student' | 'supervisor', extra: Partial<MemberView> = {}): MemberView => ({
  id,
  role,
  name: id[0]!.toUpperCase() + id.slice(1),
  isHost: false,
  connected: true,
  sharing: false,
  share: 'never',
  joinedAt: 0,
  ...extra,
});

function snapshot(you: string, members: MemberView[], hostId = 'lee'): RoomEvent {
  const students = members.filter((m) => m.role === 'student').length;
  return {
    type: 'snapshot',
    you,
    room: {
      code: 'K7QM3X',
      name: 'Maths',
      listed: true,
      routes: PEER_TO_PEER_ROUTES,
      hostId,
      createdAt: 0,
      students,
      supervisors: members.length - students,
      members,
      classroom: { hands: [], messages: [], attention: null, presentation: null, sites: null },
    },
  };
}

const run = (events: (RoomEvent | LocalEvent)[], start: Session = initialSession) =>
  events.reduce(reduceSession, start);
const classroom = [
  member('lee', 'supervisor', { isHost: true }),
  member('ode', 'supervisor'),
  member('ada', 'student'),
  member('bo', 'student'),
];

describe('the session reducer', () => {
  it('replaces everything on a snapshot', () => {
    const s = run([snapshot('lee', classroom)]);
    expect(s.room).toMatchObject({ code: 'K7QM3X', students: 2, supervisors: 2 });
    expect(s.you).toBe('lee');
    expect(studentRoster(s).map((r) => [r.member.name, r.status])).toEqual([
      ['Ada', 'waiting'],
      ['Bo', 'waiting'],
    ]);
    expect(supervisors(s).map((m) => m.name)).toEqual(['Lee', 'Ode']);
  });

  it('tracks each student: waiting, sharing, stopped sharing, reconnecting, left', () => {
    const s = run([
      snapshot('lee', classroom),
      { type: 'share-started', memberId: 'ada' },
      { type: 'share-started', memberId: 'bo' },
      { type: 'share-stopped', memberId: 'bo' },
      { type: 'member-joined', member: member('cy', 'student', { connected: false }) },
      { type: 'member-joined', member: member('di', 'student') },
      { type: 'member-left', memberId: 'di', reason: 'timed-out' },
    ]);
    expect(studentRoster(s).map((r) => [r.member.name, r.status])).toEqual([
      ['Ada', 'sharing'],
      ['Bo', 'stopped'],
      ['Cy', 'reconnecting'],
      ['Di', 'left'],
    ]);
    expect(s.room?.students).toBe(3);
    expect(s.notices.map((n) => n.text)).toEqual(['Bo stopped sharing.']);
    // A student who comes back is no longer listed as left; cleared ones vanish.
    expect(studentRoster(run([{ type: 'departed-cleared' }], s)).map((r) => r.member.name)).toEqual([
      'Ada',
      'Bo',
      'Cy',
    ]);
  });

  it('shows a supervisor who joins after a stop the same "stopped" as one who watched it happen', () => {
    const stoppedBo = member('bo', 'student', { share: 'stopped' });
    const late = run([snapshot('ode', [...classroom.slice(0, 3), stoppedBo])]);
    const watched = run([
      snapshot('lee', classroom),
      { type: 'share-started', memberId: 'bo' },
      { type: 'share-stopped', memberId: 'bo' },
    ]);
    expect(studentRoster(late).find((r) => r.member.id === 'bo')?.status).toBe('stopped');
    expect(studentRoster(watched).find((r) => r.member.id === 'bo')?.status).toBe('stopped');
  });

  it('keeps a student who closed the app while sharing as "stopped", not "reconnecting", during the grace period', () => {
    const s = run([
      snapshot('lee', classroom),
      { type: 'share-started', memberId: 'ada' },
      { type: 'share-stopped', memberId: 'ada' },
      { type: 'member-disconnected', memberId: 'ada' },
      { type: 'share-started', memberId: 'bo' },
      { type: 'member-disconnected', memberId: 'bo' },
    ]);
    expect(studentRoster(s).map((r) => [r.member.name, r.status])).toEqual([
      ['Ada', 'stopped'],
      ['Bo', 'reconnecting'],
    ]);
  });

  it('lets the "stopped sharing" notice go by itself (the tile keeps the state)', () => {
    const s = run([
      snapshot('lee', classroom),
      { type: 'share-started', memberId: 'bo' },
      { type: 'share-stopped', memberId: 'bo' },
    ]);
    expect(s.notices.map((n) => [n.tone, n.text])).toEqual([['info', 'Bo stopped sharing.']]);
  });

  it('announces host changes in words that fit the viewer', () => {
    const transferred = run([
      snapshot('ode', classroom),
      { type: 'host-changed', hostId: 'ode', previousHostId: 'lee', reason: 'transfer' },
    ]);
    expect(transferred.notices.at(-1)?.text).toBe('Lee made you the host.');
    expect(supervisors(transferred)[0]?.name).toBe('Ode');
    const promoted = run([
      snapshot('ode', classroom),
      { type: 'host-changed', hostId: 'ode', previousHostId: 'lee', reason: 'promotion' },
    ]);
    expect(promoted.notices.at(-1)?.text).toBe('You are now the host.');
    const other = run([
      snapshot('ada', classroom),
      { type: 'host-changed', hostId: 'ode', previousHostId: 'lee', reason: 'promotion' },
    ]);
    expect(other.notices.at(-1)?.text).toBe('Ode is now the host.');
    const none = run([
      snapshot('ada', classroom),
      { type: 'host-changed', hostId: null, previousHostId: 'lee', reason: 'promotion' },
    ]);
    expect(none.notices.at(-1)?.text).toBe('No supervisor is in the room right now.');
  });

  it('ends the seat when the viewer is removed or the room ends, with the reason', () => {
    expect(run([snapshot('ada', classroom), { type: 'member-left', memberId: 'ada', reason: 'kicked' }]).ended).toBe(
      'kicked',
    );
    expect(run([snapshot('ada', classroom), { type: 'room-terminated', reason: 'ended-by-host' }]).ended).toBe(
      'ended-by-host',
    );
    expect(run([snapshot('lee', classroom), { type: 'room-terminated', reason: 'ended-by-host' }]).ended).toBe(
      'ended-by-you',
    );
    expect(run([snapshot('ada', classroom), { type: 'seat-gone' }]).ended).toBe('gone');
    expect(seatEndText('kicked', 'Maths')).toBe('You were removed from “Maths” by the host.');
    expect(seatEndText('expired', 'Maths')).toBe('“Maths” closed because no supervisor was left in it.');
  });

  it('says when the connection is back, once, and leaves the outage itself to the room view', () => {
    const s = run([
      snapshot('ada', classroom),
      { type: 'stream-status', status: 'live' },
      { type: 'stream-status', status: 'reconnecting' },
      { type: 'stream-status', status: 'reconnecting' },
      { type: 'stream-status', status: 'live' },
    ]);
    expect(s.stream).toBe('live');
    expect(s.notices.map((n) => n.text)).toEqual(['Back online.']);
    // A new outage takes "Back online." away rather than contradicting it; no "Connection lost" notice.
    const dropped = run([{ type: 'stream-status', status: 'reconnecting' }], s);
    expect(dropped.stream).toBe('reconnecting');
    expect(dropped.notices).toEqual([]);
  });

  it('remembers that the server is restarting until the restarted server sends its snapshot', () => {
    const s = run([
      snapshot('ada', classroom),
      { type: 'stream-status', status: 'live' },
      { type: 'server-restarting' },
    ]);
    expect(s.restarting).toBe(true);
    expect(s.members).toEqual(run([snapshot('ada', classroom)]).members);
    expect(run([{ type: 'stream-status', status: 'reconnecting' }], s).restarting).toBe(true);
    expect(run([snapshot('ada', classroom)], s).restarting).toBe(false);
  });

  it('keeps a student’s counts from snapshots, since students do not see each other', () => {
    const s = run([
      snapshot('ada', [classroom[0]!, classroom[2]!]),
      { type: 'member-joined', member: member('ng', 'supervisor') },
    ]);
    expect(s.room).toMatchObject({ supervisors: 2, students: 1 });
  });

  it('keeps at most two notices, the newest', () => {
    const events: RoomEvent[] = [snapshot('lee', classroom)];
    for (let i = 0; i < 10; i++) events.push({ type: 'share-stopped', memberId: i % 2 ? 'ada' : 'bo' });
    expect(run(events).notices).toHaveLength(2);
  });
});

describe('routes', () => {
  it('follow routes-changed events', () => {
    const s = run([
      snapshot('ada', classroom),
      {
        type: 'routes-changed',
        routes: {
          transport: 'relay',
          relayedPairs: ['ada/lee'],
          directMembers: ['ode'],
          relayPeerId: 'relay1',
          unroutablePairs: [],
          presentationTransport: 'relay',
          racing: false,
        },
      },
    ]);
    expect(s.room?.routes).toEqual({
      transport: 'relay',
      relayedPairs: ['ada/lee'],
      directMembers: ['ode'],
      relayPeerId: 'relay1',
      unroutablePairs: [],
      presentationTransport: 'relay',
      racing: false,
    });
  });
});

describe('the wall’s roster tools', () => {
  const s = run([
    snapshot('lee', [
      ...classroom,
      member('cy', 'student', { name: 'cy' }),
      member('di', 'student', { connected: false }),
      member('eve', 'student'),
    ]),
    { type: 'share-started', memberId: 'ada' },
    { type: 'share-started', memberId: 'bo' },
    { type: 'share-stopped', memberId: 'bo' },
    { type: 'share-started', memberId: 'eve' },
    { type: 'member-joined', member: member('fox', 'student') },
    { type: 'member-left', memberId: 'fox', reason: 'left' },
  ]);
  const roster = studentRoster(s);
  const names = (entries: typeof roster) => entries.map((r) => r.member.name);

  it('sums the class up, leaving out students who left', () => {
    expect(rosterSummary(roster)).toBe('2 of 5 sharing · 1 stopped · 1 not yet · 1 reconnecting');
    expect(rosterSummary([])).toBe('0 of 0 sharing');
  });

  it('sorts by name, or those needing attention first, and filters by any part of a name', () => {
    expect(names(arrangeRoster(roster, '', 'joined'))).toEqual(['Ada', 'Bo', 'cy', 'Di', 'Eve', 'Fox']);
    expect(names(arrangeRoster(roster, '', 'name'))).toEqual(['Ada', 'Bo', 'cy', 'Di', 'Eve', 'Fox']);
    expect(names(arrangeRoster(roster, '', 'problems'))).toEqual(['Bo', 'Di', 'cy', 'Ada', 'Eve', 'Fox']);
    expect(names(arrangeRoster(roster, ' E ', 'joined'))).toEqual(['Eve']);
    expect(names(arrangeRoster(roster, 'o', 'name'))).toEqual(['Bo', 'Fox']);
  });
});

describe('the classroom tools in the session', () => {
  const message = (id: string, to: MessageView['to'], fromId = 'lee'): MessageView => ({
    id,
    fromId,
    fromName: fromId === 'lee' ? 'Lee' : 'Bo',
    to,
    text: 'hi',
    url: null,
    sentAt: 1,
    ackedBy: [],
  });

  it('keeps the hand queue in time order and tells a teacher once per hand', () => {
    const s = run([
      snapshot('lee', classroom),
      { type: 'hand-raised', hand: { studentId: 'bo', raisedAt: 20, note: '' } },
      { type: 'hand-raised', hand: { studentId: 'ada', raisedAt: 10, note: 'Q3' } },
      { type: 'hand-raised', hand: { studentId: 'ada', raisedAt: 10, note: 'Q4' } },
    ]);
    expect(handQueue(s).map((h) => [h.studentId, h.note])).toEqual([
      ['ada', 'Q4'],
      ['bo', ''],
    ]);
    expect(s.notices.map((n) => n.text)).toEqual(['Bo raised their hand.', 'Ada raised their hand.']);
    const lowered = reduceSession(s, { type: 'hand-lowered', studentId: 'ada', byId: 'ode', byName: 'Ode' });
    expect(handQueue(lowered).map((h) => h.studentId)).toEqual(['bo']);
  });

  it('tells a teacher once per student who starts waiting to be let in, and keeps the count', () => {
    const waiting = (...names: string[]): RoomEvent => ({
      type: 'waiting-changed',
      waiting: names.map((name, i) => ({ id: `w-${name}`, name, since: i })),
    });
    const s = run([snapshot('lee', classroom), waiting('Ana'), waiting('Ana', 'Cy'), waiting('Cy')]);
    expect(s.room?.waiting?.map((w) => w.name)).toEqual(['Cy']);
    expect(s.notices.map((n) => n.text)).toEqual(['Ana is waiting to be let in.', 'Cy is waiting to be let in.']);
  });

  it('tells a student who answered their hand, until they raise it again', () => {
    const s = run([
      snapshot('ada', classroom.slice(0, 3)),
      { type: 'hand-raised', hand: { studentId: 'ada', raisedAt: 10, note: '' } },
      { type: 'hand-lowered', studentId: 'ada', byId: 'ode', byName: 'Ode' },
    ]);
    expect(s.handAnsweredBy).toBe('Ode');
    expect(run([{ type: 'hand-raised', hand: { studentId: 'ada', raisedAt: 30, note: '' } }], s).handAnsweredBy).toBe(
      null,
    );
    // Lowering it herself is not an answer.
    const own = run([
      snapshot('ada', classroom.slice(0, 3)),
      { type: 'hand-raised', hand: { studentId: 'ada', raisedAt: 10, note: '' } },
      { type: 'hand-lowered', studentId: 'ada', byId: 'ada', byName: 'Ada' },
    ]);
    expect(own.handAnsweredBy).toBeNull();
  });

  it('lists a student’s unread messages, and who has not read each for teachers', () => {
    const events: RoomEvent[] = [
      { type: 'message-sent', message: message('m1', { kind: 'class' }) },
      { type: 'message-sent', message: message('m2', { kind: 'student', studentId: 'ada' }) },
      { type: 'message-acked', messageId: 'm1', studentId: 'ada' },
    ];
    const ada = run([snapshot('ada', classroom.slice(0, 3)), ...events]);
    expect(unreadMessages(ada).map((m) => m.id)).toEqual(['m2']);
    const lee = run([snapshot('lee', classroom), ...events]);
    const [m1, m2] = lee.room!.classroom.messages;
    expect(notAcknowledged(lee, m1!).map((m) => m.name)).toEqual(['Bo']);
    expect(notAcknowledged(lee, m2!).map((m) => m.name)).toEqual(['Ada']);
    const answered = reduceSession(lee, { type: 'message-sent', message: message('m3', { kind: 'teachers' }, 'bo') });
    expect(answered.notices.at(-1)?.text).toBe('Bo sent you a message.');
  });

  it('follows the attention request, ignoring acknowledgements of an older one', () => {
    const attention = { id: 'a1', byId: 'lee', byName: 'Lee', message: '', since: 1, ackedBy: [] };
    const s = run([
      snapshot('lee', classroom),
      { type: 'attention-started', attention },
      { type: 'attention-acked', attentionId: 'a1', studentId: 'ada' },
      { type: 'attention-acked', attentionId: 'old', studentId: 'bo' },
    ]);
    expect(s.room!.classroom.attention?.ackedBy).toEqual(['ada']);
    expect(
      run([{ type: 'attention-ended', attentionId: 'a1', byName: 'Lee' }], s).room!.classroom.attention,
    ).toBeNull();
  });

  it('tells a student, until dismissed, that a teacher saved a picture of their screen', () => {
    const s = run([
      snapshot('ada', classroom.slice(0, 3)),
      { type: 'snapshot-taken', studentId: 'ada', byName: 'Ode' },
    ]);
    expect(s.notices).toEqual([{ id: 1, tone: 'warning', text: 'Ode saved a picture of your screen.' }]);
  });
});
