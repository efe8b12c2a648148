import { describe, expect, it } from 'vitest';
import {
  classJoinLink,
  formatKey,
  parseRoute,
  routePath,
  studentLink,
  supervisorLink,
  teacherInviteLink,
} from '../../src/client/state/links.ts';
import { reduceLobby } from '../../src/client/state/lobby.ts';

describe('join links', () => {
  it('reads the screens of the app', () => {
    expect(parseRoute('/')).toEqual({ screen: 'home' });
    expect(parseRoute('/lobby')).toEqual({ screen: 'lobby' });
    expect(parseRoute('/room/K7QM3X')).toEqual({ screen: 'room', code: 'K7QM3X' });
    expect(parseRoute('/join/k7qm3x')).toEqual({ screen: 'join', code: 'K7QM3X', supervisorKey: null });
    expect(parseRoute('/join/K7Q-M3X', '#key=abcd-efgh-jkmn')).toEqual({
      screen: 'join',
      code: 'K7QM3X',
      supervisorKey: 'ABCDEFGHJKMN',
    });
  });

  it('sends anything else Home', () => {
    for (const path of [
      '/join',
      '/join/ABC',
      '/join/ABCDEFGHI',
      '/join/K7QM3X/extra',
      '/nope',
      '/room/',
      '/join/%E0%A4%A',
    ]) {
      expect(parseRoute(path)).toEqual({ screen: 'home' });
    }
  });

  it('builds links that read back to the same place, with the key only in the fragment', () => {
    const student = studentLink('https://screens.school.example', 'K7QM3X');
    expect(student).toBe('https://screens.school.example/join/K7QM3X');
    const supervisor = new URL(supervisorLink('https://screens.school.example', 'K7QM3X', 'ABCD-EFGH-JKMN'));
    expect(supervisor.pathname).toBe('/join/K7QM3X');
    expect(supervisor.search).toBe('');
    expect(parseRoute(supervisor.pathname, supervisor.hash)).toEqual({
      screen: 'join',
      code: 'K7QM3X',
      supervisorKey: 'ABCDEFGHJKMN',
    });
    for (const route of [{ screen: 'home' }, { screen: 'lobby' }, { screen: 'room', code: 'K7QM3X' }] as const) {
      expect(parseRoute(routePath(route))).toEqual(route);
    }
    expect(formatKey('abcdefghjkmn')).toBe('ABCD-EFGH-JKMN');
  });
});

describe('class links', () => {
  const classId = 'q3Xh0-_aZ9QwErTyUiOp1A';
  const teacherKey = 'Zx9_-aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab';

  it('reads the class list and a class page, with a co-teacher key only from the fragment', () => {
    expect(parseRoute('/classes')).toEqual({ screen: 'classes' });
    expect(parseRoute(`/classes/${classId}`)).toEqual({ screen: 'class', classId, teacherKey: null });
    expect(parseRoute(`/classes/${classId}`, `#key=${teacherKey}`)).toEqual({ screen: 'class', classId, teacherKey });
    // A key anywhere but the fragment is not read: the path and query reach the server's logs.
    expect(parseRoute(`/classes/${classId}/${teacherKey}`)).toEqual({ screen: 'home' });
  });

  it('sends malformed class addresses Home, and ignores a malformed key', () => {
    for (const path of ['/classes/', '/classes/a%20b', '/classes/a.b', `/classes/${'a'.repeat(65)}`, '/classes/x/y']) {
      expect(parseRoute(path)).toEqual(path === '/classes/' ? { screen: 'classes' } : { screen: 'home' });
    }
    expect(parseRoute(`/classes/${classId}`, '#key=not+a+key')).toEqual({ screen: 'class', classId, teacherKey: null });
    expect(parseRoute(`/classes/${classId}`, '#key=')).toEqual({ screen: 'class', classId, teacherKey: null });
  });

  it('builds the co-teacher invite with the key in the fragment, and the students’ class link', () => {
    const invite = new URL(teacherInviteLink('https://screens.school.example', classId, teacherKey));
    expect(invite.pathname).toBe(`/classes/${classId}`);
    expect(invite.search).toBe('');
    expect(invite.hash).toBe(`#key=${teacherKey}`);
    expect(parseRoute(invite.pathname, invite.hash)).toEqual({ screen: 'class', classId, teacherKey });
    expect(routePath({ screen: 'class', classId, teacherKey: null })).toBe(`/classes/${classId}`);
    expect(parseRoute(routePath({ screen: 'classes' }))).toEqual({ screen: 'classes' });
    expect(classJoinLink('https://screens.school.example', 'j0inSecret_-')).toBe(
      'https://screens.school.example/class/j0inSecret_-',
    );
  });
});

describe('the lobby reducer', () => {
  const room = (code: string, createdAt: number, students = 0) => ({
    code,
    name: code,
    hostName: 'T',
    students,
    supervisors: 1,
    createdAt,
  });
  it('keeps the newest room first and applies additions, updates and removals', () => {
    let rooms = reduceLobby([], { type: 'snapshot', rooms: [room('A', 1), room('B', 2)] });
    expect(rooms.map((r) => r.code)).toEqual(['B', 'A']);
    rooms = reduceLobby(rooms, { type: 'room-added', room: room('C', 3) });
    rooms = reduceLobby(rooms, { type: 'room-updated', room: room('A', 1, 5) });
    rooms = reduceLobby(rooms, { type: 'room-removed', code: 'B' });
    expect(rooms.map((r) => [r.code, r.students])).toEqual([
      ['C', 0],
      ['A', 5],
    ]);
  });
});
