/**
 * What the classes screens do: list the classes this browser holds keys for and those the signed-in
 * teacher teaches, load a class's page with its teacher key or by sign-in, and run the page's
 * actions against the API. The views only render.
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
import { listedClasses, type ListedClass } from '../state/classes.ts';
import { forgetClass, loadClasses, saveClass, seatFrom, type SavedSeat } from '../state/storage.ts';

/**
 * The classes this browser holds keys for and, with `signedIn`, those the signed-in teacher teaches
 * (null while loading). A server that cannot list them leaves this browser's own.
 */
export function useClassList(signedIn: boolean): ListedClass[] | null {
  const [classes, setClasses] = useState<ListedClass[] | null>(null);
  useEffect(() => {
    let live = true;
    const fromAccount = signedIn
      ? api.listClasses().then(
          (r) => r.classes,
          () => [],
        )
      : Promise.resolve([]);
    void Promise.all([loadClasses(), fromAccount]).then(
      ([saved, taught]) => live && setClasses(listedClasses(saved, taught)),
    );
    return () => {
      live = false;
    };
  }, [signedIn]);
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
  /** This browser has no key for the class (never opened here, or forgotten), and no sign-in of one of its teachers. */
  | { status: 'no-key' }
  /** The server refused the key this browser has (another teacher retired it), or could not be reached. */
  | { status: 'failed'; failure: api.ApiFailure; saved: boolean }
  | {
      status: 'ready';
      page: ClassResponse;
      /** The key the page was opened with, or null: by the sign-in of one of the class's teachers. */
      teacherKey: api.ClassAccess;
      olderLessons: LessonView[];
      moreLessons: boolean;
    };

/** Lessons the server sends per page (`GET …/lessons`). */
const LESSONS_PER_PAGE = 50;

/**
 * A class's page: loaded with the key from a co-teacher invite link (`inviteKey`, saved to this
 * browser's list once the server takes it) or the one this browser keeps, or else by the sign-in of
 * one of its teachers (a co-teacher added by e-mail: nothing is saved, the session opens it), and
 * loaded again when the page comes back into view (a co-teacher may have changed it). Each action
 * resolves to the server's refusal's message, or null.
 */
export function useClassPage(classId: string, inviteKey: string | null) {
  const [state, setState] = useState<ClassPageState>({ status: 'loading' });
  /** What opens the class here; undefined until something does. */
  const [key, setKey] = useState<api.ClassAccess | undefined>(inviteKey ?? undefined);

  const show = (page: ClassResponse, teacherKey: api.ClassAccess) =>
    setState((current) => ({
      status: 'ready',
      page,
      teacherKey,
      olderLessons: current.status === 'ready' ? current.olderLessons : [],
      moreLessons: current.status === 'ready' ? current.moreLessons : page.lessons.length === LESSONS_PER_PAGE,
    }));

  const load = async (teacherKey: api.ClassAccess, fromInvite: boolean) => {
    try {
      const page = await api.getClass(classId, teacherKey);
      if (teacherKey !== null) await saveClass({ id: classId, name: page.class.name, teacherKey });
      show(page, teacherKey);
    } catch (failure) {
      // Another teacher replaced the key this browser kept: a teacher of the class signed in here
      // opens it by the session instead, and the retired copy is forgotten.
      const retired = failure instanceof api.ApiFailure && failure.code === 'wrong-class-key';
      if (retired && teacherKey !== null && !fromInvite) {
        try {
          await showBySignIn();
          await forgetClass(classId);
          return;
        } catch {
          // Not signed in here as one of its teachers: say the key is retired.
        }
      }
      setState({ status: 'failed', failure: failure as api.ApiFailure, saved: !fromInvite });
    }
  };

  /** Shows the class by the sign-in here; rejects when it is not one of the class's teachers'. */
  const showBySignIn = async () => {
    show(await api.getClass(classId, null), null);
    setKey(null);
  };

  /** Opens the class by sign-in; without a session of one of its teachers, this browser cannot. */
  const loadBySignIn = async () => {
    try {
      await showBySignIn();
    } catch (failure) {
      const refused = failure instanceof api.ApiFailure && failure.code === 'class-key-required';
      setState(refused ? { status: 'no-key' } : { status: 'failed', failure: failure as api.ApiFailure, saved: false });
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
      if (saved) {
        setKey(saved.teacherKey);
        void load(saved.teacherKey, false);
      } else void loadBySignIn();
    });
    return () => {
      live = false;
    };
  }, [classId, inviteKey]);

  useEffect(() => {
    if (key === undefined) return;
    const onVisible = () => document.visibilityState === 'visible' && void load(key, false);
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [key]);

  /** Runs `action` with the key; a refusal becomes its message. */
  const act =
    <A extends unknown[]>(action: (teacherKey: api.ClassAccess, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<string | null> => {
      if (key === undefined) return 'This browser has no key for this class.';
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
      if (teacherKey !== null) await saveClass({ id: classId, name: page.class.name, teacherKey });
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
    /** Joins the live lesson as a supervisor with the key the class page gives its teachers (by key or by sign-in). */
    joinLesson: act(async (_teacherKey, name: string, onSeatTaken: (seat: SavedSeat) => void) => {
      if (state.status !== 'ready' || !state.page.liveLesson) return;
      const { roomCode, supervisorKey } = state.page.liveLesson;
      const { room, member } = await api.joinRoom(roomCode, { name, role: 'supervisor', supervisorKey });
      onSeatTaken(seatFrom(room, member, classId));
    }),
    /** Lists a OneRoster export's classes (nothing is stored yet). */
    oneRosterClasses: (files: OneRosterFilesBody): Promise<OneRosterClassesResponse> =>
      key !== undefined
        ? api.oneRosterClasses(classId, key, files)
        : Promise.reject(new Error('No key for this class.')),
    /** Imports a roster (all or nothing); resolves to what changed, or rejects with the server's refusal. */
    importRoster: async (body: RosterImportRequest): Promise<RosterImportResponse> => {
      if (key === undefined) throw new Error('No key for this class.');
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
