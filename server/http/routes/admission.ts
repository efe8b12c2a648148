/**
 * The waiting list of a rostered lesson: a waiting student asks after their request with the token
 * they were given (which becomes their seat's token once admitted) or withdraws it; the lesson's
 * supervisors admit (as the name given, or adding it to the class's roster) or refuse. No room rule here.
 */
import express from 'express';
import type { Kysely } from 'kysely';
import type { AdmissionResponse, AdmitResponse } from '../../../src/shared/protocol.ts';
import { foldName } from '../../core/credentials.ts';
import {
  admitStudent,
  askAfterAdmission,
  authenticate,
  refuseAdmission,
  setLessonRostered,
  withdrawAdmission,
} from '../../core/room-registry.ts';
import { roomView } from '../../core/views.ts';
import { importRoster, listRoster } from '../../db/rosters-repo.ts';
import type { Tables } from '../../db/tables.ts';
import type { RoomStore } from '../../room-store.ts';
import { ApiError, succeed } from '../errors.ts';
import type { RequestLimits } from '../limits.ts';
import { admitBody, parseBody } from '../schemas.ts';
import { bearerToken, requireSeat, seatOf } from '../seat.ts';
import { ownMember } from './own-member.ts';

/** The admission routes. */
export function admissionRoutes(deps: {
  store: RoomStore;
  db: Kysely<Tables>;
  limits: Pick<RequestLimits, 'seat' | 'read'>;
}): express.Router {
  const { store, db, limits } = deps;
  const router = express.Router();
  const seat = requireSeat(store, limits.seat);

  // A waiting student has no seat yet: their asking is a read, per address.
  router.get('/rooms/:code/admission', limits.read, (req, res) => {
    const token = bearerToken(req);
    const code = String(req.params.code);
    const seated = token === '' ? null : authenticate(store.state, code, token);
    if (seated?.ok) {
      const { room, member } = seated.value;
      const body: AdmissionResponse = {
        status: 'admitted',
        room: roomView(room, member),
        member: ownMember(member, token),
      };
      res.json(body);
      return;
    }
    // Asking keeps the wait alive: one nobody asks after expires (`WAITING_TTL_MS`).
    const asked = token === '' ? null : store.run((state, ctx) => askAfterAdmission(state, { code, token }, ctx));
    if (!asked?.ok) throw new ApiError('not-waiting');
    res.json({ status: 'waiting' } satisfies AdmissionResponse);
  });

  // The student stops waiting ("Stop waiting"): the teachers' list drops them at once.
  router.delete('/rooms/:code/admission', limits.read, (req, res) => {
    const token = bearerToken(req);
    const code = String(req.params.code);
    const withdrawn = token === '' ? null : store.run((state) => withdrawAdmission(state, { code, token }));
    if (!withdrawn?.ok) throw new ApiError('not-waiting');
    res.status(204).end();
  });

  router.post('/rooms/:code/waiting/:id/admit', seat, async (req, res) => {
    const { room, member } = seatOf(res);
    const { addToRoster = false } = parseBody(admitBody, req.body);
    const waitingId = String(req.params.id);
    const waiting = room.lesson?.waiting.find((w) => w.id === waitingId);
    const rosterEntry =
      addToRoster && waiting && room.lesson
        ? await addedToRoster(room.code, room.lesson.classId, waiting.name)
        : undefined;
    const input = { code: room.code, actorId: member.id, waitingId, ...(rosterEntry ? { rosterEntry } : {}) };
    const admitted = succeed(store.run((state, ctx) => admitStudent(state, input, ctx)));
    res.json({ memberId: admitted.member.id, name: admitted.member.name } satisfies AdmitResponse);
  });

  router.delete('/rooms/:code/waiting/:id', seat, (req, res) => {
    const { room, member } = seatOf(res);
    const input = { code: room.code, actorId: member.id, waitingId: String(req.params.id) };
    succeed(store.run((state) => refuseAdmission(state, input)));
    res.status(204).end();
  });

  /** Puts `name` on the class's roster (or finds it there) and returns that entry. */
  async function addedToRoster(code: string, classId: string, name: string): Promise<{ id: string; name: string }> {
    const row = { name, email: null, studentId: null, externalId: null };
    const result = await importRoster(db, classId, [row], { mode: 'merge', source: 'typed' }, store.now());
    if (!result.ok) throw new ApiError('invalid-request', `${name} could not be added to the roster.`, 'addToRoster');
    const entry = (await listRoster(db, classId)).find((e) => foldName(e.name) === foldName(name));
    if (!entry) throw new ApiError('internal-error');
    store.run((state) => setLessonRostered(state, { code, rostered: true }));
    return { id: entry.id, name: entry.name };
  }

  return router;
}
