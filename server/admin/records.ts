/**
 * `npm run records -- <export|erase> --email <address> | --student-id <id> | --name <name> --class <id> [--yes]`: the admin
 * command for a student's data-protection request. It opens the classes database the server's
 * configuration names (environment and `.env`, as `npm start` reads them), prints the student's
 * record as JSON, and erases it in one transaction only when `erase` is given `--yes`.
 */
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../db/open-database.ts';
import { eraseStudentRecord, exportStudentRecord, type StudentRef } from '../db/student-records.ts';
import { loadDotEnv } from '../env-file.ts';

/** How to call the command, shown on a usage error. */
export const USAGE = [
  'usage: npm run records -- export --email ada@school.example',
  '       npm run records -- export --student-id S1001',
  '       npm run records -- export --name "Bo Chen" --class <class id, from the class page\'s address>',
  '       npm run records -- erase --email ada@school.example --yes',
  'export prints everything held on the student as JSON; erase deletes it (roster entries, attendance,',
  'sign-in accounts) in every class (by --name: in that class), and needs --yes (without it, it prints',
  'what it would delete). --name is the name exactly as the class record (its CSV) shows it.',
].join('\n');

/** A parsed command line, or what is wrong with it. */
export type RecordsCommand =
  | { readonly ok: true; readonly action: 'export' | 'erase'; readonly who: StudentRef; readonly confirmed: boolean }
  | { readonly ok: false; readonly problem: string };

/** Reads the arguments after `--`. Pure. */
export function parseRecordsArgs(args: readonly string[]): RecordsCommand {
  const [action, ...rest] = args;
  if (action !== 'export' && action !== 'erase')
    return { ok: false, problem: `the first argument must be export or erase (got ${action ?? 'nothing'})` };
  const given = new Map<string, string>();
  let confirmed = false;
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    if (flag === '--yes') {
      confirmed = true;
      continue;
    }
    if (!['--email', '--student-id', '--name', '--class'].includes(flag))
      return { ok: false, problem: `unknown option ${flag}` };
    const value = rest[++i]?.trim() ?? '';
    if (value === '' || value.startsWith('--')) return { ok: false, problem: `${flag} needs a value` };
    if (given.has(flag)) return { ok: false, problem: `give ${flag} once` };
    given.set(flag, value);
  }
  const ways = [given.has('--email'), given.has('--student-id'), given.has('--name') || given.has('--class')];
  if (ways.filter(Boolean).length !== 1)
    return { ok: false, problem: 'name the student, once: with --email, --student-id, or --name and --class' };
  if (given.has('--name') !== given.has('--class'))
    return { ok: false, problem: 'a name is looked up in one class: give --name with --class' };
  const who: StudentRef = given.has('--email')
    ? { email: given.get('--email')! }
    : given.has('--student-id')
      ? { studentId: given.get('--student-id')! }
      : { name: given.get('--name')!, classId: given.get('--class')! };
  return { ok: true, action, who, confirmed };
}

/** Runs the command against the database `env` configures; returns the exit code. */
export async function runRecords(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const command = parseRecordsArgs(args);
  if (!command.ok) {
    err(`${command.problem}\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    err(error.message);
    return 2;
  }
  const database = await openDatabase(config);
  try {
    const record = await exportStudentRecord(database.db, command.who);
    if (command.action === 'export') {
      out(JSON.stringify(record, null, 2));
      return 0;
    }
    const counts = {
      accounts: record.accounts.length,
      rosterEntries: record.rosterEntries.length,
      attendance: record.attendance.length,
    };
    if (!command.confirmed) {
      out(JSON.stringify({ wouldErase: counts }, null, 2));
      err(
        'Nothing erased: run again with --yes to erase these rows (export them first if the request asks for a copy).',
      );
      return 1;
    }
    out(JSON.stringify({ erased: await eraseStudentRecord(database.db, command.who) }, null, 2));
    return 0;
  } finally {
    await database.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  loadDotEnv();
  process.exitCode = await runRecords(
    process.argv.slice(2),
    process.env,
    (text) => process.stdout.write(`${text}\n`),
    (text) => process.stderr.write(`${text}\n`),
  );
}
