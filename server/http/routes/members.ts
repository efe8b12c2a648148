/**
 * A member's seat: joining, leaving, sharing, reporting a failed connection, and being removed by
 * the host. Each route runs one registry operation and renders what it returns; no room rule here.
 */
import express from 'express';
import type { SignIn } from '../../auth/sign-in.ts';
import {
  normalizeCode,
  type ConnectionFailureResponse,
  type DirectConnectionResponse,
  type JoinRoomResponse,
  type SharingRequest,
} from '../../../src/shared/protocol.ts';
import {
  joinRoom,
  kickMember,
  leaveRoom,
  reportConnectionFailure,
  reportDirectConnection,
  reportRelayConnection,
  setSharing,
} from '../../core/room-registry.ts';
import { roomView } from '../../core/views.ts';
import type { RoomStore } from '../../room-store.ts';
import { succeed } from '../errors.ts';
import type { RequestLimits } from '../limits.ts';
import { connectionFailureBody, directConnectionBody, joinRoomBody, parseBody, shareBody } from '../schemas.ts';
import { requireSeat, seatOf } from '../seat.ts';
import { joinOrWait, signedInJoiner } from './class-link.ts';
import { ownMember } from './own-member.ts';

/** The members router. */
export function memberRoutes(deps: {
  store: RoomStore;
  limits: Pick<RequestLimits, 'seat' | 'entry'>;
  /** A signed-in person joins under their school account's name, whatever was typed; a student as their roster entry. */
  signIn: Pick<SignIn, 'verifiedName' | 'student'>;
}): express.Router {
  const { store, limits } = deps;
  const router = express.Router();
  const seat = requireSeat(store, limits.seat);

  router.post('/rooms/:code/members', limits.entry, async (req, res) => {
    const input = parseBody(joinRoomBody, req.body);
    const code = String(req.params.code);
    if (input.role === 'student') {
      // Signed in, the account says who they are (in a lesson, as the roster entry with their
      // e-mail); otherwise a rostered lesson's student who came by the code waits to be admitted.
      const classId = store.state.rooms.get(normalizeCode(code))?.lesson?.classId ?? null;
      const student = await deps.signIn.student(req, classId);
      const joined = joinOrWait(store, { code, ...(student ? signedInJoiner(student) : { name: input.name }) });
      res.status(joined.status).json(joined.body);
      return;
    }
    const verified = await deps.signIn.verifiedName(req);
    if (verified !== null) input.name = verified;
    const { room, member, token } = succeed(store.run((state, ctx) => joinRoom(state, { ...input, code }, ctx)));
    const body: JoinRoomResponse = { room: roomView(room, member), member: ownMember(member, token) };
    res.status(201).json(body);
  });

  router.delete('/rooms/:code/members/me', seat, (_req, res) => {
    const { room, member } = seatOf(res);
    succeed(store.run((state, ctx) => leaveRoom(state, { code: room.code, memberId: member.id }, ctx)));
    res.status(204).end();
  });

  router.put('/rooms/:code/members/me/share', seat, (req, res) => {
    const { room, member } = seatOf(res);
    const { sharing } = parseBody(shareBody, req.body);
    succeed(store.run((state, ctx) => setSharing(state, { code: room.code, memberId: member.id, sharing }, ctx)));
    res.json({ sharing } satisfies SharingRequest);
  });

  router.post('/rooms/:code/connection-failures', seat, (req, res) => {
    const { room, member } = seatOf(res);
    const { with: other } = parseBody(connectionFailureBody, req.body);
    const input = { code: room.code, memberId: member.id, with: other };
    const counted = succeed(
      store.run((state, ctx) => reportConnectionFailure(state, input, ctx)),
      'connection-failure',
    );
    res.status(202).json({ counted } satisfies ConnectionFailureResponse);
  });

  // Your link to the relay works after all: what counted against it is forgotten.
  router.delete('/rooms/:code/connection-failures/relay', seat, (_req, res) => {
    const { room, member } = seatOf(res);
    const input = { code: room.code, memberId: member.id };
    const counted = succeed(store.run((state, ctx) => reportRelayConnection(state, input, ctx)));
    res.status(202).json({ counted } satisfies ConnectionFailureResponse);
  });

  router.post('/rooms/:code/direct-connections', seat, (req, res) => {
    const { room, member } = seatOf(res);
    const { with: other } = parseBody(directConnectionBody, req.body);
    const input = { code: room.code, memberId: member.id, with: other };
    const counted = succeed(
      store.run((state, ctx) => reportDirectConnection(state, input, ctx)),
      'direct-connection',
    );
    res.status(202).json({ counted } satisfies DirectConnectionResponse);
  });

  router.delete('/rooms/:code/members/:id', seat, (req, res) => {
    const { room, member } = seatOf(res);
    const input = { code: room.code, actorId: member.id, memberId: String(req.params.id) };
    succeed(store.run((state, ctx) => kickMember(state, input, ctx)));
    res.status(204).end();
  });

  return router;
}
