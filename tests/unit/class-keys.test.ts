import { describe, expect, it } from 'vitest';
import { newTeacherKey, teacherAccess } from '../../server/classes/class-keys.ts';
import { lessonsWithoutRoom } from '../../server/classes/lesson-record.ts';
import { createRoom, emptyRegistry, type Context } from '../../server/core/room-registry.ts';
import { hashToken } from '../../server/core/secrets.ts';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i * 7);

describe('class teacher keys', () => {
  it('is 192 random bits as base64url, kept only as its SHA-256', () => {
    const { key, hash } = newTeacherKey(bytes);
    expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(hash).toBe(hashToken(key));
    expect(hash).not.toContain(key);
  });

  it('opens a class only with its own key; no key and a class without one are told apart from a wrong key', () => {
    const { key, hash } = newTeacherKey(bytes);
    expect(teacherAccess(key, hash)).toBe('ok');
    expect(teacherAccess(undefined, hash)).toBe('class-key-required');
    expect(teacherAccess('', hash)).toBe('class-key-required');
    expect(teacherAccess(`${key}x`, hash)).toBe('wrong-class-key');
    expect(teacherAccess(key, null)).toBe('wrong-class-key');
  });
});

describe('live lessons without a room', () => {
  it('are those whose lesson id no room in the registry carries', () => {
    const ctx: Context = {
      now: 1000,
      random: bytes,
      limits: {
        maxRooms: 10,
        maxMembersPerRoom: 10,
        reconnectGraceMs: 1,
        emptyRoomTtlMs: 1,
        maxRoomsPerAddress: 10,
        unclaimedRoomTtlMs: 1,
      },
      routing: { mode: 'off', minSupervisors: 3, holdMs: 0 },
    };
    const outcome = createRoom(
      emptyRegistry,
      {
        name: 'Bio',
        hostName: 'Ms Lee',
        listed: false,
        address: 'a',
        lesson: { classId: 'c', lessonId: 'kept', rostered: false },
      },
      ctx,
    );
    if (!outcome.ok) throw new Error(outcome.error);
    const lesson = (id: string) => ({
      id,
      classId: 'c',
      roomCode: outcome.value.room.code,
      startedAt: 0,
      endedAt: null,
    });
    // Same room code, another lesson: a code can come round again, the lesson id cannot.
    expect(lessonsWithoutRoom([lesson('kept'), lesson('lost')], outcome.state).map((l) => l.id)).toEqual(['lost']);
  });
});
