/**
 * Entry point of `npm run relay`: a relay node on another machine. It opens the app server's control
 * websocket with the shared RELAY_NODE_SECRET, says what it is, registers with PeerServer under the
 * identity it is given, and relays the rooms placed on it. A refused secret stops it with the
 * server's reason; a lost connection closes its calls and connects again. On SIGTERM or SIGINT it
 * says it is leaving and keeps forwarding for LINGER_MS while its rooms move (a second signal: now).
 */
import { existsSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import WebSocket from 'ws';
import { ConfigError, loadConfig, relayNodeSettings, type Config } from '../../config.ts';
import { runRelay, type RunningRelay } from '../worker/run-relay.ts';
import { LINGER_MS, RELAY_NODE_PATH, parseJson, type FromRelayNode, type ToRelayNode } from '../messages.ts';

const MAX_BACKOFF_MS = 5000;
/** After saying it leaves, the node forwards this long (the server keeps lingering rooms as long), then stops. */
const LEAVE_AFTER_MS = LINGER_MS + 1000;

let dir = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
if (existsSync(join(dir, '.env'))) process.loadEnvFile(join(dir, '.env'));

/** The configuration, or the process ends with every problem listed. */
function configured(): { config: Config; serverUrl: string; secret: string } {
  try {
    const config = loadConfig(process.env);
    return { config, ...relayNodeSettings(config) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
const { config, serverUrl, secret } = configured();
const log = pino({ level: config.logLevel });
const portRange: [number, number] | null = config.relay.portRange ? [...config.relay.portRange] : null;
const wsBase = serverUrl.replace(/^http/, 'ws');
const hello: FromRelayNode = {
  type: 'hello',
  name: hostname(),
  cores: availableParallelism(),
  portRange,
};

let socket: WebSocket | null = null;
/** The relay of the current connection (it starts its own STUN responder first, hence a promise). */
let relay: Promise<RunningRelay> | null = null;
let leaving = false;
let backoffMs = 250;

const send = (message: FromRelayNode) => {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
};

function connect(): void {
  const ws = new WebSocket(`${wsBase}${RELAY_NODE_PATH}`, { headers: { authorization: `Bearer ${secret}` } });
  socket = ws;
  ws.on('open', () => {
    backoffMs = 250;
    log.info({ serverUrl }, 'connected to the app server');
    send(hello);
  });
  ws.on('message', (data) => {
    const message = parseJson(String(data)) as ToRelayNode | undefined;
    if (message === undefined) return;
    if (message.type === 'welcome') {
      void relay?.then((r) => r.close());
      relay = runRelay({
        peerUrl: `${wsBase}${message.peerPath}`,
        announcedIps: [...config.relay.announcedIps],
        portRange,
        verifyTls: true,
        tell: (m) => {
          if (m.type === 'ready') log.info({ peerId: message.peerId }, 'relay node is up: registered with PeerServer');
          send(m);
        },
      });
    } else {
      void relay?.then((r) => r.receive(message));
    }
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
      if (res.statusCode === 401 || res.statusCode === 403) {
        log.fatal({ status: res.statusCode }, reason);
        console.error(reason);
        process.exit(1);
      }
      log.warn({ status: res.statusCode }, reason);
      ws.terminate();
    });
  });
  ws.on('error', (err) => log.warn({ err: err.message, serverUrl }, 'cannot reach the app server; trying again'));
  ws.on('close', () => {
    if (socket !== ws) return;
    socket = null;
    const closed = relay?.then((r) => r.close());
    relay = null;
    if (leaving) return void Promise.resolve(closed).then(() => process.exit(0));
    setTimeout(connect, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (leaving || !relay) process.exit(0);
    leaving = true;
    log.info(
      { forS: LEAVE_AFTER_MS / 1000 },
      'leaving: the app server places the rooms elsewhere while this node forwards them',
    );
    send({ type: 'leaving' });
    setTimeout(async () => {
      (await relay)?.close();
      socket?.close(1000, 'relay node left');
      process.exit(0);
    }, LEAVE_AFTER_MS);
  });
}

connect();
