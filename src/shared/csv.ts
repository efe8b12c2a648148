/**
 * CSV text (RFC 4180) both ways: the cells the PWA and the server write, and the records a roster
 * file is read into. Pure: no DOM, no Node, no files; the quoting rules live here and nowhere else.
 */

/** Byte order mark: Excel reads a CSV as UTF-8 only when the file starts with it. */
export const UTF8_BOM = '\uFEFF';

/**
 * One cell. A cell a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return, or a full-width or small form of those signs, which some spreadsheets read as
 * the sign itself: NFKC folds them) is neutralised with a leading single quote (OWASP, "CSV
 * injection"); a cell
 * with a comma, quote or line break is quoted, its quotes doubled (RFC 4180, 2.6 and 2.7).
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text.normalize('NFKC'))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of cells as CSV text: fields separated by commas, records ended by CRLF (RFC 4180, 2.1). */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

/** "1:02:03": hours, minutes and seconds, which spreadsheets read as a duration. */
export function duration(ms: number): string {
  const totalS = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(totalS / 3600)}:${pad(Math.floor(totalS / 60) % 60)}:${pad(totalS % 60)}`;
}

/** "2026-11-29 15:04" in the given time zone (an IANA name such as Europe/London), or the runtime's own. */
export function localTime(ms: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** One record read from CSV text: its cells and the line it starts on (1-based, as an editor shows it). */
export interface CsvRecord {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Where CSV text breaks RFC 4180 quoting: the line and field (both 1-based) and what is wrong. */
export interface CsvSyntaxError {
  readonly line: number;
  readonly field: number;
  readonly problem: string;
}

/** The records of CSV text, or where its quoting is broken. */
export type CsvParse =
  | { readonly ok: true; readonly records: readonly CsvRecord[] }
  | { readonly ok: false; readonly error: CsvSyntaxError };

/**
 * Reads CSV text (RFC 4180): fields separated by commas, quoted fields may hold commas, doubled
 * quotes and line breaks. Also takes what spreadsheets really write: a leading BOM, and records
 * ended by CRLF, LF or a lone CR. Records with no text in any cell (blank lines) are left out.
 * A quote inside an unquoted field, or text after a closing quote, is an error rather than a guess.
 */
export function parseCsv(text: string): CsvParse {
  const input = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const fail = (problem: string): CsvParse => ({ ok: false, error: { line, field: cells.length + 1, problem } });
  const endRecord = () => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== '')) records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  /** Steps over a line break at `i` (CRLF, LF or CR); false when there is none. */
  const lineBreak = () => {
    if (input[i] === '\r') i += input[i + 1] === '\n' ? 2 : 1;
    else if (input[i] === '\n') i += 1;
    else return false;
    line += 1;
    return true;
  };
  while (i < input.length) {
    if (input[i] === '"' && cell === '') {
      // A quoted field: runs to the next quote that is not doubled.
      const opened = line;
      i += 1;
      for (;;) {
        if (i >= input.length) {
          line = opened;
          return fail('a quoted field is not closed: add the closing quote (") or double the quotes inside it ("")');
        }
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (input[i] === '\r' || input[i] === '\n') {
          const start = i;
          lineBreak();
          cell += input.slice(start, i);
          continue;
        }
        cell += input[i];
        i += 1;
      }
      if (i < input.length && input[i] !== ',' && input[i] !== '\r' && input[i] !== '\n')
        return fail('text after a closing quote: put the whole field in quotes and double the quotes inside it');
      continue;
    }
    if (input[i] === '"')
      return fail(
        'a quote inside a field that does not start with one: put the whole field in quotes and double it ("")',
      );
    if (input[i] === ',') {
      cells.push(cell);
      cell = '';
      i += 1;
      continue;
    }
    if (lineBreak()) {
      endRecord();
      recordLine = line;
      continue;
    }
    cell += input[i];
    i += 1;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return { ok: true, records };
}
