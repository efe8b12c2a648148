import { describe, expect, it } from 'vitest';
import { LINGER_MS, type RelayRoom } from '../../server/relay/messages.ts';
import {
  callSource,
  pairKeyOf,
  planPublishers,
  planSubscribers,
  stageSource,
  sourcesOf,
  type PlannedPublisher,
  type PlannedSubscriber,
} from '../../server/relay/worker/plan.ts';

/** A room with student s1 sharing to the relay for supervisors t1 and t2, and t2 alone receiving it through the relay. */
function room(patch: Partial<RelayRoom> = {}): RelayRoom {
  return {
    code: 'ABC123',
    students: [
      { memberId: 's1', peerId: 'p-s1', sharing: true, publishes: true, viewers: ['t2'] },
      { memberId: 's2', peerId: 'p-s2', sharing: false, publishes: false, viewers: [] },
    ],
    supervisors: [
      { memberId: 't1', peerId: 'p-t1' },
      { memberId: 't2', peerId: 'p-t2' },
    ],
    awaySupervisors: [],
    presentation: null,
    ...patch,
  };
}

const shown = { id: 'pr1', name: 'Ms Lee', presenterPeerId: 'p-t1', viewers: [{ memberId: 's2', peerId: 'p-s2' }] };

describe('which incoming calls the relay answers', () => {
  it('takes a student’s call when the routes send them here, with the leg and codec it names', () => {
    const rooms = [room()];
    expect(callSource(rooms, 'p-s1', { studentId: 's1', surface: 'monitor' })).toEqual({
      sourceId: 's1',
      presentationId: null,
      standing: false,
      codec: 'VP8',
      level: 'thumbnail',
      surface: 'monitor',
    });
    expect(callSource(rooms, 'p-s1', { studentId: 's1', surface: null, leg: 'full', codec: 'H264' })).toMatchObject({
      codec: 'H264',
      level: 'full',
    });
    // Not sending to the relay, another student's id, or no metadata at all.
    expect(callSource(rooms, 'p-s2', { studentId: 's2', surface: null })).toBeNull();
    expect(callSource(rooms, 'p-s1', { studentId: 's2', surface: null })).toBeNull();
    expect(callSource(rooms, 'p-s1', undefined)).toBeNull();
  });

  it('takes the screen shown to the class from its presenter only, as one VP8 leg of the room’s stage', () => {
    const rooms = [room({ presentation: shown })];
    expect(callSource(rooms, 'p-t1', { presentationId: 'pr1', name: 'Ms Lee' })).toEqual({
      sourceId: stageSource('ABC123'),
      presentationId: 'pr1',
      standing: false,
      codec: 'VP8',
      level: 'thumbnail',
      surface: null,
    });
    expect(callSource(rooms, 'p-t2', { presentationId: 'pr1', name: 'Ms Lee' })).toBeNull();
    expect(callSource([room()], 'p-t1', { presentationId: 'pr1', name: 'Ms Lee' })).toBeNull();
  });

  it('takes a supervisor’s standing call while their room has a stage, whatever is shown', () => {
    const standing = { presentationId: 'standby', name: '', standing: true };
    const stage = [{ memberId: 's2', peerId: 'p-s2' }];
    expect(callSource([room({ stage })], 'p-t2', standing)).toEqual({
      sourceId: stageSource('ABC123'),
      presentationId: null,
      standing: true,
      codec: 'VP8',
      level: 'thumbnail',
      surface: null,
    });
    // No stage, or not one of the room's supervisors (a student included).
    expect(callSource([room()], 'p-t2', standing)).toBeNull();
    expect(callSource([room({ stage })], 'p-s1', standing)).toBeNull();
  });

  it('names every source of the rooms, the shown screen as always sending', () => {
    expect([...sourcesOf([room({ presentation: shown })])]).toEqual([
      ['s1', { peerId: 'p-s1', sharing: true, publishes: true }],
      ['s2', { peerId: 'p-s2', sharing: false, publishes: false }],
      [stageSource('ABC123'), { peerId: 'p-t1', sharing: true, publishes: true, presentationId: 'pr1' }],
    ]);
  });
});

