// IndexedDB in Node comes from fake-indexeddb, a complete in-memory implementation.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WALL_SETTINGS,
  clearSeat,
  loadName,
  loadSeat,
  loadWallSettings,
  saveSeat,
  saveWallSettings,
  type SavedSeat,
} from '../../src/client/state/storage.ts';

const seat: SavedSeat = {
  code: 'K7QM3X',
  roomName: 'Maths',
  memberId: 'm1',
  role: 'student',
  name: 'Ada',
  peerId: 'p1',
  token: 't1',
};

describe('seat storage', () => {
  it('keeps the seat across a reload and forgets it on leaving, keeping the name', async () => {
    expect(await loadSeat()).toBeUndefined();
    expect(await loadName()).toBe('');
    await saveSeat(seat);
    expect(await loadSeat()).toEqual(seat);
    expect(await loadName()).toBe('Ada');
    await clearSeat();
    expect(await loadSeat()).toBeUndefined();
    expect(await loadName()).toBe('Ada');
  });

  it('stores in its own named database, apart from anything else on the origin', async () => {
    await saveSeat(seat);
    const names = (await indexedDB.databases()).map((d) => d.name);
    expect(names).toContain('classroom-screens');
  });
});

describe('wall settings storage', () => {
  it('starts with every tile fitting, pages for a big class and no sound, and keeps what the teacher picks', async () => {
    expect(await loadWallSettings()).toEqual({ size: 'fit', overflow: 'pages', stopSound: false, handSound: false });
    await saveWallSettings({ ...DEFAULT_WALL_SETTINGS, size: 'large', stopSound: true, handSound: true });
    expect(await loadWallSettings()).toEqual({ size: 'large', overflow: 'pages', stopSound: true, handSound: true });
  });
});
