/**
 * The classroom tools (hands, messages, attention, snapshots, presentation, attendance): each route
 * knows its seat, parses its body, runs one `classroomAction` and renders the value. No room rule here.
 */
import express, { type Response } from 'express';
import type {
  AttendanceResponse,
  RaiseHandResponse,
  SendMessageResponse,
  SnapshotResponse,
  StartAttentionResponse,
  StartPresentationResponse,
} from '../../../src/shared/protocol.ts';
import { attendanceAt, type ClassroomAction, type ClassroomResult } from '../../core/classroom.ts';
import { classroomAction } from '../../core/room-registry.ts';
import { attentionView, messageView, presentationView } from '../../core/views.ts';
import type { RoomStore } from '../../room-store.ts';
import { ApiError, succeed, type ErrorRoute } from '../errors.ts';
import { limiter, type RequestLimits } from '../limits.ts';
import {
  attentionBody,
  parseBody,
  presentationBody,
  raiseHandBody,
  sendMessageBody,
  snapshotBody,
} from '../schemas.ts';
import { requireSeat, seatOf } from '../seat.ts';

/** Raising and lowering hands one seat may do per minute (a supervisor answering a class's hands included). */
export const HAND_ACTIONS_PER_MIN = 30;

/** Messages and links one seat may send, and acknowledge, per minute. */
export const MESSAGE_ACTIONS_PER_MIN = 30;

/** Runs one classroom action as the request's seat; refusals become errors (reworded for `route`). */
export function runAsSeat<A extends ClassroomAction>(
  store: RoomStore,
  res: Response,
  action: A,
  route?: ErrorRoute,
): ClassroomResult<A> {
  const { room, member } = seatOf(res);
  const outcome = store.run((state, ctx) =>
    classroomAction(state, { code: room.code, actorId: member.id, action }, ctx),
  );
  return succeed(outcome, route);
}

/** The classroom router. Each route authenticates first, so every limit here is per seat. */
export function classroomRoutes(deps: { store: RoomStore; limits: Pick<RequestLimits, 'seat'> }): express.Router {
  const { store } = deps;
  const router = express.Router();
  const seat = requireSeat(store, deps.limits.seat);
  // Per seat, not per address: a class behind one address must not share a budget.
  const perSeat = (bucket: string, limit: number, what: string) =>
    limiter({
      windowMs: 60_000,
      limit,
      key: (res) => `${bucket}:${seatOf(res).member.id}`,
      message: `You ${what} more than ${limit} times in a minute; wait a little and try again.`,
    });
  const handLimit = perSeat('hand', HAND_ACTIONS_PER_MIN, 'raised or lowered hands');
  const messageLimit = perSeat('message', MESSAGE_ACTIONS_PER_MIN, 'sent or acknowledged messages');
  const run = <A extends ClassroomAction>(res: Response, action: A, route?: ErrorRoute) =>
    runAsSeat(store, res, action, route);
  const noContent = (res: Response) => res.status(204).end();

  router.post('/rooms/:code/hands', seat, handLimit, (req, res) => {
    const { note } = parseBody(raiseHandBody, req.body);
    const hand = run(res, { type: 'raise-hand', note });
    res.json({ hand } satisfies RaiseHandResponse);
  });

  router.delete('/rooms/:code/hands/:studentId', seat, handLimit, (req, res) => {
    run(res, { type: 'lower-hand', studentId: String(req.params.studentId) });
    noContent(res);
  });

  router.post('/rooms/:code/messages', seat, messageLimit, (req, res) => {
    const { to, text, url } = parseBody(sendMessageBody, req.body);
    const { member } = seatOf(res);
    const route = member.role === 'student' ? 'send-message-as-student' : 'send-message';
    const sent = run(res, { type: 'send-message', to, text, url: url ?? null }, route);
    res.status(201).json({ message: messageView(sent, member) } satisfies SendMessageResponse);
  });

  router.post('/rooms/:code/messages/:id/ack', seat, messageLimit, (req, res) => {
    run(res, { type: 'ack-message', messageId: String(req.params.id) });
    noContent(res);
  });

  router.put('/rooms/:code/attention', seat, (req, res) => {
    const { message } = parseBody(attentionBody, req.body);
    const attention = run(res, { type: 'start-attention', message });
    res.json({ attention: attentionView(attention, seatOf(res).member) } satisfies StartAttentionResponse);
  });

  router.delete('/rooms/:code/attention', seat, (_req, res) => {
    run(res, { type: 'end-attention' });
    noContent(res);
  });

  router.post('/rooms/:code/attention/:id/ack', seat, (req, res) => {
    run(res, { type: 'ack-attention', attentionId: String(req.params.id) });
    noContent(res);
  });

  router.post('/rooms/:code/snapshots', seat, (req, res) => {
    const { studentId } = parseBody(snapshotBody, req.body);
    run(res, { type: 'snapshot-taken', studentId });
    res.status(202).json({ told: true } satisfies SnapshotResponse);
  });

  router.put('/rooms/:code/presentation', seat, (req, res) => {
    const { studentId } = parseBody(presentationBody, req.body);
    const action = { type: 'start-presentation', studentId: studentId ?? null } as const;
    const shown = run(res, action, 'start-presentation');
    res.json({ presentation: presentationView(shown, seatOf(res).member) } satisfies StartPresentationResponse);
  });

  router.delete('/rooms/:code/presentation', seat, (_req, res) => {
    run(res, { type: 'stop-presentation' });
    noContent(res);
  });

  router.get('/rooms/:code/attendance', seat, (_req, res) => {
    const { room, member } = seatOf(res);
    if (room.hostId !== member.id) throw new ApiError('not-host');
    const at = store.now();
    res.json({ roomName: room.name, at, students: attendanceAt(room, at) } satisfies AttendanceResponse);
  });

  return router;
}
