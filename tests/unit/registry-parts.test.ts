import { describe, expect, it } from 'vitest';
import { emptyClassroom } from '../../server/core/classroom.ts';
import {
  foldName,
  hex,
  newMember,
  randomCode,
  randomSupervisorKey,
  uniqueName,
} from '../../server/core/credentials.ts';
import { hashToken, sameSecret } from '../../server/core/secrets.ts';
import { findByPeer, seatIn, withMember, withoutRoom, withRoom } from '../../server/core/registry-state.ts';
import { emptyRegistry, type Member, type RegistryState, type Room } from '../../server/core/room-registry.ts';
import { initialRoutes } from '../../server/core/routes.ts';
import { CODE_ALPHABET, CODE_LENGTH } from '../../src/shared/protocol.ts';

/** Random bytes counting up from `start`, so each call gives new ones. */
function counting(start = 0) {
  let next = start;
  return { now: 500, random: (n: number) => Uint8Array.from({ length: n }, () => next++ & 255) };
}

function roomOf(code: string, members: Member[]): Room {
  return {
    code,
    name: code,
    listed: true,
    supervisorKey: 'ABCD-EFGH-JKLM',
    createdAt: 0,
    hostId: members[0]?.id ?? null,
    members,
    orphanedSince: null,
    routes: initialRoutes(0),
    createdBy: '203.0.113.9',
    claimed: false,
    classroom: emptyClassroom,
  };
}

describe('credentials', () => {
  it('makes a member with fresh ids and a token it keeps only the hash of, offline until PeerServer sees them', () => {
    const [member, token] = newMember('student', 'Ada', counting(1));
    expect(member).toMatchObject({ role: 'student', name: 'Ada', joinedAt: 500, offlineSince: 500, connected: false });
    expect(member.id).toMatch(/^[0-9a-f]{16}$/);
    expect(member.peerId).toMatch(/^[0-9a-f]{32}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(member.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(member)).not.toContain(token);
  });

  it('draws codes and supervisor keys from the code alphabet', () => {
    const code = randomCode(counting(200));
    expect(code).toHaveLength(CODE_LENGTH);
    expect([...code].every((c) => CODE_ALPHABET.includes(c))).toBe(true);
    expect(randomSupervisorKey(counting())).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(hex(Uint8Array.of(0, 15, 255))).toBe('000fff');
  });

  it('suffixes a name that folds to one already taken', () => {
    const [sam] = newMember('student', 'Sam', counting(10));
    const [sam2] = newMember('student', 'SAM (2)', counting(90));
    const room = roomOf('AAAAAA', [sam, sam2]);
    expect(foldName('Ｓａｍ')).toBe(foldName('sam'));
    expect(uniqueName(room, 'Ｓａｍ')).toBe('Ｓａｍ (3)');
    expect(uniqueName(room, 'Bo')).toBe('Bo');
  });

  it('compares secrets by content and length alike', () => {
    expect(sameSecret('K7QM3XTAPW9D', 'K7QM3XTAPW9D')).toBe(true);
    expect(sameSecret('K7QM3XTAPW9D', 'K7QM3XTAPW9E')).toBe(false);
    expect(sameSecret('K7QM', 'K7QM3XTAPW9D')).toBe(false);
    expect(sameSecret('', 'K')).toBe(false);
    // An empty secret is never one.
    expect(sameSecret('', '')).toBe(false);
  });
});

describe('registry state helpers', () => {
  const [lee] = newMember('supervisor', 'Ms Lee', counting(1));
  const [ada] = newMember('student', 'Ada', counting(60));
  const state: RegistryState = withRoom(emptyRegistry, roomOf('BBBBBB', [lee, ada]));

  it('finds a seat, or says whether the room or the member is missing', () => {
    expect(seatIn(state, 'BBBBBB', ada.id)).toEqual({ room: state.rooms.get('BBBBBB'), member: ada });
    expect(seatIn(state, 'CCCCCC', ada.id)).toEqual({ ok: false, error: 'room-not-found' });
    expect(seatIn(state, 'BBBBBB', 'nobody')).toEqual({ ok: false, error: 'member-not-found' });
  });

  it('indexes the peer ids of a room put in, and forgets them when it is taken out', () => {
    expect(findByPeer(state, lee.peerId)?.member).toBe(lee);
    expect(state.roomByPeer.get(ada.peerId)).toBe('BBBBBB');
    const gone = withoutRoom(state, state.rooms.get('BBBBBB')!);
    expect(gone.rooms.size).toBe(0);
    expect(findByPeer(gone, lee.peerId)).toBeUndefined();
    expect(state.rooms.size).toBe(1);
  });

  it('replaces one member, leaving the others and the input as they were', () => {
    const room = state.rooms.get('BBBBBB')!;
    const next = withMember(room, { ...ada, connected: true });
    expect(next.members.map((m) => m.connected)).toEqual([false, true]);
    expect(room.members[1]).toBe(ada);
  });
});
