import { describe, expect, it } from 'vitest';
import { attendanceCsv, attendanceFileName } from '../../src/client/state/csv.ts';
import { csvCell, parseCsv, toCsv, UTF8_BOM } from '../../src/shared/csv.ts';

describe('CSV (RFC 4180)', () => {
  it('separates fields with commas and ends every record with CRLF', () => {
    expect(
      toCsv([
        ['a', 'b'],
        ['c', 1.5],
      ]),
    ).toBe('a,b\r\nc,1.5\r\n');
  });

  it('quotes fields with a comma, a quote or a line break, doubling the quotes', () => {
    expect(csvCell('Smith, Ada')).toBe('"Smith, Ada"');
    expect(csvCell('Ada "the Great"')).toBe('"Ada ""the Great"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Zoë 李')).toBe('Zoë 李');
  });

  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // Numbers the sheet itself writes are numbers, not text a person typed.
    expect(csvCell(-1)).toBe('-1');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('neutralises the full-width and small forms that East Asian spreadsheets read as = + - @', () => {
    for (const sign of ['＝', '﹦', '＋', '﹢', '－', '﹣', '＠', '﹫']) {
      expect(csvCell(`${sign}1+1`)).toBe(`'${sign}1+1`);
    }
    expect(csvCell('１＝１')).toBe('１＝１');
  });
});

describe('reading CSV (RFC 4180)', () => {
  const cells = (text: string) => {
    const parsed = parseCsv(text);
    if (!parsed.ok) throw new Error(parsed.error.problem);
    return parsed.records.map((r) => [r.line, ...r.cells]);
  };

  it('reads what toCsv writes, quotes, commas and line breaks inside cells included', () => {
    const rows = [
      ['Name', 'Email'],
      ['Smith, Ada', 'ada@school.example'],
      ['Ada "the Great"', ''],
      ['two\nlines', 'x'],
    ];
    expect(cells(toCsv(rows))).toEqual([
      [1, 'Name', 'Email'],
      [2, 'Smith, Ada', 'ada@school.example'],
      [3, 'Ada "the Great"', ''],
      [4, 'two\nlines', 'x'],
    ]);
  });

  it('takes a BOM, CRLF, LF or lone CR, and leaves blank lines out while counting them', () => {
    expect(cells(`${UTF8_BOM}a,b\r\n\r\nc,d\ne,f\rg,h`)).toEqual([
      [1, 'a', 'b'],
      [3, 'c', 'd'],
      [4, 'e', 'f'],
      [5, 'g', 'h'],
    ]);
    expect(cells(',,\n"",""\nx\n')).toEqual([[3, 'x']]);
  });

  it('counts the lines of a quoted line break towards the records after it', () => {
    expect(cells('"a\r\nb",c\r\nd,e\r\n')).toEqual([
      [1, 'a\r\nb', 'c'],
      [3, 'd', 'e'],
    ]);
  });

  it('names the line and field where quoting is broken', () => {
    expect(parseCsv('a,b\nc,"d\ne,f\n')).toEqual({
      ok: false,
      error: { line: 2, field: 2, problem: expect.stringContaining('a quoted field is not closed') },
    });
    expect(parseCsv('a,b\nc,Sam "Jr" Lee\n')).toEqual({
      ok: false,
      error: { line: 2, field: 2, problem: expect.stringContaining('a quote inside a field') },
    });
    expect(parseCsv('a,"b"c\n')).toEqual({
      ok: false,
      error: { line: 1, field: 2, problem: expect.stringContaining('text after a closing quote') },
    });
  });
});

describe('attendance sheet', () => {
  const report = {
    roomName: 'Maths 7B / Room 4',
    at: Date.UTC(2026, 10, 29, 10, 30),
    students: [
      {
        studentId: 'a',
        name: 'Ada, "A"',
        joinedAt: Date.UTC(2026, 10, 29, 9, 0),
        leftAt: null,
        sharingMs: 3_690_000,
        stops: 2,
        handsRaised: 1,
      },
      {
        studentId: 'b',
        name: '=cmd|/c calc',
        joinedAt: Date.UTC(2026, 10, 29, 9, 5),
        leftAt: Date.UTC(2026, 10, 29, 9, 45),
        sharingMs: 0,
        stops: 0,
        handsRaised: 0,
      },
    ],
  };

  it('writes UTF-8 with a BOM, a header, and one safe row per student seat', () => {
    expect(attendanceCsv(report, 'UTC')).toBe(
      UTF8_BOM +
        'Name,Joined,Left,Time sharing (h:mm:ss),Times stopped sharing\r\n' +
        '"Ada, ""A""",2026-11-29 09:00,still in the room,1:01:30,2\r\n' +
        "'=cmd|/c calc,2026-11-29 09:05,2026-11-29 09:45,0:00:00,0\r\n",
    );
  });

  it('names the file after the room and the day', () => {
    expect(attendanceFileName(report, 'UTC')).toBe('attendance-Maths-7B-Room-4-2026-11-29.csv');
  });
});
