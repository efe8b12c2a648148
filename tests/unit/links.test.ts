import { describe, expect, it } from 'vitest';
import { formatKey, parseRoute, routePath, studentLink, supervisorLink } from '../../src/client/state/links.ts';
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
