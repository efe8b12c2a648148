/** A class's past lessons: when, how long, who came; each lesson's attendance sheet, a date range's, and deleting a record. */
import { useState } from 'preact/hooks';
import type { LessonView } from '../../../shared/protocol.ts';
import type { ClassPage } from '../../hooks/classes.ts';
import { dayRange, lessonLength } from '../../state/classes.ts';
import { ConfirmButton } from './ConfirmButton.tsx';

/** "Mon 2 Mar 2026, 09:05" in this device's time zone and language. */
const lessonTime = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** The past lessons, newest first, and the exports. */
export function LessonsSection(props: { lessons: readonly LessonView[]; moreLessons: boolean; actions: ClassPage }) {
  const { actions } = props;
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (action: Promise<string | null>, success: string | null = null) => {
    setDone(null);
    const failure = await action;
    setError(failure);
    if (failure === null) setDone(success);
  };
  return (
    <section class="card class-section" aria-labelledby="lessons-heading">
      <h2 id="lessons-heading">Past lessons</h2>
      {props.lessons.length === 0 ? (
        <p class="muted">No lessons yet. Their attendance is kept here once they end.</p>
      ) : (
        <div class="table-scroll">
          <table aria-labelledby="lessons-heading">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Length</th>
                <th scope="col">Students present</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.lessons.map((lesson) => {
                const when = lessonTime.format(lesson.startedAt);
                return (
                  <tr key={lesson.id}>
                    <th scope="row">{when}</th>
                    <td>{lessonLength(lesson)}</td>
                    <td>{lesson.students}</td>
                    <td>
                      <div class="row">
                        <button type="button" onClick={() => void run(actions.exportLesson(lesson.id))}>
                          Export CSV<span class="visually-hidden"> of the lesson of {when}</span>
                        </button>
                        <ConfirmButton
                          label="Delete record"
                          hiddenLabel={`of the lesson of ${when}`}
                          question={`Delete the record of the lesson of ${when}? Its attendance is gone for good.`}
                          confirm="Delete record"
                          danger
                          onConfirm={() =>
                            void run(
                              actions.deleteLesson(lesson.id),
                              `The record of the lesson of ${when} was deleted.`,
                            )
                          }
                        />
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {props.moreLessons && (
        <button type="button" onClick={() => void run(actions.loadOlderLessons())}>
          Show older lessons
        </button>
      )}
      <p role="status">{done}</p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <RangeExport onExport={(range) => run(actions.exportRange(range))} />
    </section>
  );
}

/** Exports every lesson between two dates (both days included) as one CSV file. */
function RangeExport(props: { onExport: (range: { from: number; to: number }) => Promise<void> }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    const range = dayRange(from, to);
    setProblem(range ? null : 'The last day must be the same as the first day or after it.');
    if (range) void props.onExport(range);
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-labelledby="range-export-heading">
      <h3 id="range-export-heading">Attendance for a span of days</h3>
      <div class="row">
        <div class="field">
          <label for="range-from">First day</label>
          <input id="range-from" type="date" value={from} required onInput={(e) => setFrom(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="range-to">Last day</label>
          <input id="range-to" type="date" value={to} required onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <div class="row">
        <button type="submit">Export CSV for these days</button>
      </div>
    </form>
  );
}
