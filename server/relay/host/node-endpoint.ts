/**
 * The control websocket of every relay: nodes on other machines (`npm run relay`) with the shared
 * RELAY_NODE_SECRET as a bearer token, and this server's local workers with their DATA_DIR's secret.
 * Reads their messages and hands each to the relay host, a node as one more relay, a worker to be
 * adopted as the one its hello names. A wrong or missing secret is refused at the upgrade, before any
 * message; nothing a relay sends can stop the server. No placement or routing here.
 */
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../../config.ts';
import { sameSecret } from '../../core/secrets.ts';
import type { UpgradeRouter } from '../../http/upgrades.ts';
import type { NodeLink, RelayHost } from './relay-host.ts';
import { NOT_ADOPTED_CLOSE_CODE, RELAY_NODE_PATH, parseFromRelayNode, type FromRelayNode } from '../messages.ts';
import { REFUSAL_LOG_INTERVAL_MS } from '../../peer/peer-gate.ts';
import { WarnThrottle } from '../../warn-throttle.ts';

/** A node must say hello this soon after connecting, or it is disconnected. */
const HELLO_TIMEOUT_MS = 10_000;
/** Control messages are small: a stats report, or a hello. Room lists flow the other way. */
const MAX_MESSAGE_BYTES = 16 * 1024;
/** Pings keep the connection alive through proxies, and find a node that vanished without closing. */
const PING_INTERVAL_MS = 10_000;

/** The parts of the logger the endpoint uses. */
interface NodesLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Why a node's connection was refused, with the text the node shows its operator. */
const REFUSALS = {
  /** The app server has no RELAY_NODE_SECRET. */
  off: {
    status: 403,
    message: 'This app server takes no relay nodes: set RELAY_NODE_SECRET on it (and the same on the node).',
  },
  /** The app server relays nothing (RELAY_MODE=off). */
  'relay-off': {
    status: 403,
    message: 'This app server has RELAY_MODE=off: it relays no screens, so it takes no relay nodes.',
  },
  /** No bearer token, or not the app server's secret. */
  'wrong-secret': {
    status: 401,
    message: 'The app server refused this relay node: its RELAY_NODE_SECRET differs. Set the same secret on both.',
  },
  /** The server listens but has not started its relays yet (a moment after start). */
  starting: { status: 503, message: 'The app server is still starting its relays; the node tries again.' },
} as const;

/**
 * Accepts relays on RELAY_NODE_PATH and passes each to `relay()` once it said hello: a node with the
 * shared secret, a local worker with `workerSecret`.
 */
export function acceptRelayNodes(deps: {
  config: Pick<Config, 'relay' | 'relayNode'>;
  upgrades: UpgradeRouter;
  relay: () => RelayHost | null;
  workerSecret: string;
  log: NodesLog;
}): { close(): void } {
  const { config, log } = deps;
  const secret = config.relayNode.secret;
  /** Upgrades that presented the local workers' secret. */
  const local = new WeakSet<IncomingMessage>();
  const refusal = (req: IncomingMessage): keyof typeof REFUSALS | null => {
    const bearer = req.headers.authorization ?? '';
    const isLocal = sameSecret(bearer, `Bearer ${deps.workerSecret}`);
    if (isLocal) local.add(req);
    else if (secret === null) return 'off';
    else if (!sameSecret(bearer, `Bearer ${secret}`)) return 'wrong-secret';
    if (config.relay.mode === 'off') return 'relay-off';
    if (!deps.relay()) return 'starting';
    return null;
  };
  // Anyone can knock: one line per address per interval, with a count, whatever the reason.
  const refusals = new WarnThrottle(REFUSAL_LOG_INTERVAL_MS, (remote, count, details) =>
    count === 1
      ? log.warn({ remote, ...details }, 'refused a relay node')
      : log.warn(
          { remote, count },
          `refused ${count} more relay node connections from this address since the last line`,
        ),
  );
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    verifyClient: ({ req }, accept) => {
      const why = refusal(req);
      if (why === null) return accept(true);
      // A worker that outlived the last process knocks as this one starts: expected, not a warning.
      if (!(why === 'starting' && local.has(req)))
        refusals.warn(req.socket.remoteAddress ?? 'unknown', { reason: why });
      const { status, message } = REFUSALS[why];
      accept(false, status, JSON.stringify({ error: why, message }), { 'Content-Type': 'application/json' });
    },
  });
  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const remote = req.socket.remoteAddress;
    let node: ReturnType<RelayHost['addNode']> | null = null;
    const isLocal = local.has(req);
    let alive = true;
    const helloTimer = setTimeout(() => socket.terminate(), HELLO_TIMEOUT_MS);
    const ping = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, PING_INTERVAL_MS);
    socket.on('pong', () => (alive = true));
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      const message: FromRelayNode | null = parseFromRelayNode(String(data));
      if (!message) return;
      if (node) return node.receive(message);
      const relay = deps.relay();
      if (message.type !== 'hello' || !relay) return;
      clearTimeout(helloTimer);
      const link: NodeLink = {
        hello: message,
        send: (m) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
        },
      };
      if (!isLocal) {
        node = relay.addNode(link);
        log.info({ remote, name: message.name }, 'relay node joined');
        return;
      }
      // A local worker is only ever the worker it says it is; any other claim is sent away.
      node = message.worker ? relay.adoptWorker(link) : null;
      if (!node) socket.close(NOT_ADOPTED_CLOSE_CODE, 'not a relay worker of this server');
    });
    socket.on('close', () => {
      clearTimeout(helloTimer);
      clearInterval(ping);
      node?.gone();
    });
  });
  deps.upgrades.add(RELAY_NODE_PATH, wss);
  return {
    close() {
      refusals.close();
      for (const socket of wss.clients) socket.close(1001, 'server stopping');
      wss.close();
    },
  };
}
