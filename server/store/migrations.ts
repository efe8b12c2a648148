/**
 * Every step from an older saved format to the next. Pure: each takes the raw document and returns
 * the next version's. A released step is never edited: it describes files that already exist.
 */
import type { Migration } from './state-format.ts';

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Version 1 grew fields without a bump, each read with a default when absent: the share state
 * (issue 9; before it, a `sharing` flag), the classroom tools and the shown screen, the room's
 * creator and claim, "no route" pairs, the relay worker and the shown screen's transport, and the
 * header's list of relay ids (first a single `relayPeerId`). Version 2 writes them all; this fills
 * in what an older version-1 file left out. What is not an object is passed on for the schema to
 * refuse.
 */
const fillVersion1Defaults: Migration = ({ header, rooms }) => {
  const { relayPeerId, ...rest } = header;
  const relayPeerIds = Array.isArray(rest.relayPeerIds)
    ? rest.relayPeerIds
    : typeof relayPeerId === 'string'
      ? [relayPeerId]
      : [];
  return {
    header: { ...rest, version: 2, relayPeerIds },
    rooms: rooms.map((room) => {
      if (!isObject(room)) return room;
      const classroom = isObject(room.classroom)
        ? { presentation: null, ...room.classroom }
        : { hands: [], messages: [], attention: null, attendance: [], presentation: null };
      const members = Array.isArray(room.members)
        ? room.members.map((member: unknown) => {
            if (!isObject(member)) return member;
            const { sharing, ...m } = member;
            return { share: sharing === true ? 'sharing' : 'never', ...m };
          })
        : room.members;
      return {
        unroutablePairs: [],
        relayPeerId: null,
        presentationTransport: 'mesh',
        createdBy: '',
        claimed: true,
        ...room,
        classroom,
        members,
      };
    }),
  };
};

/**
 * Version 3 (issue #20) gave a room the class lesson it is (`lesson`, null for a room of its own)
 * and each attendance record a count of hands raised: rooms saved before were no lesson, and
 * nobody's hands were counted.
 */
const addLessonsAndHandCounts: Migration = ({ header, rooms }) => ({
  header: { ...header, version: 3 },
  rooms: rooms.map((room) => {
    if (!isObject(room)) return room;
    const classroom =
      isObject(room.classroom) && Array.isArray(room.classroom.attendance)
        ? {
            ...room.classroom,
            attendance: room.classroom.attendance.map((record: unknown) =>
              isObject(record) ? { handsRaised: 0, ...record } : record,
            ),
          }
        : room.classroom;
    return { lesson: null, ...room, classroom };
  }),
});

/** Version 4 (issue #21) gave the classroom tools a lesson's site list: rooms saved before kept to none. */
const addSiteLists: Migration = ({ header, rooms }) => ({
  header: { ...header, version: 4 },
  rooms: rooms.map((room) =>
    isObject(room) && isObject(room.classroom) ? { ...room, classroom: { sites: null, ...room.classroom } } : room,
  ),
});

/** Migrations by the version they start from. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = Object.freeze({
  1: fillVersion1Defaults,
  2: addLessonsAndHandCounts,
  3: addSiteLists,
});
