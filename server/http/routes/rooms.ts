/**
 * Rooms as a whole: the lobby (list and stream), creating, reading, the room's event stream and ICE
 * servers, handing the host role on, and ending it. Each route runs one registry operation; no room rule here.
 */
import express, { type Request, type Response } from 'express';
import type {
  CreateRoomResponse,
  IceServersResponse,
  ListRoomsResponse,
  RoomResponse,
} from '../../../src/shared/protocol.ts';
import type { SignIn } from '../../auth/sign-in.ts';
import { requireTeacher } from '../../auth/teacher-gate.ts';
import type { Config } from '../../config.ts';
import { createRoom, terminateRoom, transferHost } from '../../core/room-registry.ts';
import { roomView } from '../../core/views.ts';
import { listedRooms, type LobbyStreams } from '../../events/lobby-streams.ts';
import type { RoomStreams } from '../../events/room-streams.ts';
import { openEventStream } from '../../events/sse.ts';
import { StreamQuota } from '../../events/stream-quota.ts';
import type { RoomStore } from '../../room-store.ts';
import { iceServersFor } from '../../turn/ice-servers.ts';
import { ApiError, succeed } from '../errors.ts';
import { limiter, type RequestLimits } from '../limits.ts';
import type { PasscodeGate } from '../passcode.ts';
import { createRoomBody, parseBody, transferHostBody } from '../schemas.ts';
import { address, requireSeat, seatOf } from '../seat.ts';
import { ownMember } from './own-member.ts';

/** What the room routes need. */
export interface RoomDeps {
  store: RoomStore;
  roomStreams: RoomStreams;
  lobbyStreams: LobbyStreams;
  config: Pick<Config, 'iceServers' | 'stunPort' | 'turn' | 'streamsPerAddress' | 'roomCreationsPerHour'>;
  limits: RequestLimits;
  /** The teacher passcode's check (lets everyone through when none is set). */
  passcode: PasscodeGate;
  /** Who is signed in: a signed-in teacher needs no passcode. */
  signIn: Pick<SignIn, 'caller'>;
  /** The port the STUN responder answers on, once it does (null when off or not bound). */
  stunPort: () => number | null;
}

/** The rooms router. */
export function roomRoutes(deps: RoomDeps): express.Router {
  const { store, roomStreams, lobbyStreams, config, limits } = deps;
  const router = express.Router();
  const seat = requireSeat(store, limits.seat);
  const lobbyQuota = new StreamQuota(config.streamsPerAddress);
  /** The lobby shows rooms only to signed-in teachers and those who gave the passcode, when there is one. */
  const lobbyPasscode = (req: Request, res: Response) =>
    requireTeacher(deps, req, res, typeof req.query.passcode === 'string' ? req.query.passcode : undefined);
  // Room creations per address per hour; refused creations (passcode, validation) do not count.
  const creationLimit = limiter({
    windowMs: 3_600_000,
    limit: config.roomCreationsPerHour,
    skipFailedRequests: true,
    message: `Your address has created ${config.roomCreationsPerHour} rooms in the last hour; reuse an open room, or wait and try again.`,
  });

  router.get('/rooms', limits.read, async (req, res) => {
    await lobbyPasscode(req, res);
    res.json({ rooms: listedRooms(store.state) } satisfies ListRoomsResponse);
  });

  // Lobby streams need no seat, so they are capped per address; a member's room streams are capped per seat.
  router.get('/lobby/events', limits.read, async (req, res) => {
    await lobbyPasscode(req, res);
    const release = lobbyQuota.admit(address(req));
    if (!release) throw new ApiError('too-many-streams');
    const stream = openEventStream(req, res);
    stream.onClose(release);
    lobbyStreams.attach(store.state, stream);
  });

  router.post('/rooms', limits.entry, creationLimit, async (req, res) => {
    const { passcode, ...input } = parseBody(createRoomBody, req.body);
    await requireTeacher(deps, req, res, passcode);
    const { room, member, token } = succeed(
      store.run((state, ctx) => createRoom(state, { ...input, address: address(req) }, ctx)),
    );
    const body: CreateRoomResponse = {
      room: roomView(room, member),
      member: ownMember(member, token),
      supervisorKey: room.supervisorKey,
    };
    res.status(201).json(body);
  });

  router.get('/rooms/:code', seat, (_req, res) => {
    const { room, member } = seatOf(res);
    res.json({ room: roomView(room, member) } satisfies RoomResponse);
  });

  router.get('/rooms/:code/ice-servers', seat, (req, res) => {
    const { member } = seatOf(res);
    const request = { hostname: req.hostname, stunPort: deps.stunPort() };
    const body: IceServersResponse = {
      iceServers: iceServersFor(config, request, { id: member.id, nowMs: store.now() }),
      expiresInS: config.turn ? config.turn.ttlS : null,
    };
    res.json(body);
  });

  router.get('/rooms/:code/events', requireSeat(store, limits.seat, 'query'), (req, res) => {
    const { room, member } = seatOf(res);
    roomStreams.attach(room, member.id, openEventStream(req, res));
  });

  router.post('/rooms/:code/host', seat, (req, res) => {
    const { room, member } = seatOf(res);
    const { memberId } = parseBody(transferHostBody, req.body);
    const next = succeed(store.run((state) => transferHost(state, { code: room.code, actorId: member.id, memberId })));
    res.json({ room: roomView(next, member) } satisfies RoomResponse);
  });

  router.delete('/rooms/:code', seat, (_req, res) => {
    const { room, member } = seatOf(res);
    succeed(store.run((state) => terminateRoom(state, { code: room.code, actorId: member.id })));
    res.status(204).end();
  });

  return router;
}
