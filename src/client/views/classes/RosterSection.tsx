/**
 * A class's roster, and importing one: typed or pasted lines, a CSV file, or a OneRoster 1.1
 * export (its classes listed first, to choose from). The server imports all or nothing and names
 * the file, line and column of what it could not read; that message is shown as it is.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  OneRosterClassesResponse,
  OneRosterFilesBody,
  RosterEntryView,
  RosterImportRequest,
  RosterImportResponse,
  RosterSourceName,
} from '../../../shared/protocol.ts';
import type { ClassPage } from '../../hooks/classes.ts';
import { RadioGroup } from '../RadioGroup.tsx';

/** Where each entry came from, as the table says it. */
const SOURCE_TEXT: Readonly<Record<RosterSourceName, string>> = {
  typed: 'Typed',
  csv: 'CSV file',
  oneroster: 'OneRoster',
};

/** The roster's table and the import form. */
export function RosterSection(props: { roster: readonly RosterEntryView[]; actions: ClassPage }) {
  const { roster } = props;
  return (
    <section class="card class-section" aria-labelledby="roster-heading">
      <h2 id="roster-heading">Roster ({roster.length === 1 ? '1 student' : `${roster.length} students`})</h2>
      {roster.length === 0 ? (
        <p class="muted">No students yet. Without a roster, students type their own name when they join.</p>
      ) : (
        <div class="table-scroll">
          <table aria-labelledby="roster-heading">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Student ID</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {roster.map((entry) => (
                <tr key={entry.id}>
                  <th scope="row">{entry.name}</th>
                  <td>{entry.email ?? ''}</td>
                  <td>{entry.studentId ?? ''}</td>
                  <td>{SOURCE_TEXT[entry.source]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RosterImport actions={props.actions} />
    </section>
  );
}

/** The three files of a OneRoster 1.1 CSV export, by the name the standard gives each. */
const ONE_ROSTER_FILES = ['users', 'classes', 'enrollments'] as const;
type OneRosterFile = (typeof ONE_ROSTER_FILES)[number];

const SOURCE_CHOICES: readonly (readonly [RosterSourceName, string])[] = [
  ['typed', 'Typed or pasted names'],
  ['csv', 'A CSV file'],
  ['oneroster', 'A OneRoster 1.1 export (users.csv, classes.csv, enrollments.csv)'],
];

const MODE_CHOICES: readonly (readonly [RosterImportRequest['mode'], string])[] = [
  ['merge', 'Merge: add these students, and update those already on the roster'],
  ['replace', 'Replace: the roster becomes exactly these students'],
];

function RosterImport(props: { actions: ClassPage }) {
  const [source, setSource] = useState<RosterSourceName>('typed');
  const [mode, setMode] = useState<RosterImportRequest['mode']>('merge');
  const [text, setText] = useState('');
  const [csvFile, setCsvFile] = useState<File | null>(null);
  const [exportFiles, setExportFiles] = useState<Partial<Record<OneRosterFile, File>>>({});
  const [exportClasses, setExportClasses] = useState<OneRosterClassesResponse['classes'] | null>(null);
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<RosterImportResponse | null>(null);
  const errorBox = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (error) errorBox.current?.focus();
  }, [error]);

  const readExport = async (): Promise<OneRosterFilesBody> => {
    const [users, classes, enrollments] = await Promise.all(ONE_ROSTER_FILES.map((name) => exportFiles[name]!.text()));
    return { users: users!, classes: classes!, enrollments: enrollments! };
  };
  const listing = source === 'oneroster' && exportClasses === null;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      if (listing) {
        const { classes } = await props.actions.oneRosterClasses(await readExport());
        setExportClasses(classes);
        setChosen([]);
        return;
      }
      const body: RosterImportRequest =
        source === 'typed'
          ? { mode, from: 'typed', text }
          : source === 'csv'
            ? { mode, from: 'csv', csv: await csvFile!.text() }
            : { mode, from: 'oneroster', files: await readExport(), classIds: [...chosen] };
      setResult(await props.actions.importRoster(body));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const exportFileChosen = (name: OneRosterFile, file: File | null) => {
    setExportFiles((current) => ({ ...current, ...{ [name]: file ?? undefined } }));
    setExportClasses(null);
  };

  return (
    <form onSubmit={submit} aria-labelledby="roster-import-heading">
      <h3 id="roster-import-heading">Import students</h3>
      <RadioGroup legend="From" name="roster-source" choices={SOURCE_CHOICES} value={source} onValue={setSource} />
      {source === 'typed' && (
        <div class="field">
          <label for="roster-text">Students, one per line</label>
          <textarea
            id="roster-text"
            rows={6}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-describedby="roster-text-hint"
            required
          />
          <span id="roster-text-hint" class="muted">
            A name per line, optionally followed by a comma, the e-mail and the student ID; or paste a CSV file with a
            header row (name, email, student id).
          </span>
        </div>
      )}
      {source === 'csv' && (
        <FileField
          id="roster-csv"
          label="CSV file (a header row naming the name, email and student id columns)"
          onFile={setCsvFile}
        />
      )}
      {source === 'oneroster' && (
        <>
          {ONE_ROSTER_FILES.map((name) => (
            <FileField
              key={name}
              id={`oneroster-${name}`}
              label={`${name}.csv`}
              onFile={(file) => exportFileChosen(name, file)}
            />
          ))}
          {exportClasses && <ExportClassChoice classes={exportClasses} chosen={chosen} onChosenChange={setChosen} />}
        </>
      )}
      {!listing && (
        <RadioGroup legend="Into the roster" name="roster-mode" choices={MODE_CHOICES} value={mode} onValue={setMode} />
      )}
      <p class="alert" role="alert" tabIndex={-1} ref={errorBox} hidden={!error}>
        {error}
      </p>
      <p role="status">
        {result &&
          `Imported: ${result.added} added, ${result.updated} updated, ${result.removed} removed, ${result.unchanged} unchanged.`}
      </p>
      <div class="row">
        <button
          type="submit"
          class="primary"
          disabled={busy || (source === 'oneroster' && !listing && chosen.length === 0)}
        >
          {listing ? 'List the export’s classes' : busy ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

/** A labelled file input for one CSV file. */
function FileField(props: { id: string; label: string; onFile: (file: File | null) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="file"
        accept=".csv,text/csv"
        required
        onChange={(e) => props.onFile(e.currentTarget.files?.[0] ?? null)}
      />
    </div>
  );
}

/** The export's classes, one checkbox each, to choose which to import. */
function ExportClassChoice(props: {
  classes: OneRosterClassesResponse['classes'];
  chosen: readonly string[];
  onChosenChange: (chosen: readonly string[]) => void;
}) {
  if (props.classes.length === 0) return <p class="alert">The export has no active classes.</p>;
  return (
    <fieldset>
      <legend>Classes to import</legend>
      {props.classes.map((c) => (
        <label class="choice" key={c.sourcedId}>
          <input
            type="checkbox"
            checked={props.chosen.includes(c.sourcedId)}
            onChange={(e) =>
              props.onChosenChange(
                e.currentTarget.checked
                  ? [...props.chosen, c.sourcedId]
                  : props.chosen.filter((id) => id !== c.sourcedId),
              )
            }
          />
          {c.title}
          {c.classCode ? ` (${c.classCode})` : ''} · {c.students === 1 ? '1 student' : `${c.students} students`}
        </label>
      ))}
    </fieldset>
  );
}
