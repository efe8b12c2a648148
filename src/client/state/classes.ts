/**
 * The classes this browser teaches (and the signed-in teacher's, listed beside them), and the small sums the class page shows (lesson lengths, date
 * ranges). Pure: no storage, no DOM; `storage.ts` keeps the list.
 */
import type { ClassListEntry, LessonView } from '../../shared/protocol.ts';

/** A class this browser teaches: enough to open its page. The key is a secret: never in a URL's path or query. */
export interface SavedClass {
  id: string;
  name: string;
  teacherKey: string;
}

/** A class on the classes screen. */
export interface ListedClass {
  id: string;
  name: string;
  archived: boolean;
}

/**
 * The classes screen's list: the signed-in teacher's classes (`taught`, in the server's order) and
 * the ones this browser holds keys for (`saved`), each once, with the server's name; archived last.
 */
export function listedClasses(saved: readonly SavedClass[], taught: readonly ClassListEntry[]): ListedClass[] {
  const known = new Set(taught.map((c) => c.id));
  const all = [
    ...taught.map((c) => ({ id: c.id, name: c.name, archived: c.archivedAt !== null })),
    ...saved.filter((c) => !known.has(c.id)).map((c) => ({ id: c.id, name: c.name, archived: false })),
  ];
  return [...all.filter((c) => !c.archived), ...all.filter((c) => c.archived)];
}

/** The list with `entry` in it: an entry of the same id is replaced where it stands, a new one goes first. */
export function withClass(list: readonly SavedClass[], entry: SavedClass): SavedClass[] {
  return list.some((c) => c.id === entry.id) ? list.map((c) => (c.id === entry.id ? entry : c)) : [entry, ...list];
}

/** The list without the class `id`. */
export function withoutClass(list: readonly SavedClass[], id: string): SavedClass[] {
  return list.filter((c) => c.id !== id);
}

/** The saved list as read back from storage: anything that is not a whole entry is dropped. */
export function classListFrom(stored: unknown): SavedClass[] {
  if (!Array.isArray(stored)) return [];
  return stored.filter(
    (c): c is SavedClass =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as SavedClass).id === 'string' &&
      typeof (c as SavedClass).name === 'string' &&
      typeof (c as SavedClass).teacherKey === 'string',
  );
}

/**
 * The span from the start of local day `from` to the end of local day `to` (both "YYYY-MM-DD", as
 * a date input gives them), in ms for the API's `from` (inclusive) and `to` (exclusive); null when
 * a date is missing or `to` is before `from`.
 */
export function dayRange(from: string, to: string): { from: number; to: number } | null {
  const start = localMidnight(from, 0);
  const end = localMidnight(to, 1);
  return start === null || end === null || end <= start ? null : { from: start, to: end };
}

function localMidnight(date: string, daysLater: number): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  return new Date(year, month - 1, day + daysLater).getTime();
}

/** How long a lesson lasted, as a teacher says it: "45 min", "1 h 05 min"; "live" while it runs. */
export function lessonLength(lesson: Pick<LessonView, 'startedAt' | 'endedAt'>): string {
  if (lesson.endedAt === null) return 'live';
  const minutes = Math.round((lesson.endedAt - lesson.startedAt) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
