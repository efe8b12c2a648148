// IndexedDB in Node comes from fake-indexeddb, a complete in-memory implementation.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  classListFrom,
  dayRange,
  lessonLength,
  listedClasses,
  withClass,
  withoutClass,
  type SavedClass,
} from '../../src/client/state/classes.ts';
import { loadWaiting, saveWaiting } from '../../src/client/state/classes-joined.ts';
import { forgetClass, loadClasses, saveClass, seatFrom } from '../../src/client/state/storage.ts';

const bio: SavedClass = { id: 'c1', name: 'Biology', teacherKey: 'k1' };
const art: SavedClass = { id: 'c2', name: 'Art', teacherKey: 'k2' };

describe('the list of classes this browser teaches', () => {
  it('puts a new class first and updates a known one where it stands', () => {
    expect(withClass([], bio)).toEqual([bio]);
    expect(withClass([bio], art)).toEqual([art, bio]);
    const renamed = { ...bio, name: 'Biology 7B', teacherKey: 'k1-new' };
    expect(withClass([art, bio], renamed)).toEqual([art, renamed]);
    expect(withoutClass([art, bio], 'c2')).toEqual([bio]);
  });

  it("lists the signed-in teacher's classes in the server's order and this browser's own once, archived last", () => {
    const taught = [
      { id: 'c3', name: 'Music', archivedAt: null },
      { id: 'c1', name: 'Biology 7B', archivedAt: null },
      { id: 'c4', name: 'Latin', archivedAt: 5 },
    ];
    expect(listedClasses([art, bio], taught)).toEqual([
      { id: 'c3', name: 'Music', archived: false },
      { id: 'c1', name: 'Biology 7B', archived: false },
      { id: 'c2', name: 'Art', archived: false },
      { id: 'c4', name: 'Latin', archived: true },
    ]);
    expect(listedClasses([bio], [])).toEqual([{ id: 'c1', name: 'Biology', archived: false }]);
  });

  it('reads back only whole entries from storage', () => {
    expect(classListFrom(undefined)).toEqual([]);
    expect(classListFrom('nope')).toEqual([]);
    expect(classListFrom([bio, null, { id: 'c3', name: 'No key' }, { ...art, teacherKey: 7 }, art])).toEqual([
      bio,
      art,
    ]);
  });

  afterEach(async () => {
    for (const c of await loadClasses()) await forgetClass(c.id);
  });

  it('keeps the list in IndexedDB across loads, each class with its key', async () => {
    expect(await loadClasses()).toEqual([]);
    await saveClass(bio);
    expect(await saveClass(art)).toEqual([art, bio]);
    await saveClass({ ...bio, teacherKey: 'k1-rotated' });
    expect(await loadClasses()).toEqual([art, { ...bio, teacherKey: 'k1-rotated' }]);
    expect(await forgetClass('c2')).toEqual([{ ...bio, teacherKey: 'k1-rotated' }]);
    expect(await loadClasses()).toEqual([{ ...bio, teacherKey: 'k1-rotated' }]);
  });

  it('lands two saves made at once', async () => {
    await Promise.all([saveClass(bio), saveClass(art)]);
    expect((await loadClasses()).map((c) => c.id).sort()).toEqual(['c1', 'c2']);
  });
});

describe('a lesson seat remembers its class', () => {
  const member = { id: 'm1', role: 'supervisor' as const, name: 'Ms Lee', peerId: 'p1', token: 't1' };
  it('only when it was taken from the class page', () => {
    expect(seatFrom({ code: 'K7QM3X', name: 'Biology' }, member)).not.toHaveProperty('classId');
    expect(seatFrom({ code: 'K7QM3X', name: 'Biology' }, member, 'c1').classId).toBe('c1');
  });
});

describe('the class page’s sums', () => {
  it('turns two local dates into the span from the first midnight to the midnight after the last day', () => {
    expect(dayRange('2026-03-02', '2026-03-04')).toEqual({
      from: new Date(2026, 2, 2).getTime(),
      to: new Date(2026, 2, 5).getTime(),
    });
    expect(dayRange('2026-03-02', '2026-03-02')).toEqual({
      from: new Date(2026, 2, 2).getTime(),
      to: new Date(2026, 2, 3).getTime(),
    });
    expect(dayRange('2026-03-04', '2026-03-02')).toBeNull();
    expect(dayRange('', '2026-03-02')).toBeNull();
    expect(dayRange('2026-3-2', '2026-03-02')).toBeNull();
  });

  it('says how long a lesson lasted', () => {
    const start = 1_788_000_000_000;
    expect(lessonLength({ startedAt: start, endedAt: null })).toBe('live');
    expect(lessonLength({ startedAt: start, endedAt: start + 45 * 60_000 })).toBe('45 min');
    expect(lessonLength({ startedAt: start, endedAt: start + 65 * 60_000 + 20_000 })).toBe('1 h 05 min');
    expect(lessonLength({ startedAt: start, endedAt: start + 10_000 })).toBe('0 min');
  });
});

describe('a wait to be let in', () => {
  it('is kept in IndexedDB until it ends, so a reload goes on waiting', async () => {
    const wait = { code: 'K7QM3X', name: 'Dee Ng', token: 'waiting-token', roomName: 'Period 3 Biology' };
    expect(await loadWaiting()).toBeUndefined();
    await saveWaiting(wait);
    expect(await loadWaiting()).toEqual(wait);
    await saveWaiting(null);
    expect(await loadWaiting()).toBeUndefined();
  });
});
