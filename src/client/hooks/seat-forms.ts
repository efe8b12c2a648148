/**
 * What the home screen's forms do: take a seat by joining or creating a room, remember the teacher
 * passcode, and keep the server's refusal for the form to show. The forms only render.
 */
import { useState } from 'preact/hooks';
import { normalizeCode, type CreateRoomRequest, type JoinRoomRequest } from '../../shared/protocol.ts';
import * as api from '../net/api.ts';
import { isWaiting, waitingFrom, type Waiting } from '../state/classes-joined.ts';
import { seatFrom, type SavedSeat } from '../state/storage.ts';

/** A form submission in progress: busy while it runs, the server's refusal kept for display. */
export interface Submission<A extends unknown[]> {
  busy: boolean;
  error: api.ApiFailure | null;
  /** The message for one field, when the refusal names it. */
  fieldError: (field: string) => string | null;
  /** Runs the action for a form's submit event. */
  submit: (event: Event, ...args: A) => Promise<void>;
}

function useSubmission<A extends unknown[]>(action: (...args: A) => Promise<void>): Submission<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<api.ApiFailure | null>(null);
  const submit = async (event: Event, ...args: A) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action(...args);
    } catch (failure) {
      setError(failure as api.ApiFailure);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit, fieldError: (field) => (error?.field === field ? error.message : null) };
}

/**
 * Joins the room `code` as `body` says, handing the new seat to `onSeatTaken`, or, in a lesson
 * whose class list does not have the name, the wait for a teacher to `onWaiting`.
 */
export function useJoinRoom(
  onSeatTaken: (seat: SavedSeat) => void,
  onWaiting: (waiting: Waiting) => void,
): Submission<[code: string, body: JoinRoomRequest]> {
  return useSubmission(async (code: string, body: JoinRoomRequest) => {
    const reply = await api.joinRoom(normalizeCode(code), body);
    if (isWaiting(reply)) onWaiting(waitingFrom(reply));
    else onSeatTaken(seatFrom(reply.room, reply.member));
  });
}

/** Creates a room as `body` says, remembering the passcode it took, and hands the host's seat to `onSeatTaken`. */
export function useCreateRoom(onSeatTaken: (seat: SavedSeat) => void): Submission<[body: CreateRoomRequest]> {
  return useSubmission(async (body: CreateRoomRequest) => {
    const { room, member } = await api.createRoom(body);
    if (body.passcode !== undefined) api.rememberPasscode(body.passcode);
    onSeatTaken(seatFrom(room, member));
  });
}

/** The teacher passcode this device last used, to fill in the forms. */
export const rememberedPasscode = api.rememberedPasscode;
