import { describe, expect, it } from 'vitest';
import {
  createRoom,
  emptyRegistry,
  joinRoom,
  setSharing,
  type Context,
  type Outcome,
  type NewSeat,
} from '../../server/core/room-registry.ts';
import { eventFor, roomSummary, roomView } from '../../server/core/views.ts';

let counter = 7;
const ctx: Context = {
  now: 5,
  random: (n) => Uint8Array.from({ length: n }, () => (counter = (counter * 48271) % 2147483647) & 255),
  limits: {
    maxRooms: 10,
    maxMembersPerRoom: 10,
    reconnectGraceMs: 1000,
    emptyRoomTtlMs: 1000,
    maxRoomsPerAddress: 10,
    unclaimedRoomTtlMs: 60_000,
  },
  routing: { mode: 'auto', minSupervisors: 3, holdMs: 30_000 },
};

function value<T>(outcome: Outcome<T>): T & { state: typeof emptyRegistry } {
  if (!outcome.ok) throw new Error(outcome.error);
  return { ...outcome.value, state: outcome.state };
}

function classroom() {
  const created = value<NewSeat>(
    createRoom(emptyRegistry, { name: 'Bio', hostName: 'Ms Lee', listed: true, address: '10.0.0.1' }, ctx),
  );
  const code = created.room.code;
  const a = value(joinRoom(created.state, { code, name: 'Ada', role: 'student' }, ctx));
  const b = value(joinRoom(a.state, { code, name: 'Bo', role: 'student' }, ctx));
  const room = b.state.rooms.get(code)!;
  const withToken = (seat: NewSeat) => ({ ...seat.member, token: seat.token });
  return { room, host: withToken(created), ada: withToken(a), bo: withToken(b), state: b.state };
}

describe('roomView', () => {
  it('shows a supervisor every member, with students’ peer ids but not other supervisors’', () => {
    const { room, host } = classroom();
    const view = roomView(room, host);
    expect(view.members.map((m) => m.name)).toEqual(['Ms Lee', 'Ada', 'Bo']);
    expect(view.members.every((m) => m.peerId)).toBe(true);
    expect(view).toMatchObject({ students: 2, supervisors: 1, hostId: host.id });
  });

  it('shows a student the supervisors and themself only, never another student’s peer id', () => {
    const { room, ada, bo } = classroom();
    const view = roomView(room, ada);
    expect(view.members.map((m) => m.name)).toEqual(['Ms Lee', 'Ada']);
    expect(JSON.stringify(view)).not.toContain(bo.peerId);
    expect(JSON.stringify(view)).not.toContain('Bo');
    expect(view.members.every((m) => !('token' in m))).toBe(true);
    expect(view.students).toBe(2);
  });

  it('shows a supervisor who joins after a student stopped the same "stopped" state', () => {
    const { room, ada, state } = classroom();
    const after = setSharing(
      value(setSharing(state, { code: room.code, memberId: ada.id, sharing: true }, ctx)).state,
      {
        code: room.code,
        memberId: ada.id,
        sharing: false,
      },
      ctx,
    );
    if (!after.ok) throw new Error(after.error);
    const late = value(
      joinRoom(
        after.state,
        { code: room.code, name: 'Mr Ode', role: 'supervisor', supervisorKey: room.supervisorKey },
        ctx,
      ),
    );
    const view = roomView(late.state.rooms.get(room.code)!, late.member);
    expect(view.members.find((m) => m.id === ada.id)).toMatchObject({ sharing: false, share: 'stopped' });
  });

  it('never contains a token, and shows the supervisor key to supervisors only', () => {
    const { room, host, ada, bo } = classroom();
    const json = JSON.stringify([roomView(room, host), roomView(room, ada), roomSummary(room)]);
    for (const secret of [host.token, ada.token, bo.token]) expect(json).not.toContain(secret);
    expect(roomView(room, host).supervisorKey).toBe(room.supervisorKey);
    expect(JSON.stringify([roomView(room, ada), roomSummary(room)])).not.toContain(room.supervisorKey);
  });
});

describe('eventFor', () => {
  it('tells supervisors about students, but students only about supervisors and themselves', () => {
    const { room, host, ada, bo } = classroom();
    const joined = { type: 'member-joined', code: room.code, memberId: bo.id } as const;
    expect(eventFor(joined, room, host)).toMatchObject({
      type: 'member-joined',
      member: { name: 'Bo', peerId: bo.peerId },
    });
    expect(eventFor(joined, room, ada)).toBeNull();
    const sharing = { type: 'share-started', code: room.code, memberId: ada.id } as const;
    expect(eventFor(sharing, room, ada)).toEqual({ type: 'share-started', memberId: ada.id });
    expect(eventFor(sharing, room, bo)).toBeNull();
    const left = { type: 'member-left', code: room.code, member: host, reason: 'left' } as const;
    expect(eventFor(left, room, bo)).toEqual({ type: 'member-left', memberId: host.id, reason: 'left' });
  });
});

describe('routes', () => {
  it('show a supervisor every relayed pair, and a student only their own', () => {
    const { room: base, host, ada, bo } = classroom();
    const room = {
      ...base,
      routes: {
        ...base.routes,
        relayedPairs: [`${ada.id}/${host.id}`, `${bo.id}/${host.id}`],
        directMembers: [bo.id, host.id],
        relayPeerId: 'relay1',
        unroutablePairs: [`${bo.id}/${host.id}`],
        presentationTransport: 'relay' as const,
        racing: true,
      },
    };
    expect(roomView(room, host).routes).toEqual({
      transport: 'mesh',
      relayedPairs: [`${ada.id}/${host.id}`, `${bo.id}/${host.id}`],
      directMembers: [bo.id, host.id],
      relayPeerId: 'relay1',
      unroutablePairs: [`${bo.id}/${host.id}`],
      presentationTransport: 'relay',
      racing: true,
    });
    expect(roomView(room, ada).routes).toEqual({
      transport: 'mesh',
      relayedPairs: [`${ada.id}/${host.id}`],
      directMembers: [host.id],
      relayPeerId: 'relay1',
      unroutablePairs: [],
      presentationTransport: 'relay',
      racing: true,
    });
    const changed = { type: 'routes-changed', code: room.code } as const;
    expect(eventFor(changed, room, bo)).toEqual({
      type: 'routes-changed',
      routes: {
        transport: 'mesh',
        relayedPairs: [`${bo.id}/${host.id}`],
        directMembers: [bo.id, host.id],
        relayPeerId: 'relay1',
        unroutablePairs: [`${bo.id}/${host.id}`],
        presentationTransport: 'relay',
        racing: true,
      },
    });
    expect(JSON.stringify(eventFor(changed, room, ada))).not.toContain(bo.id);
  });
});
