/**
 * A relay's end of the control websocket to the app server, shared by local workers (worker/main.ts)
 * and relay nodes (node/main.ts): says hello, runs the relay under the identity it is welcomed with
 * and passes the rooms on. When the app server goes away the relay keeps its calls forwarding and
 * connects again with backoff, naming the identity it still forwards under (a node's hello says it
 * as `previous`); welcomed back under that identity, it carries on with those calls.
 */
import WebSocket from 'ws';
import { runRelay, type RunningRelay } from './run-relay.ts';
import {
  LINGER_MS,
  NOT_ADOPTED_CLOSE_CODE,
  ORPHAN_MS,
  RELAY_NODE_PATH,
  parseJson,
  type FromRelayNode,
  type RelayHello,
  type RelayIdentity,
  type ToRelayNode,
} from '../messages.ts';

/** The first retry comes this soon after the app server went away, doubling up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 250;
/** A restart takes seconds: trying every second finds the new process soon after it listens. */
const MAX_BACKOFF_MS = 1000;

/** The parts of the logger the link uses. */
interface LinkLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The control link, as its process uses it. */
export interface ControlLink {
  /** Sends to the app server; dropped while disconnected. */
  send(message: FromRelayNode): void;
  /** Hangs up every call, and then the control websocket, for good. */
  close(): Promise<void>;
}

/** Connects to the app server at `serverUrl` (http(s) or ws(s)) with `secret`, and keeps connecting. */
export function connectControl(options: {
  serverUrl: string;
  secret: string;
  /**
   * Its hello on each connection, given the identity whose calls it still forwards (null before its
   * first welcome, and once it hung up): a node names it so a restarted server can take it back.
   */
  hello: (previous: RelayIdentity | null) => RelayHello;
  relay: { announcedIps: string[]; portRange: [number, number] | null; verifyTls: boolean };
  log: LinkLog;
  /** The app server refused the secret or the relay (401 or 403): final, with its reason. */
  refused: (reason: string, status: number) => void;
  /** A local worker the app server does not adopt (another process has its identity now). */
  notAdopted: () => void;
  /** ORPHAN_MS without the app server: every call is closed; it still tries to connect. */
  orphaned: () => void;
}): ControlLink {
  const { log } = options;
  const wsBase = options.serverUrl.replace(/^http/, 'ws');
  let socket: WebSocket | null = null;
  /** The running relay (it starts its own STUN responder first, hence a promise) and its identity. */
  let relay: Promise<RunningRelay> | null = null;
  let identity: RelayIdentity | null = null;
  let orphanTimer: ReturnType<typeof setTimeout> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let backoffMs = FIRST_BACKOFF_MS;
  let closed = false;
  /** Whether this outage was logged: a restart means a second of refused connections, not a line each. */
  let unreachableLogged = false;

  const send = (message: FromRelayNode) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  /** The relay's calls end: out of time alone, or for good. */
  const hangUp = async () => {
    const ending = relay;
    relay = null;
    identity = null;
    await ending?.then((r) => r.close());
  };

  const welcomed = (message: Extract<ToRelayNode, { type: 'welcome' }>) => {
    clearTimeout(orphanTimer);
    orphanTimer = undefined;
    const peerUrl = `${wsBase}${message.peerPath}`;
    if (relay && identity?.peerId === message.peerId) {
      // Welcomed back under its identity: the calls it kept are the rooms' calls still.
      log.info({ peerId: message.peerId }, 'the app server took this relay back; its calls carry on');
      void relay.then((r) => r.rejoin(peerUrl));
      return;
    }
    if (relay) {
      // A new identity (a node the server did not take back): its rooms move to it or elsewhere, so
      // the old calls forward while the new ones come up, as a leaving node's do.
      const old = relay;
      setTimeout(() => void old.then((r) => r.close()), LINGER_MS);
    }
    identity = { peerId: message.peerId, token: message.token };
    relay = runRelay({
      peerUrl,
      ...options.relay,
      tell: (m) => {
        if (m.type === 'ready') log.info({ peerId: message.peerId }, 'relay node is up: registered with PeerServer');
        send(m);
      },
    });
  };

  const connect = () => {
    if (closed) return;
    const ws = new WebSocket(`${wsBase}${RELAY_NODE_PATH}`, {
      headers: { authorization: `Bearer ${options.secret}` },
      rejectUnauthorized: options.relay.verifyTls,
    });
    socket = ws;
    ws.on('open', () => {
      backoffMs = FIRST_BACKOFF_MS;
      unreachableLogged = false;
      log.info({ serverUrl: options.serverUrl }, 'connected to the app server');
      send(options.hello(relay ? identity : null));
    });
    ws.on('message', (data) => {
      const message = parseJson(String(data)) as ToRelayNode | undefined;
      if (message === undefined) return;
      if (message.type === 'welcome') welcomed(message);
      else void relay?.then((r) => r.receive(message));
    });
    // A refusal is final: the operator must change the configuration. Anything else is tried again.
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () => {
        let reason = `the app server answered HTTP ${res.statusCode}`;
        try {
          reason = (JSON.parse(body) as { message: string }).message;
        } catch {
          // Not our server's answer (a proxy's page): the status says enough.
        }
        if (res.statusCode === 401 || res.statusCode === 403) return options.refused(reason, res.statusCode);
        log.warn({ status: res.statusCode }, reason);
        ws.terminate();
      });
    });
    ws.on('error', (err) => {
      if (unreachableLogged) return;
      unreachableLogged = true;
      log.warn({ err: err.message, serverUrl: options.serverUrl }, 'cannot reach the app server; trying again');
    });
    ws.on('close', (code) => {
      if (socket !== ws) return;
      socket = null;
      if (closed) return;
      if (code === NOT_ADOPTED_CLOSE_CODE) return options.notAdopted();
      if (relay && orphanTimer === undefined) {
        // The app server is away (a restart, a crash): browsers' calls to this relay do not need it.
        log.warn({ forS: ORPHAN_MS / 1000 }, 'lost the app server; forwarding on while connecting again');
        void relay.then((r) => r.detach());
        orphanTimer = setTimeout(() => {
          log.warn({}, 'the app server did not come back; hanging up every call');
          void hangUp().then(options.orphaned);
        }, ORPHAN_MS);
      }
      retry = setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    });
  };
  connect();

  return {
    send,
    async close() {
      closed = true;
      clearTimeout(retry);
      clearTimeout(orphanTimer);
      await hangUp();
      socket?.close(1000, 'relay stopped');
    },
  };
}
