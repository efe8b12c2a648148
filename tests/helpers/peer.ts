/** A PeerServer client speaking the websocket protocol PeerJS uses, for checks below the browser. */
import WebSocket from 'ws';

/**
 * How often PeerJS sends HEARTBEAT (its `pingInterval`). PeerServer closes a socket that has sent
 * none for its alive timeout, so a client that never sends one is dropped however healthy it is.
 */
const HEARTBEAT_INTERVAL_MS = 5_000;

export interface PeerSocket {
  readonly ws: WebSocket;
  /** Messages received, parsed. */
  readonly messages: { type: string; src?: string; dst?: string; payload?: unknown }[];
  /** Resolves with the first message of this type. */
  waitFor(type: string, timeoutMs?: number): Promise<{ type: string; src?: string; payload?: unknown }>;
  /** Resolves with the close code once the socket has closed. */
  readonly closed: Promise<number>;
  send(message: object): void;
}

/** Resolves once the upgrade succeeded; rejects with the HTTP status if the server refused it. */
export function connectPeer(base: string, peerId: string, token: string): Promise<PeerSocket> {
  const url = `${base.replace(/^http/, 'ws')}/peerjs/peerjs?key=peerjs&id=${encodeURIComponent(peerId)}&token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url);
  const messages: PeerSocket['messages'] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    for (const l of [...listeners]) l();
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const heartbeat = setInterval(() => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'HEARTBEAT' }));
  }, HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();
  void closed.then(() => clearInterval(heartbeat));
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        messages,
        closed,
        send: (message) => ws.send(JSON.stringify(message)),
        waitFor: (type, timeoutMs = 5000) =>
          new Promise((res, rej) => {
            const check = () => {
              const found = messages.find((m) => m.type === type);
              if (!found) return;
              clearTimeout(timer);
              listeners.delete(check);
              res(found);
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              rej(new Error(`no ${type} within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
            }, timeoutMs);
            listeners.add(check);
            check();
          }),
      }),
    );
  });
}