describe('which students’ calls the relay keeps', () => {
  const call = (sourceId: string, peerId: string, unwantedSince: number | null = null): PlannedPublisher => ({
    sourceId,
    peerId,
    presentationId: null,
    standing: false,
    unwantedSince,
  });
  const verdicts = (rooms: RelayRoom[], calls: PlannedPublisher[], sharingBefore: string[], now = 1000) =>
    planPublishers(rooms, calls, new Set(sharingBefore), now).verdicts.map(({ publisher, close, unwantedSince }) => ({
      source: publisher.sourceId,
      close,
      unwantedSince,
    }));

  it('keeps a call the routes send here, and notes who shares now', () => {
    const plan = planPublishers([room()], [call('s1', 'p-s1', 500)], new Set(['s1']), 1000);
    expect(plan.verdicts[0]).toMatchObject({ close: false, unwantedSince: null });
    expect([...plan.sharing]).toEqual(['s1']);
  });

  it('closes at once the call of a student who stopped sharing, left, or now calls from another peer', () => {
    const stopped = room({ students: [{ ...room().students[0]!, sharing: false }] });
    expect(verdicts([stopped], [call('s1', 'p-s1')], ['s1'])).toEqual([
      { source: 's1', close: true, unwantedSince: null },
    ]);
    expect(verdicts([], [call('s1', 'p-s1')], [])[0]?.close).toBe(true);
    expect(verdicts([room()], [call('s1', 'p-old')], ['s1'])[0]?.close).toBe(true);
  });

  it('closes a presenter’s call once the room shows something else, even from the same presenter', () => {
    const stage = stageSource('ABC123');
    const hers = { ...call(stage, 'p-t1'), presentationId: 'pr1' };
    expect(verdicts([room({ presentation: shown })], [hers], [stage])[0]?.close).toBe(false);
    const next = room({ presentation: { ...shown, id: 'pr2' } });
    expect(verdicts([next], [hers], [stage])[0]?.close).toBe(true);
    expect(verdicts([room()], [hers], [stage])[0]?.close).toBe(true);
  });

  it('keeps a supervisor’s standing call while they are connected to its room, shown or not; else it lingers, then closes', () => {
    const source = stageSource('ABC123');
    const standing = { ...call(source, 'p-t2'), standing: true };
    const stage = [{ memberId: 's2', peerId: 'p-s2' }];
    // Shown or not, and with nobody on the stage a moment (every student reconnecting after a restart).
    for (const rooms of [[room({ stage })], [room({ stage, presentation: shown })], [room({ stage: [] })]])
      expect(verdicts(rooms, [standing], [source])[0]).toEqual({ source, close: false, unwantedSince: null });
    // Mr T2 away (his socket down after a restart), or the room gone from the relay.
    const away = room({ stage, supervisors: [{ memberId: 't1', peerId: 'p-t1' }], awaySupervisors: ['t2'] });
    expect(verdicts([away], [standing], [])[0]).toEqual({ source, close: false, unwantedSince: 1000 });
    expect(verdicts([], [{ ...standing, unwantedSince: 1000 }], [], 1000 + LINGER_MS)[0]?.close).toBe(true);
  });

  it('lets a call the routes no longer want linger, then closes it', () => {
    const direct = room({ students: [{ ...room().students[0]!, publishes: false }] });
    expect(verdicts([direct], [call('s1', 'p-s1')], ['s1'], 1000)).toEqual([
      { source: 's1', close: false, unwantedSince: 1000 },
    ]);
    expect(verdicts([direct], [call('s1', 'p-s1', 1000)], ['s1'], 1000 + LINGER_MS - 1)[0]?.close).toBe(false);
    expect(verdicts([direct], [call('s1', 'p-s1', 1000)], ['s1'], 1000 + LINGER_MS)[0]?.close).toBe(true);
  });
});

