/**
 * The adapter that keeps a lesson's record: it listens to the room store and writes a lesson
 * room's attendance to the classes database as students join and leave, and the whole record when
 * the room ends (which ends the lesson). The rows come from the pure `lessonVisits`; the room's
 * attendance holds the lesson's totals, so each write replaces rows rather than adding to them,
 * and writing again after a restart or a failed write changes nothing. Writes of one lesson run
 * in order. No room rule here.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { lessonVisits, lessonsWithoutRoom } from '../classes/lesson-record.ts';
import type { RegistryEvent, RegistryState } from '../core/room-registry.ts';
import { endLesson, liveLessons, saveAttendance } from './lessons-repo.ts';
import type { Tables } from './tables.ts';

/** Writes lesson rooms' attendance to the classes database. */
export class LessonRecorder {
  readonly #db: Kysely<Tables>;
  readonly #clock: () => number;
  readonly #log: Logger;
  /** The last write queued per lesson, so writes of one lesson never overtake each other. */
  readonly #queues = new Map<string, Promise<void>>();

  constructor(deps: { db: Kysely<Tables>; clock: () => number; log: Logger }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** The room store's listener (`store.subscribe(recorder.listen)`). */
  readonly listen = (events: readonly RegistryEvent[], state: RegistryState): void => {
    const now = this.#clock();
    for (const event of events) {
      if (event.type === 'room-terminated') {
        const { lesson } = event.room;
        if (!lesson) continue;
        const visits = lessonVisits(event.room, now, { ended: true });
        this.#enqueue(lesson.lessonId, async () => {
          await saveAttendance(this.#db, lesson.lessonId, visits);
          await endLesson(this.#db, lesson.lessonId, now);
        });
        continue;
      }
      if (event.type !== 'member-joined' && event.type !== 'member-left') continue;
      const room = state.rooms.get(event.code);
      if (!room?.lesson) continue;
      const memberId = event.type === 'member-joined' ? event.memberId : event.member.id;
      const visits = lessonVisits(room, now, { memberIds: [memberId] });
      if (visits.length === 0) continue; // a supervisor
      const { lessonId } = room.lesson;
      this.#enqueue(lessonId, () => saveAttendance(this.#db, lessonId, visits));
    }
  };

  /**
   * Ends the live lessons whose room is not in `state` (lost with an unsaved store, or ended while
   * the database could not be written), at `now`; returns how many. Run at start and before a class
   * starts a lesson, so such a lesson never blocks the next one.
   */
  async endLessonsWithoutRoom(state: RegistryState, classId?: string): Promise<number> {
    const lost = lessonsWithoutRoom(await liveLessons(this.#db), state).filter(
      (lesson) => classId === undefined || lesson.classId === classId,
    );
    const now = this.#clock();
    for (const lesson of lost) {
      // A write still queued for it goes first.
      await this.#queues.get(lesson.id);
      await endLesson(this.#db, lesson.id, now);
    }
    if (lost.length > 0) this.#log.warn({ lessons: lost.length }, 'ended live lessons whose room was gone');
    return lost.length;
  }

  /** Resolves once every write queued so far has finished (or failed and been logged). */
  async flush(): Promise<void> {
    await Promise.all(this.#queues.values());
  }

  #enqueue(lessonId: string, write: () => Promise<void>): void {
    const queued = (this.#queues.get(lessonId) ?? Promise.resolve())
      .then(write)
      .catch((err: unknown) => this.#log.error({ err, lessonId }, 'could not write a lesson record'));
    this.#queues.set(lessonId, queued);
    void queued.then(() => {
      if (this.#queues.get(lessonId) === queued) this.#queues.delete(lessonId);
    });
  }
}
