import { describe, expect, it } from 'vitest';
import { planRosterImport, type ExistingEntry } from '../../server/classes/roster-plan.ts';
import type { RosterRow } from '../../server/classes/roster.ts';

const row = (name: string, keys: Partial<Omit<RosterRow, 'name'>> = {}): RosterRow => ({
  name,
  email: null,
  studentId: null,
  externalId: null,
  ...keys,
});
const entry = (id: string, name: string, keys: Partial<Omit<RosterRow, 'name'>> = {}): ExistingEntry => ({
  id,
  ...row(name, keys),
});

describe('planRosterImport', () => {
  const existing = [
    entry('e1', 'Ada Lovelace'),
    entry('e2', 'Sam Lee', { studentId: 'S1004' }),
    entry('e3', 'Grace Hopper', { email: 'grace@school.example' }),
    entry('e4', 'Alan Turing', { externalId: 'u2' }),
  ];

  it('keeps each student’s entry, matched by system id, student id, e-mail, then name', () => {
    const plan = planRosterImport(
      existing,
      [
        row('Alan M. Turing', { externalId: 'u2' }),
        row('Samuel Lee', { studentId: 'S1004' }),
        row('Grace B. Hopper', { email: 'grace@school.example' }),
        row('ADA LOVELACE', { email: 'ada@school.example' }),
      ],
      'replace',
    );
    expect(plan).toEqual({
      ok: true,
      value: {
        insert: [],
        update: [
          { id: 'e4', row: row('Alan M. Turing', { externalId: 'u2' }) },
          { id: 'e2', row: row('Samuel Lee', { studentId: 'S1004' }) },
          { id: 'e3', row: row('Grace B. Hopper', { email: 'grace@school.example' }) },
          { id: 'e1', row: row('ADA LOVELACE', { email: 'ada@school.example' }) },
        ],
        remove: [],
        unchanged: 0,
      },
    });
  });

  it('does not take a namesake with another student id for the same student', () => {
    const plan = planRosterImport(existing, [row('Sam Lee', { studentId: 'S1005' })], 'merge');
    expect(plan).toMatchObject({ ok: true, value: { insert: [row('Sam Lee', { studentId: 'S1005' })], update: [] } });
  });

  it('replacing removes who the file leaves out; merging keeps them; an unchanged row is counted, not written', () => {
    expect(planRosterImport(existing, [row('Ada Lovelace')], 'replace')).toEqual({
      ok: true,
      value: { insert: [], update: [], remove: ['e2', 'e3', 'e4'], unchanged: 1 },
    });
    expect(planRosterImport(existing, [row('Ada Lovelace')], 'merge')).toEqual({
      ok: true,
      value: { insert: [], update: [], remove: [], unchanged: 1 },
    });
  });

  it('refuses a merge that gives a kept student’s e-mail to another, naming both', () => {
    const plan = planRosterImport(
      existing,
      [row('Sam Lee', { studentId: 'S1004', email: 'grace@school.example' })],
      'merge',
    );
    expect(plan).toMatchObject({
      ok: false,
      error: {
        kind: 'duplicate',
        message:
          "grace@school.example of 'Sam Lee' is already on the class's roster as 'Grace Hopper'; replace the roster instead of merging, or remove that entry first",
      },
    });
    // Replacing removes Grace, so the same file is fine.
    expect(
      planRosterImport(existing, [row('Sam Lee', { studentId: 'S1004', email: 'grace@school.example' })], 'replace').ok,
    ).toBe(true);
  });
});
