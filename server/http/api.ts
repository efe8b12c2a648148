/**
 * The `/api` router as a page that mounts its parts: the JSON body parser, one router per resource
 * (routes/, each route with its limits from `requestLimits`), the 404 and the error renderer. No
 * route and no room rule here.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SignIn } from '../auth/sign-in.ts';
import type { Config } from '../config.ts';
import type { LobbyStreams } from '../events/lobby-streams.ts';
import type { RoomStreams } from '../events/room-streams.ts';
import type { RoomStore } from '../room-store.ts';
import type { TabBoard } from '../tabs/tab-board.ts';
import { ApiError } from './errors.ts';
import { requestLimits } from './limits.ts';
import type { PasscodeGate } from './passcode.ts';
import { admissionRoutes } from './routes/admission.ts';
import { classLinkRoutes } from './routes/class-link.ts';
import { authRoutes } from './routes/auth.ts';
import { classRoutes, type ClassDeps } from './routes/classes.ts';
import { tabRoutes } from './routes/tabs.ts';
import { classroomRoutes } from './routes/classroom.ts';
import { memberRoutes } from './routes/members.ts';
import { metaRoutes, type MetaDeps } from './routes/meta.ts';
import { roomRoutes } from './routes/rooms.ts';

export { HAND_ACTIONS_PER_MIN, MESSAGE_ACTIONS_PER_MIN } from './routes/classroom.ts';

/** What the API needs from the rest of the server. */
export interface ApiDeps extends Omit<MetaDeps, 'store' | 'config' | 'limits'> {
  store: RoomStore;
  roomStreams: RoomStreams;
  lobbyStreams: LobbyStreams;
  config: MetaDeps['config'] &
    Pick<
      Config,
      | 'seatRateLimitPerMinute'
      | 'rateLimitPerMinute'
      | 'readRateLimitPerMinute'
      | 'streamsPerAddress'
      | 'roomCreationsPerHour'
    >;
  /** The teacher passcode's check. */
  passcode: PasscodeGate;
  /** Sign-in with the school's accounts (off without OIDC_ISSUER). */
  signIn: SignIn;
  onError: (error: unknown, req: Request) => void;
  /** The students' tabs their extensions report (issue #21). */
  tabs: TabBoard;
  /** The classes routes' own deps (the classes database, the lesson recorder). */
  classes: Pick<ClassDeps, 'db' | 'recorder'>;
}

/** Largest JSON body accepted. */
const MAX_BODY = '8kb';

/** Builds the `/api` router. */
export function createApi(deps: ApiDeps): express.Router {
  // Per seat for members, per address only for what needs no seat: a school is one address.
  const withLimits = { ...deps, limits: requestLimits(deps.config) };
  const api = express.Router();

  // Before the 8 KB parser: roster imports and tab reports parse their own, larger bodies.
  api.use(tabRoutes({ ...withLimits, tabs: deps.tabs }));
  api.use(classRoutes({ ...withLimits, ...deps.classes }));
  api.use(express.json({ limit: MAX_BODY }));
  api.use(classroomRoutes(withLimits));
  // While stopping, nobody new comes in; members already in keep working until the sockets close.
  api.use((req, _res, next) => {
    const entering =
      req.method === 'POST' && (req.path === '/rooms' || /^\/(rooms|join)\/[^/]+\/members\/?$/.test(req.path));
    next(entering && deps.stopping() ? new ApiError('server-restarting') : undefined);
  });
  api.use(metaRoutes(withLimits));
  api.use(classLinkRoutes({ ...withLimits, db: deps.classes.db }));
  api.use(admissionRoutes({ ...withLimits, db: deps.classes.db }));
  api.use(authRoutes(withLimits));
  api.use(roomRoutes(withLimits));
  api.use(memberRoutes(withLimits));
  api.use((req, _res, next) =>
    next(new ApiError('not-found', `No such endpoint: ${req.method} /api${req.path}; see docs/api.md.`)),
  );
  api.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) deps.onError(error, req);
    if (res.headersSent) return res.end();
    res.status(apiError.status).json(apiError.toBody());
  });
  return api;
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