describe('which viewers the relay calls', () => {
  const t2 = pairKeyOf('s1', 't2');
  const plan = (input: Partial<Parameters<typeof planSubscribers<PlannedSubscriber>>[0]> & { rooms: RelayRoom[] }) =>
    planSubscribers<PlannedSubscriber>({
      publishing: new Set(['s1']),
      sharing: new Set(['s1']),
      subscribers: new Map(),
      backoffUntil: new Map(),
      now: 1000,
      ...input,
    });

  it('calls the supervisors the routes name for each publishing student, and no one for one whose call is not yet answered', () => {
    expect([...plan({ rooms: [room()] }).place]).toEqual([
      [t2, { sourceId: 's1', viewerId: 't2', peerId: 'p-t2', presentation: null }],
    ]);
    expect(plan({ rooms: [room()], publishing: new Set() }).place.size).toBe(0);
  });

  it('calls the students named with the screen shown to the class, telling them what it is', () => {
    const source = stageSource('ABC123');
    const result = plan({ rooms: [room({ presentation: shown })], publishing: new Set([source]) });
    expect([...result.place]).toEqual([
      [
        pairKeyOf(source, 's2'),
        { sourceId: source, viewerId: 's2', peerId: 'p-s2', presentation: { presentationId: 'pr1', name: 'Ms Lee' } },
      ],
    ]);
    expect([...result.carrying]).toEqual([pairKeyOf(source, 's2')]);
  });

  it("calls the students with the shown screen before the presenter's own call is up", () => {
    // Their calls come up while hers does; each starts at her first keyframe.
    const source = stageSource('ABC123');
    const placed = plan({ rooms: [room({ presentation: shown })], publishing: new Set() }).place;
    expect([...placed.keys()]).toEqual([pairKeyOf(source, 's2')]);
  });

  describe('a large class’s stage', () => {
    const source = stageSource('ABC123');
    const stage = [
      { memberId: 's1', peerId: 'p-s1' },
      { memberId: 's2', peerId: 'p-s2' },
    ];
    const standby = { presentationId: 'standby', name: '', standing: true };
    /** The calls to place on the stage (the room's student s1 also shares to t2). */
    const onStage = (place: Map<string, unknown>) => [...place].filter(([key]) => key.startsWith(`${source}/`));

    it('calls every student it names before anything is shown, carrying nothing yet', () => {
      const result = plan({ rooms: [room({ stage })] });
      expect(onStage(result.place)).toEqual(
        stage.map((s) => [
          pairKeyOf(source, s.memberId),
          { sourceId: source, viewerId: s.memberId, peerId: s.peerId, presentation: standby },
        ]),
      );
      expect(result.carrying.size).toBe(0);
    });

    it('carries what is shown to its watchers only (not to the student whose screen it is), and keeps every call after', () => {
      const subscribers = new Map(
        stage.map((s) => [pairKeyOf(source, s.memberId), { sourceId: source, unwantedSince: null }]),
      );
      // s1's screen is shown: the room names s2 alone as watching it.
      const showing = plan({
        rooms: [room({ stage, presentation: shown })],
        subscribers,
        sharing: new Set(['s1', source]),
      });
      expect(onStage(showing.place)).toEqual([]);
      expect([...showing.carrying]).toEqual([pairKeyOf(source, 's2')]);
      expect(showing.verdicts.map((v) => v.close)).toEqual([false, false]);
      // Shown no more: both stand by, up, for the next presentation.
      const after = plan({ rooms: [room({ stage })], subscribers, sharing: new Set(['s1']) });
      expect(after.verdicts.map((v) => v.close)).toEqual([false, false]);
      expect(after.carrying.size).toBe(0);
    });

    it('lets a call the stage no longer wants linger while its student is in the room (a restart), and hangs it up once they left', () => {
      const key = pairKeyOf(source, 's2');
      const subscribers = new Map([[key, { sourceId: source, unwantedSince: null }]]);
      // Just after an app server restart nobody is connected yet, so the stage names no one.
      const lingering = plan({ rooms: [room({ stage: [] })], subscribers, sharing: new Set() });
      expect(lingering.verdicts).toMatchObject([{ key, close: false, unwantedSince: 1000 }]);
      expect(lingering.place.has(key)).toBe(false);
      const since = new Map([[key, { sourceId: source, unwantedSince: 1000 }]]);
      expect(plan({ rooms: [room({ stage })], subscribers: since, now: 5000 }).verdicts).toMatchObject([
        { key, close: false, unwantedSince: null },
      ]);
      expect(plan({ rooms: [room({ stage: [] })], subscribers: since, now: 1000 + LINGER_MS }).verdicts[0]?.close).toBe(
        true,
      );
      const left = room({ stage: [], students: room().students.filter((s) => s.memberId !== 's2') });
      expect(plan({ rooms: [left], subscribers }).verdicts[0]?.close).toBe(true);
    });
  });

  it('does not call a pair again before its backoff ends, and forgets the backoff of a pair gone', () => {
    const backoffUntil = new Map([
      [t2, { until: 2000 }],
      [pairKeyOf('s9', 't2'), { until: 2000 }],
    ]);
    const waiting = plan({ rooms: [room()], backoffUntil });
    expect(waiting.place.size).toBe(0);
    expect(waiting.forgetBackoff).toEqual([pairKeyOf('s9', 't2')]);
    expect(plan({ rooms: [room()], backoffUntil, now: 2000 }).place.has(t2)).toBe(true);
  });

  it('keeps a call that is up and wanted, and places none twice', () => {
    const subscribers = new Map([[t2, { sourceId: 's1', unwantedSince: 900 }]]);
    const result = plan({ rooms: [room()], subscribers });
    expect(result.place.size).toBe(0);
    expect(result.verdicts).toMatchObject([{ key: t2, close: false, unwantedSince: null }]);
  });

  it('lets an unwanted call linger while both are in the room, and closes it at once otherwise', () => {
    const subscribers = new Map([[pairKeyOf('s1', 't1'), { sourceId: 's1', unwantedSince: null }]]);
    const lingering = plan({ rooms: [room()], subscribers });
    expect(lingering.verdicts).toMatchObject([{ close: false, unwantedSince: 1000 }]);
    const since = new Map([[pairKeyOf('s1', 't1'), { sourceId: 's1', unwantedSince: 1000 }]]);
    expect(plan({ rooms: [room()], subscribers: since, now: 1000 + LINGER_MS }).verdicts[0]?.close).toBe(true);
    // The supervisor left, or the student stopped sharing: no linger.
    const gone = room({ supervisors: [{ memberId: 't2', peerId: 'p-t2' }] });
    expect(plan({ rooms: [gone], subscribers }).verdicts[0]?.close).toBe(true);
    expect(plan({ rooms: [room()], subscribers, sharing: new Set() }).verdicts[0]?.close).toBe(true);
  });

  it('keeps the calls of a supervisor away from PeerServer lingering, and wanted again once they are back', () => {
    // Just after an app server restart every supervisor is away until their socket reconnects.
    const subscribers = new Map([[t2, { sourceId: 's1', unwantedSince: null }]]);
    const away = room({
      students: [{ memberId: 's1', peerId: 'p-s1', sharing: true, publishes: true, viewers: [] }],
      supervisors: [],
      awaySupervisors: ['t1', 't2'],
    });
    const meanwhile = plan({ rooms: [away], subscribers });
    expect(meanwhile.verdicts).toMatchObject([{ key: t2, close: false, unwantedSince: 1000 }]);
    expect(meanwhile.place.size).toBe(0);
    const lingering = new Map([[t2, { sourceId: 's1', unwantedSince: 1000 }]]);
    expect(plan({ rooms: [room()], subscribers: lingering, now: 5000 }).verdicts).toMatchObject([
      { key: t2, close: false, unwantedSince: null },
    ]);
    // Never back: it ends after LINGER_MS, as any unwanted call.
    expect(plan({ rooms: [away], subscribers: lingering, now: 1000 + LINGER_MS }).verdicts[0]?.close).toBe(true);
  });
});
