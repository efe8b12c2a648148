/**
 * What the classes screens do: keep the list of classes this browser teaches, load a class's page
 * with its teacher key, and run the page's actions against the API. The views only render.
 */
import { useEffect, useState } from 'preact/hooks';
import type {
  ClassResponse,
  CreateClassRequest,
  LessonView,
  OneRosterClassesResponse,
  OneRosterFilesBody,
  RosterImportRequest,
  RosterImportResponse,
} from '../../shared/protocol.ts';
import { saveFile } from '../downloads.ts';
import * as api from '../net/api.ts';
import type { SavedClass } from '../state/classes.ts';
import { forgetClass, loadClasses, saveClass, seatFrom, type SavedSeat } from '../state/storage.ts';

/** The classes this browser teaches (null while loading). */
export function useClassList(): SavedClass[] | null {
  const [classes, setClasses] = useState<SavedClass[] | null>(null);
  useEffect(() => {
    let live = true;
    void loadClasses().then((list) => live && setClasses(list));
    return () => {
      live = false;
    };
  }, []);
  return classes;
}

/** Creates a class, remembering its key in this browser and the passcode it took; resolves to the class id. */
export async function createClass(body: CreateClassRequest): Promise<string> {
  const created = await api.createClass(body);
  if (body.passcode !== undefined) api.rememberPasscode(body.passcode);
  await saveClass({ id: created.class.id, name: created.class.name, teacherKey: created.teacherKey });
  return created.class.id;
}

/** A class page's data, as far as it has loaded. */
export type ClassPageState =
  | { status: 'loading' }
  /** This browser has no key for the class: it was never opened here, or was forgotten. */
  | { status: 'no-key' }
  /** The server refused the key this browser has (another teacher retired it), or could not be reached. */
  | { status: 'failed'; failure: api.ApiFailure; saved: boolean }
  | { status: 'ready'; page: ClassResponse; teacherKey: string; olderLessons: LessonView[]; moreLessons: boolean };

/** Lessons the server sends per page (`GET …/lessons`). */
const LESSONS_PER_PAGE = 50;

/**
 * A class's page: loaded with the key from a co-teacher invite link (`inviteKey`, saved to this
 * browser's list once the server takes it) or the one this browser keeps, and loaded again when
 * the page comes back into view (a co-teacher may have changed it). Each action resolves to the
 * server's refusal's message, or null.
 */
