/** About the server rather than a room: health and the runtime settings the PWA reads. No room rule here. */
import express from 'express';
import type { ClientConfig, HealthResponse } from '../../../src/shared/protocol.ts';
import { NAME_MAX_LENGTH, ROOM_NAME_MAX_LENGTH } from '../../../src/shared/protocol.ts';
import type { Config } from '../../config.ts';
import { PEER_KEY, PEER_PATH } from '../../peer/peer-gate.ts';
import type { RoomStore } from '../../room-store.ts';
import { iceServersFor } from '../../turn/ice-servers.ts';
import type { RequestLimits } from '../limits.ts';

/** What the meta routes read. */
export interface MetaDeps {
  store: Pick<RoomStore, 'state'>;
  config: Pick<
    Config,
    | 'iceServers'
    | 'stunPort'
    | 'turn'
    | 'relay'
    | 'teacherPasscode'
    | 'maxMembersPerRoom'
    | 'reconnectGraceS'
    | 'signIn'
  >;
  version: string;
  startedAt: number;
  /** The port the STUN responder answers on, once it does (null when off or not bound). */
  stunPort: () => number | null;
  /** Whether relay workers run (RELAY_MODE is not off). */
  relayOn: boolean;
  /** Whether every relay worker is up right now (false while one starts or restarts; irrelevant when off). */
  relayUp: () => boolean;
  /** The companion extension's id (the app opens its channel to it), or null when it is not built. */
  extensionId: string | null;
  /** Whether the server is stopping for a restart. */
  stopping: () => boolean;
  /** Where room state is saved and whether saving works. */
  storeHealth: () => HealthResponse['store'];
  limits: Pick<RequestLimits, 'read'>;
}

/** The `/health` and `/config` router. */
export function metaRoutes(deps: MetaDeps): express.Router {
  const { store, config } = deps;
  const router = express.Router();

  // Never limited: a probe (the app's "can I reach the server?", a load balancer's) must not read a
  // classmate's flood as the server being down, and the answer costs less than counting it.
  router.get('/health', (_req, res) => {
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

  router.get('/config', deps.limits.read, (req, res) => {
    const body: ClientConfig = {
      version: deps.version,
      iceServers: iceServersFor(config, { hostname: req.hostname, stunPort: deps.stunPort() }, null),
      relayMode: config.relay.mode,
      passcodeRequired: config.teacherPasscode !== null,
      signIn: config.signIn !== null,
      limits: {
        maxMembersPerRoom: config.maxMembersPerRoom,
        nameMaxLength: NAME_MAX_LENGTH,
        roomNameMaxLength: ROOM_NAME_MAX_LENGTH,
        reconnectGraceS: config.reconnectGraceS,
      },
      peer: { path: PEER_PATH, key: PEER_KEY },
      extensionId: deps.extensionId,
    };
    res.json(body);
  });

  return router;
}
