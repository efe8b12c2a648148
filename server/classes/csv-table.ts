/**
 * A roster CSV file read as a table: its records, or the import error naming the file, line and
 * field where its quoting breaks or a record has more fields than the header. Pure: no I/O.
 */
import { parseCsv, type CsvRecord } from '../../src/shared/csv.ts';
import { rosterError, type RosterResult } from './roster.ts';

/** The records of one file, or a 'bad-csv' error naming it. */
export function readCsvFile(file: string, text: string): RosterResult<readonly CsvRecord[]> {
  const parsed = parseCsv(text);
  if (parsed.ok) return { ok: true, value: parsed.records };
  const { line, field, problem } = parsed.error;
  return rosterError('bad-csv', file, line, `field ${field}`, problem);
}

/** A record's cells by column name; a cell the record does not reach is empty. */
export type Row<C extends string> = { readonly line: number } & { readonly [K in C]: string };

/**
 * The records after the header as rows keyed by `columns` (header names compared in lower case),
 * or an 'unknown-columns' error listing what the file lacks and what it should have.
 * Columns the header has beyond these are ignored (OneRoster allows extension columns).
 */
export function rowsByHeader<C extends string>(
  file: string,
  records: readonly CsvRecord[],
  columns: readonly C[],
  what: string,
): RosterResult<Row<C>[]> {
  const [header, ...rest] = records;
  if (!header)
    return rosterError('empty', file, null, null, 'the file is empty; it needs a header and one row per student');
  const names = header.cells.map((cell) => cell.trim().toLowerCase());
  const index = columns.map((column) => names.indexOf(column.toLowerCase()));
  const missing = columns.filter((_, i) => index[i] === -1);
  if (missing.length > 0)
    return rosterError(
      'unknown-columns',
      file,
      header.line,
      null,
      `is not ${what}: it has no column ${missing.map((c) => `'${c}'`).join(', ')}; ` +
        `expected the columns ${columns.join(', ')} (found ${header.cells.join(', ') || 'none'})`,
    );
  const rows: Row<C>[] = [];
  for (const record of rest) {
    if (record.cells.length > header.cells.length)
      return rosterError(
        'bad-csv',
        file,
        record.line,
        null,
        `${record.cells.length} fields, but the header has ${header.cells.length}; quote any cell that holds a comma`,
      );
    const row: Record<string, string | number> = { line: record.line };
    columns.forEach((column, i) => (row[column] = (record.cells[index[i]!] ?? '').trim()));
    rows.push(row as Row<C>);
  }
  return { ok: true, value: rows };
}
