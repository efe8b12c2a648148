/**
 * Adapter from HTTP to the registry: each route validates its input, runs one registry operation
 * through the store and renders what it returns. No room rule lives here.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type {
  AttendanceResponse,
  ClientConfig,
  CreateRoomResponse,
  HealthResponse,
  IceServersResponse,
  JoinRoomResponse,
  OwnMember,
  SendMessageResponse,
  StartPresentationResponse,
} from '../../src/shared/protocol.ts';
import { iceServersFor } from '../turn/ice-servers.ts';
import { NAME_MAX_LENGTH, ROOM_NAME_MAX_LENGTH } from '../../src/shared/protocol.ts';
import type { Config } from '../config.ts';
import {
  authenticate,
  classroomAction,
  createRoom,
  joinRoom,
  kickMember,
  leaveRoom,
  reportConnectionFailure,
  setSharing,
  terminateRoom,
  transferHost,
  type Member,
  type Outcome,
  type Seat,
} from '../core/room-registry.ts';
import { attendanceAt, type ClassroomAction, type ClassroomValue } from '../core/classroom.ts';
import { attentionView, messageView, presentationView, roomView } from '../core/views.ts';
import { listedRooms, type LobbyStreams } from '../events/lobby-streams.ts';
import type { RoomStreams } from '../events/room-streams.ts';
import { openEventStream, type SseStream } from '../events/sse.ts';
import { StreamQuota } from '../events/stream-quota.ts';
import { PEER_KEY, PEER_PATH } from '../peer/peer-gate.ts';
import type { RoomStore } from '../room-store.ts';
import { ApiError } from './errors.ts';
import { createPasscodeCheck } from './passcode.ts';
import {
  attentionBody,
  connectionFailureBody,
  createRoomBody,
  joinRoomBody,
  parseBody,
  presentationBody,
  raiseHandBody,
  sendMessageBody,
  shareBody,
  snapshotBody,
  transferHostBody,
} from './schemas.ts';

/** What the API needs from the rest of the server. */
export interface ApiDeps {
  store: RoomStore;
  roomStreams: RoomStreams;
  lobbyStreams: LobbyStreams;
  config: Pick<
    Config,
    | 'iceServers'
    | 'stunPort'
    | 'turn'
    | 'maxMembersPerRoom'
    | 'reconnectGraceS'
    | 'rateLimitPerMinute'
    | 'readRateLimitPerMinute'
    | 'streamsPerAddress'
    | 'roomCreationsPerHour'
    | 'teacherPasscode'
    | 'relay'
  >;
  /** The port the STUN responder answers on, once it does (null when off or not bound). */
  stunPort: () => number | null;
  version: string;
  /** Whether relay workers run (RELAY_MODE is not off). */
  relayOn: boolean;
  /** Whether every relay worker is up right now (false while one starts or restarts; irrelevant when off). */
  relayUp: () => boolean;
  /** Whether the server is stopping for a restart: no new rooms or members then. */
  stopping: () => boolean;
  /** Where room state is saved and whether saving works. */
  storeHealth: () => HealthResponse['store'];
  startedAt: number;
  onError: (error: unknown, req: Request) => void;
}

/** Largest JSON body accepted. */
const MAX_BODY = '8kb';

/** Raising and lowering hands one seat may do per minute (a supervisor answering a class's hands included). */
export const HAND_ACTIONS_PER_MIN = 30;

/** Messages and links one seat may send, and acknowledge, per minute. */
export const MESSAGE_ACTIONS_PER_MIN = 30;

