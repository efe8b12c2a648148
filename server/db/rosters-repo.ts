/**
 * Class rosters in the classes database. An import is one transaction: a refused or failed import
 * leaves the roster exactly as it was. The matching rule is the pure `planRosterImport`.
 */
import type { Kysely } from 'kysely';
import { planRosterImport, type ImportMode } from '../classes/roster-plan.ts';
import type { RosterResult, RosterRow, RosterSource } from '../classes/roster.ts';
import { newId } from './ids.ts';
import type { RosterEntry, Tables } from './tables.ts';

/** What an import changed. */
export interface ImportSummary {
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
  readonly unchanged: number;
}

/** Rows per INSERT: well inside SQLite's and PostgreSQL's limits on bound parameters. */
const BATCH = 500;

/** A class's roster, by name whatever its case. */
export async function listRoster(db: Kysely<Tables>, classId: string): Promise<RosterEntry[]> {
  return db
    .selectFrom('rosterEntries')
    .selectAll()
    .where('classId', '=', classId)
    .orderBy((eb) => eb.fn('lower', ['name']))
    .orderBy('id')
    .execute();
}

/** One entry of a class's roster, or null when the class has no such entry. */
export async function getRosterEntry(
  db: Kysely<Tables>,
  classId: string,
  entryId: string,
): Promise<RosterEntry | null> {
  const entry = await db
    .selectFrom('rosterEntries')
    .selectAll()
    .where('classId', '=', classId)
    .where('id', '=', entryId)
    .executeTakeFirst();
  return entry ?? null;
}

/** Whether a class has anyone on its roster. */
export async function hasRoster(db: Kysely<Tables>, classId: string): Promise<boolean> {
  const found = await db
    .selectFrom('rosterEntries')
    .select('id')
    .where('classId', '=', classId)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * Replaces or merges a class's roster with `rows` (already parsed and checked) in one transaction.
 * Students the roster already has keep their entry (matched by id, e-mail or name), so their
 * attendance stays linked. Resolves to a refusal when the merge would hold an id twice; throws,
 * changing nothing, when the database refuses a row.
 */
export async function importRoster(
  db: Kysely<Tables>,
  classId: string,
  rows: readonly RosterRow[],
  options: { readonly mode: ImportMode; readonly source: RosterSource },
  now: number,
): Promise<RosterResult<ImportSummary>> {
  return db.transaction().execute(async (trx): Promise<RosterResult<ImportSummary>> => {
    const existing = await trx
      .selectFrom('rosterEntries')
      .select(['id', 'name', 'email', 'studentId', 'externalId'])
      .where('classId', '=', classId)
      .execute();
    const planned = planRosterImport(existing, rows, options.mode);
    if (!planned.ok) return planned;
    const plan = planned.value;
    for (let i = 0; i < plan.remove.length; i += BATCH)
      await trx
        .deleteFrom('rosterEntries')
        .where('id', 'in', plan.remove.slice(i, i + BATCH))
        .execute();
    // Keys move between entries (one student's e-mail given to another): clear them first so no
    // unique index sees one value twice halfway through.
    for (let i = 0; i < plan.update.length; i += BATCH)
      await trx
        .updateTable('rosterEntries')
        .set({ email: null, studentId: null, externalId: null })
        .where(
          'id',
          'in',
          plan.update.slice(i, i + BATCH).map((u) => u.id),
        )
        .execute();
    for (const { id, row } of plan.update)
      await trx
        .updateTable('rosterEntries')
        .set({
          name: row.name,
          email: row.email,
          studentId: row.studentId,
          externalId: row.externalId,
          source: options.source,
        })
        .where('id', '=', id)
        .execute();
    for (let i = 0; i < plan.insert.length; i += BATCH)
      await trx
        .insertInto('rosterEntries')
        .values(
          plan.insert.slice(i, i + BATCH).map((row) => ({
            id: newId(),
            classId,
            name: row.name,
            email: row.email,
            studentId: row.studentId,
            externalId: row.externalId,
            source: options.source,
            addedAt: now,
          })),
        )
        .execute();
    return {
      ok: true,
      value: {
        added: plan.insert.length,
        updated: plan.update.length,
        removed: plan.remove.length,
        unchanged: plan.unchanged,
      },
    };
  });
}

/** Takes one student off a class's roster; their past attendance keeps the name it was recorded with. */
export async function removeRosterEntry(db: Kysely<Tables>, classId: string, entryId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('rosterEntries')
    .where('classId', '=', classId)
    .where('id', '=', entryId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The entry of a class's roster with this e-mail address (lower case), if any: how a signed-in student is found on it. */
export async function rosterEntryByEmail(
  db: Kysely<Tables>,
  classId: string,
  email: string,
): Promise<RosterEntry | null> {
  return (
    (await db
      .selectFrom('rosterEntries')
      .selectAll()
      .where('classId', '=', classId)
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst()) ?? null
  );
}