export function useClassPage(classId: string, inviteKey: string | null) {
  const [state, setState] = useState<ClassPageState>({ status: 'loading' });
  const [key, setKey] = useState<string | null>(inviteKey);

  const show = (page: ClassResponse, teacherKey: string) =>
    setState((current) => ({
      status: 'ready',
      page,
      teacherKey,
      olderLessons: current.status === 'ready' ? current.olderLessons : [],
      moreLessons: current.status === 'ready' ? current.moreLessons : page.lessons.length === LESSONS_PER_PAGE,
    }));

  const load = async (teacherKey: string, fromInvite: boolean) => {
    try {
      const page = await api.getClass(classId, teacherKey);
      await saveClass({ id: classId, name: page.class.name, teacherKey });
      show(page, teacherKey);
    } catch (failure) {
      setState({ status: 'failed', failure: failure as api.ApiFailure, saved: !fromInvite });
    }
  };

  useEffect(() => {
    let live = true;
    if (inviteKey) {
      setKey(inviteKey);
      void load(inviteKey, true);
      return;
    }
    void loadClasses().then((list) => {
      if (!live) return;
      const saved = list.find((c) => c.id === classId);
      setKey(saved?.teacherKey ?? null);
      if (saved) void load(saved.teacherKey, false);
      else setState({ status: 'no-key' });
    });
    return () => {
      live = false;
    };
  }, [classId, inviteKey]);

  useEffect(() => {
    if (!key) return;
    const onVisible = () => document.visibilityState === 'visible' && void load(key, false);
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [key]);

  /** Runs `action` with the key; a refusal becomes its message. */
  const act =
    <A extends unknown[]>(action: (teacherKey: string, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<string | null> => {
      if (!key) return 'This browser has no key for this class.';
      try {
        await action(key, ...args);
        return null;
      } catch (failure) {
        return (failure as Error).message;
      }
    };
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  return {
    state,
    /** Renames the class or archives it (or brings it back). */
    update: act(async (teacherKey, body: { name?: string; archived?: boolean }) => {
      const page = await api.updateClass(classId, teacherKey, body);
      await saveClass({ id: classId, name: page.class.name, teacherKey });
      show(page, teacherKey);
    }),
    /** Adds a co-teacher by school e-mail. */
    addTeacher: act(async (teacherKey, email: string) => {
      await api.addClassTeacher(classId, teacherKey, email);
      show(await api.getClass(classId, teacherKey), teacherKey);
    }),
    /** Removes the teacher known by `email`. */
    removeTeacher: act(async (teacherKey, email: string) => {
      await api.removeClassTeacher(classId, teacherKey, email);
      show(await api.getClass(classId, teacherKey), teacherKey);
    }),
    /** A new student join link; printed ones stop working. */
    rotateJoinLink: act(async (teacherKey) => {
      await api.rotateJoinSecret(classId, teacherKey);
      show(await api.getClass(classId, teacherKey), teacherKey);
    }),
    /** A new teacher key, kept by this browser; every invite link given out stops working. */
    retireInvite: act(async (teacherKey) => {
      const { teacherKey: next } = await api.rotateTeacherKey(classId, teacherKey);
      const page = await api.getClass(classId, next);
      await saveClass({ id: classId, name: page.class.name, teacherKey: next });
      setKey(next);
      show(page, next);
    }),
    /** Starts a lesson as its host and hands the seat on, as creating a room does. */
    startLesson: act(async (teacherKey, hostName: string, onSeatTaken: (seat: SavedSeat) => void) => {
      const { room, member } = await api.startLesson(classId, teacherKey, { hostName });
      onSeatTaken(seatFrom(room, member, classId));
    }),
    /** Joins the live lesson as a supervisor with the key the class page gives its teachers. */
    joinLesson: act(async (_teacherKey, name: string, onSeatTaken: (seat: SavedSeat) => void) => {
      if (state.status !== 'ready' || !state.page.liveLesson) return;
      const { roomCode, supervisorKey } = state.page.liveLesson;
      const { room, member } = await api.joinRoom(roomCode, { name, role: 'supervisor', supervisorKey });
      onSeatTaken(seatFrom(room, member, classId));
    }),
    /** Lists a OneRoster export's classes (nothing is stored yet). */
    oneRosterClasses: (files: OneRosterFilesBody): Promise<OneRosterClassesResponse> =>
      key ? api.oneRosterClasses(classId, key, files) : Promise.reject(new Error('No key for this class.')),
    /** Imports a roster (all or nothing); resolves to what changed, or rejects with the server's refusal. */
    importRoster: async (body: RosterImportRequest): Promise<RosterImportResponse> => {
      if (!key) throw new Error('No key for this class.');
      const result = await api.importRoster(classId, key, body);
      if (state.status === 'ready') show({ ...state.page, roster: result.roster }, key);
      return result;
    },
    /** Loads the next page of older lessons. */
    loadOlderLessons: act(async (teacherKey) => {
      if (state.status !== 'ready') return;
      const shown = [...state.page.lessons, ...state.olderLessons];
      const { lessons } = await api.pastLessons(classId, teacherKey, shown[shown.length - 1]?.startedAt ?? Date.now());
      setState({
        ...state,
        olderLessons: [...state.olderLessons, ...lessons],
        moreLessons: lessons.length === LESSONS_PER_PAGE,
      });
    }),
    /** Deletes a past lesson's record. */
    deleteLesson: act(async (teacherKey, lessonId: string) => {
      await api.deleteLesson(classId, teacherKey, lessonId);
      if (state.status !== 'ready') return;
      setState({
        ...state,
        page: { ...state.page, lessons: state.page.lessons.filter((l) => l.id !== lessonId) },
        olderLessons: state.olderLessons.filter((l) => l.id !== lessonId),
      });
    }),
    /** Downloads one lesson's attendance, times in this device's time zone. */
    exportLesson: act(async (teacherKey, lessonId: string) => {
      const file = await api.lessonAttendanceFile(classId, teacherKey, lessonId, timeZone);
      saveFile(file.blob, file.fileName);
    }),
    /** Downloads the attendance of every lesson in a span of days. */
    exportRange: act(async (teacherKey, range: { from: number; to: number }) => {
      const file = await api.rangeAttendanceFile(classId, teacherKey, range, timeZone);
      saveFile(file.blob, file.fileName);
    }),
    /** Takes the class off this browser's list. */
    forget: () => forgetClass(classId),
  };
}

/** What `useClassPage` returns. */
export type ClassPage = ReturnType<typeof useClassPage>;