/** Builds the `/api` router. */
export function createApi(deps: ApiDeps): express.Router {
  const { store, roomStreams, lobbyStreams, config } = deps;
  const api = express.Router();

  if (config.rateLimitPerMinute > 0) {
    api.use(
      rateLimit({
        windowMs: 60_000,
        limit: config.rateLimitPerMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        skip: (req) => req.method === 'GET' || req.method === 'HEAD',
        handler: (_req, _res, next) => next(new ApiError('rate-limited')),
      }),
    );
  }
  if (config.readRateLimitPerMinute > 0) {
    api.use(
      rateLimit({
        windowMs: 60_000,
        limit: config.readRateLimitPerMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        skip: (req) => req.method !== 'GET' && req.method !== 'HEAD',
        handler: (_req, _res, next) => next(new ApiError('rate-limited')),
      }),
    );
  }
  api.use(express.json({ limit: MAX_BODY }));
  // While stopping, nobody new comes in; members already in keep working until the sockets close.
  // The classroom tools. Each route authenticates first, so hand and message actions are limited
  // per seat (a class behind one address must not share a budget), then runs one registry operation.
  const member: express.RequestHandler = (req, res, next) => {
    res.locals.seat = seat(req, bearerToken(req));
    next();
  };
  const seatOf = (res: Response) => res.locals.seat as Seat;
  const perSeat = (bucket: string, limit: number, what: string) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (_req, res) => `${bucket}:${seatOf(res).member.id}`,
      handler: (_req, _res, next) =>
        next(
          new ApiError(
            'rate-limited',
            `You ${what} more than ${limit} times in a minute; wait a little and try again.`,
          ),
        ),
    });
  const handLimit = perSeat('hand', HAND_ACTIONS_PER_MIN, 'raised or lowered hands');
  const messageLimit = perSeat('message', MESSAGE_ACTIONS_PER_MIN, 'sent or acknowledged messages');
  const tool = (res: Response, action: ClassroomAction): ClassroomValue => {
    const { room, member: actor } = seatOf(res);
    return succeed(
      store.run((state, ctx) => classroomAction(state, { code: room.code, actorId: actor.id, action }, ctx)),
    );
  };

  api.post('/rooms/:code/hands', member, handLimit, (req, res) => {
    const { note } = parseBody(raiseHandBody, req.body);
    const hand = tool(res, { type: 'raise-hand', note });
    res.json({ hand });
  });

  api.delete('/rooms/:code/hands/:studentId', member, handLimit, (req, res) => {
    tool(res, { type: 'lower-hand', studentId: String(req.params.studentId) });
    res.status(204).end();
  });

  api.post('/rooms/:code/messages', member, messageLimit, (req, res) => {
    const { to, text, url } = parseBody(sendMessageBody, req.body);
    const outcome = store.run((state, ctx) =>
      classroomAction(
        state,
        {
          code: seatOf(res).room.code,
          actorId: seatOf(res).member.id,
          action: { type: 'send-message', to, text, url: url ?? null },
        },
        ctx,
      ),
    );
    if (!outcome.ok && outcome.error === 'invalid-target') {
      const message =
        seatOf(res).member.role === 'student'
          ? 'Students write to their teachers only: leave out "to", or send "teachers".'
          : 'Write to "class" or to one student\'s member id.';
      throw new ApiError('invalid-target', message, 'to');
    }
    if (!outcome.ok && outcome.error === 'wrong-role') {
      throw new ApiError('wrong-role', 'Only teachers send links; write your answer as text.', 'url');
    }
    if (!outcome.ok && outcome.error === 'member-not-found') {
      throw new ApiError('member-not-found', 'That student is not in this room (any more).', 'to');
    }
    const sent = succeed(outcome) as Parameters<typeof messageView>[0];
    const body: SendMessageResponse = { message: messageView(sent, seatOf(res).member) };
    res.status(201).json(body);
  });

  api.post('/rooms/:code/messages/:id/ack', member, messageLimit, (req, res) => {
    tool(res, { type: 'ack-message', messageId: String(req.params.id) });
    res.status(204).end();
  });

  api.put('/rooms/:code/attention', member, (req, res) => {
    const { message } = parseBody(attentionBody, req.body);
    const attention = tool(res, { type: 'start-attention', message }) as Parameters<typeof attentionView>[0];
    res.json({ attention: attentionView(attention, seatOf(res).member) });
  });

  api.delete('/rooms/:code/attention', member, (_req, res) => {
    tool(res, { type: 'end-attention' });
    res.status(204).end();
  });

  api.post('/rooms/:code/attention/:id/ack', member, (req, res) => {
    tool(res, { type: 'ack-attention', attentionId: String(req.params.id) });
    res.status(204).end();
  });

  api.post('/rooms/:code/snapshots', member, (req, res) => {
    const { studentId } = parseBody(snapshotBody, req.body);
    tool(res, { type: 'snapshot-taken', studentId });
    res.status(202).json({ told: true });
  });

  api.put('/rooms/:code/presentation', member, (req, res) => {
    const { studentId } = parseBody(presentationBody, req.body);
    const { room, member: actor } = seatOf(res);
    const action: ClassroomAction = { type: 'start-presentation', studentId: studentId ?? null };
    const outcome = store.run((state, ctx) =>
      classroomAction(state, { code: room.code, actorId: actor.id, action }, ctx),
    );
    if (!outcome.ok && outcome.error === 'member-not-found') {
      throw new ApiError('member-not-found', 'That student is not in this room (any more).', 'studentId');
    }
    if (!outcome.ok && outcome.error === 'invalid-target') {
      throw new ApiError(
        'invalid-target',
        "Show a student's screen by their member id, or leave out studentId to show your own.",
        'studentId',
      );
    }
    if (!outcome.ok && outcome.error === 'not-sharing') throw new ApiError('not-sharing', undefined, 'studentId');
    const shown = succeed(outcome) as Parameters<typeof presentationView>[0];
    const body: StartPresentationResponse = { presentation: presentationView(shown, actor) };
    res.json(body);
  });

  api.delete('/rooms/:code/presentation', member, (_req, res) => {
    tool(res, { type: 'stop-presentation' });
    res.status(204).end();
  });

  api.get('/rooms/:code/attendance', member, (_req, res) => {
    const { room, member: viewer } = seatOf(res);
    if (room.hostId !== viewer.id) throw new ApiError('not-host');
    const at = store.now();
    const body: AttendanceResponse = { roomName: room.name, at, students: attendanceAt(room, at) };
    res.json(body);
  });

  api.use((req, _res, next) => {
    const entering = req.method === 'POST' && (req.path === '/rooms' || /^\/rooms\/[^/]+\/members\/?$/.test(req.path));
    next(entering && deps.stopping() ? new ApiError('server-restarting') : undefined);
  });
  const checkPasscode = createPasscodeCheck(config.teacherPasscode);
  const streamQuota = new StreamQuota(config.streamsPerAddress);
  /** Opens an event stream within the caller's address's quota. */
  const openStream = (req: Request, res: Response): SseStream => {
    const release = streamQuota.admit(address(req));
    if (!release) throw new ApiError('too-many-streams');
    const stream = openEventStream(req, res);
    stream.onClose(release);
    return stream;
  };
  /** The lobby shows rooms only to those who gave the passcode, when there is one. */
  const lobbyPasscode = (req: Request) =>
    checkPasscode(address(req), typeof req.query.passcode === 'string' ? req.query.passcode : undefined);
  // Room creations per address per hour; refused creations (passcode, validation) do not count.
  const creationLimit: express.RequestHandler =
    config.roomCreationsPerHour > 0
      ? rateLimit({
          windowMs: 3_600_000,
          limit: config.roomCreationsPerHour,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          skipFailedRequests: true,
          handler: (_req, _res, next) =>
            next(
              new ApiError(
                'rate-limited',
                `Your address has created ${config.roomCreationsPerHour} rooms in the last hour; reuse an open room, or wait and try again.`,
              ),
            ),
        })
      : (_req, _res, next) => next();

  api.get('/health', (_req, res) => {
    let members = 0;
    for (const room of store.state.rooms.values()) members += room.members.length;
    const body: HealthResponse = {
      status: deps.stopping() ? 'stopping' : 'ok',
      version: deps.version,
      uptimeS: Math.round((Date.now() - deps.startedAt) / 1000),
      rooms: store.state.rooms.size,
      members,
      relay: !deps.relayOn ? 'off' : deps.relayUp() ? 'up' : 'down',
      store: deps.storeHealth(),
    };
    res.status(body.status === 'ok' ? 200 : 503).json(body);
  });

  api.get('/config', (req, res) => {
    const body: ClientConfig = {
      version: deps.version,
      iceServers: iceServersFor(config, { hostname: req.hostname, stunPort: deps.stunPort() }, null),
      relayMode: config.relay.mode,
      passcodeRequired: config.teacherPasscode !== null,
      limits: {
        maxMembersPerRoom: config.maxMembersPerRoom,
        nameMaxLength: NAME_MAX_LENGTH,
        roomNameMaxLength: ROOM_NAME_MAX_LENGTH,
        reconnectGraceS: config.reconnectGraceS,
      },
      peer: { path: PEER_PATH, key: PEER_KEY },
    };
    res.json(body);
  });

  api.get('/rooms', (req, res) => {
    lobbyPasscode(req);
    res.json({ rooms: listedRooms(store.state) });
  });

  api.get('/lobby/events', (req, res) => {
    lobbyPasscode(req);
    lobbyStreams.attach(store.state, openStream(req, res));
  });

  api.post('/rooms', creationLimit, (req, res) => {
    const { passcode, ...input } = parseBody(createRoomBody, req.body);
    checkPasscode(address(req), passcode);
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

  api.post('/rooms/:code/members', (req, res) => {
    const input = parseBody(joinRoomBody, req.body);
    const code = String(req.params.code);
    const { room, member, token } = succeed(store.run((state, ctx) => joinRoom(state, { ...input, code }, ctx)));
    const body: JoinRoomResponse = { room: roomView(room, member), member: ownMember(member, token) };
    res.status(201).json(body);
  });

  api.get('/rooms/:code', (req, res) => {
    const { room, member } = seat(req, bearerToken(req));
    res.json({ room: roomView(room, member) });
  });

  api.get('/rooms/:code/ice-servers', (req, res) => {
    const { member } = seat(req, bearerToken(req));
    const request = { hostname: req.hostname, stunPort: deps.stunPort() };
    const body: IceServersResponse = {
      iceServers: iceServersFor(config, request, { id: member.id, nowMs: store.now() }),
    };
    res.json(body);
  });

  api.get('/rooms/:code/events', (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const { room, member } = seat(req, token);
    roomStreams.attach(room, member.id, openStream(req, res));
  });

  api.delete('/rooms/:code/members/me', (req, res) => {
    const { room, member } = seat(req, bearerToken(req));
    succeed(store.run((state, ctx) => leaveRoom(state, { code: room.code, memberId: member.id }, ctx)));
    res.status(204).end();
  });

  api.put('/rooms/:code/members/me/share', (req, res) => {
    const { room, member } = seat(req, bearerToken(req));
    const { sharing } = parseBody(shareBody, req.body);
    succeed(store.run((state, ctx) => setSharing(state, { code: room.code, memberId: member.id, sharing }, ctx)));
    res.json({ sharing });
  });

  api.post('/rooms/:code/connection-failures', (req, res) => {
    const { room, member } = seat(req, bearerToken(req));
    const { with: other } = parseBody(connectionFailureBody, req.body);
    const input = { code: room.code, memberId: member.id, with: other };
    const outcome = store.run((state, ctx) => reportConnectionFailure(state, input, ctx));
    if (!outcome.ok && (outcome.error === 'wrong-role' || outcome.error === 'invalid-target')) {
      const message = 'Screens travel between a student and a supervisor: name a member of the other role, or "relay".';
      throw new ApiError(outcome.error, message, 'with');
    }
    res.status(202).json({ counted: succeed(outcome) });
  });

  api.delete('/rooms/:code/members/:id', (req, res) => {
    const { room, member } = seat(req, bearerToken(req));
    const input = { code: room.code, actorId: member.id, memberId: String(req.params.id) };
    succeed(store.run((state, ctx) => kickMember(state, input, ctx)));
    res.status(204).end();
  });

  api.post('/rooms/:code/host', (req, res) => {
    const { room, member } = seat(req, bearerToken(req));
    const { memberId } = parseBody(transferHostBody, req.body);
    const next = succeed(store.run((state) => transferHost(state, { code: room.code, actorId: member.id, memberId })));
    res.json({ room: roomView(next, member) });
  });

  api.delete('/rooms/:code', (req, res) => {
    const { room, member } = seat(req, bearerToken(req));
    succeed(store.run((state) => terminateRoom(state, { code: room.code, actorId: member.id })));
    res.status(204).end();
  });

  api.use((req, _res, next) =>
    next(new ApiError('not-found', `No such endpoint: ${req.method} /api${req.path}; see docs/api.md.`)),
  );

  api.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) deps.onError(error, req);
    if (res.headersSent) return res.end();
    res.status(apiError.status).json(apiError.toBody());
  });

  /**
   * The caller's seat in the room named by the URL, or a 401. An unknown room answers exactly like a
   * wrong token, so these routes cannot be used to find out which codes are open.
   */
  function seat(req: Request, token: string): Seat {
    const outcome = authenticate(store.state, String(req.params.code), token);
    if (!outcome.ok && outcome.error === 'room-not-found') throw new ApiError('unauthorized');
    return succeed(outcome);
  }

  return api;
}

/** The client's address: the socket's, or with TRUST_PROXY the one the proxy saw (express's `req.ip`). */
function address(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function ownMember(member: Member, token: string): OwnMember {
  return { id: member.id, role: member.role, name: member.name, peerId: member.peerId, token };
}

function bearerToken(req: Request): string {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1] ?? '';
}

function succeed<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new ApiError(outcome.error);
  return outcome.value;
}

/** Body-parser failures carry a `type`; anything unknown is a 500. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return new ApiError('invalid-json');
  if (type === 'entity.too.large') return new ApiError('body-too-large');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new ApiError('invalid-request', 'Send the body as UTF-8 JSON without Content-Encoding.');
  }
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError('invalid-request', 'The request could not be read; send a small UTF-8 JSON body.');
  }
  return new ApiError('internal-error');
}
