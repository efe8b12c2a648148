/**
 * What importing a roster does to the one a class has: which entries are kept (and updated), which
 * are added and, when replacing, which are removed. Entries are matched to rows so a student keeps
 * their entry, and with it their attendance history, across imports. Pure: no I/O.
 */
import { foldName } from '../core/credentials.ts';
import type { RosterResult, RosterRow } from './roster.ts';

/** Replace: the roster becomes the file. Merge: the file's students are added or updated, others stay. */
export type ImportMode = 'replace' | 'merge';

/** An entry already on the roster. */
export interface ExistingEntry extends RosterRow {
  readonly id: string;
}

/** The changes an import makes. */
export interface RosterPlan {
  readonly insert: readonly RosterRow[];
  /** Entries whose name, e-mail or ids change. */
  readonly update: readonly { readonly id: string; readonly row: RosterRow }[];
  readonly remove: readonly string[];
  /** Entries the file gives exactly as they are. */
  readonly unchanged: number;
}

const KEYS = ['externalId', 'studentId', 'email'] as const;

/** Whether two rows can be the same student: no id or e-mail that both have differs. */
const compatible = (a: RosterRow, b: RosterRow) =>
  KEYS.every((key) => a[key] === null || b[key] === null || a[key] === b[key]);

const same = (a: RosterRow, b: RosterRow) => a.name === b.name && KEYS.every((key) => a[key] === b[key]);

/**
 * Matches each row to an existing entry by the school system's id, then student id, then e-mail,
 * then by name where neither has an id or e-mail the other contradicts; each entry matches at most
 * one row. Refuses, naming both, when the result would hold one e-mail or id twice (a merge
 * meeting a student the file does not name).
 */
export function planRosterImport(
  existing: readonly ExistingEntry[],
  rows: readonly RosterRow[],
  mode: ImportMode,
): RosterResult<RosterPlan> {
  // Indexes, so a roster of thousands imports in one pass; ids and e-mails are unique within a class.
  const byKey = new Map(
    KEYS.map((key) => [key, new Map(existing.filter((e) => e[key] !== null).map((e) => [e[key], e]))]),
  );
  const byName = new Map<string, ExistingEntry[]>();
  for (const entry of existing) {
    const name = foldName(entry.name);
    byName.set(name, [...(byName.get(name) ?? []), entry]);
  }
  const free = new Set(existing);
  const insert: RosterRow[] = [];
  const update: { id: string; row: RosterRow }[] = [];
  let unchanged = 0;
  for (const row of rows) {
    let match: ExistingEntry | undefined;
    for (const key of KEYS) {
      const found = row[key] === null ? undefined : byKey.get(key)!.get(row[key]);
      if (found && free.has(found)) {
        match = found;
        break;
      }
    }
    match ??= byName.get(foldName(row.name))?.find((entry) => free.has(entry) && compatible(entry, row));
    if (!match) {
      insert.push(row);
      continue;
    }
    free.delete(match);
    if (same(match, row)) unchanged += 1;
    else update.push({ id: match.id, row });
  }
  const remove = mode === 'replace' ? [...free].map((entry) => entry.id) : [];
  const kept = mode === 'merge' ? [...free] : [];
  for (const key of ['studentId', 'email', 'externalId'] as const) {
    const owner = new Map(kept.filter((entry) => entry[key] !== null).map((entry) => [entry[key], entry]));
    const clash = rows.find((row) => row[key] !== null && owner.has(row[key]));
    if (clash) {
      const what =
        key === 'email'
          ? clash.email
          : key === 'studentId'
            ? `student id ${clash.studentId}`
            : `id ${clash.externalId}`;
      return {
        ok: false,
        error: {
          kind: 'duplicate',
          file: 'the roster',
          line: null,
          column: null,
          message:
            `${what} of '${clash.name}' is already on the class's roster as '${owner.get(clash[key])!.name}'; ` +
            'replace the roster instead of merging, or remove that entry first',
        },
      };
    }
  }
  return { ok: true, value: { insert, update, remove, unchanged } };
}
