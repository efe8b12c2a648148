/** Waiting for a teacher to let a student into a lesson whose class list does not have their name. */
import { useEffect } from 'preact/hooks';
import * as api from '../net/api.ts';
import type { Waiting } from '../state/classes-joined.ts';
import { seatFrom, type SavedSeat } from '../state/storage.ts';

/** How often the app asks whether the teacher has answered. */
export const ADMISSION_POLL_MS = 2_000;

interface WaitingScreenProps {
  waiting: Waiting;
  onAdmitted: (seat: SavedSeat) => void;
  /** The teacher turned them away or the lesson ended: the sentence to show. */
  onTurnedAway: (message: string) => void;
  onCancel: () => void;
}

/** The waiting screen; asks every ADMISSION_POLL_MS until the teacher answers. */
export function WaitingScreen(props: WaitingScreenProps) {
  const { waiting } = props;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let live = true;
    const ask = async () => {
      try {
        const reply = await api.getAdmission(waiting.code, waiting.token);
        if (!live) return;
        if (reply.status === 'admitted') return props.onAdmitted(seatFrom(reply.room, reply.member));
      } catch (failure) {
        if (!live) return;
        const { code, message } = failure as api.ApiFailure;
        if (code === 'not-waiting') return props.onTurnedAway(message);
        // Offline or rate-limited: keep asking.
      }
      timer = setTimeout(() => void ask(), ADMISSION_POLL_MS);
    };
    void ask();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [waiting.token]);

  return (
    <div class="narrow">
      <h1>{waiting.roomName}</h1>
      <p role="status">
        Waiting for your teacher to let you in as “{waiting.name}”. Your name is not on the class list, so a teacher
        checks it first.
      </p>
      <button type="button" onClick={props.onCancel}>
        Stop waiting
      </button>
    </div>
  );
}
