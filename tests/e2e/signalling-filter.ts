/**
 * A proxy in front of the server for one browser, as if its network could not reach certain peers,
 * or reached them slowly: HTTP and PeerServer messages pass, except the ICE candidates exchanged
 * with peers the test names — dropped (and stripped from offers and answers), so those media
 * connections never come up, or held back, so they come up late — while every other one is as usual.
 */
import { createServer, request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';

/** A running filter. */
export interface SignallingFilter {
  /** Base URL that reaches the server through the filter. */
  url: string;
  /** Peer ids this browser can no longer reach (nor be reached by). */
  unreachable: Set<string>;
  /**
   * Peer ids whose candidates and answers (both ways) arrive `slowMs` late: a call with them comes up
   * that much later, also with the relay, whose answer carries its candidates.
   */
  slow: Set<string>;
  slowMs: number;
  /** How long the PeerServer socket takes to open (a slow network at the start). */
  upgradeDelayMs: number;
  close(): Promise<void>;
}

interface PeerMessage {
  type?: string;
  src?: string;
  dst?: string;
  payload?: { sdp?: { sdp?: string } };
}

/** Starts a filter on a free loopback port forwarding to the server at `targetPort`. */
export async function startSignallingFilter(targetPort: number): Promise<SignallingFilter> {
  const unreachable = new Set<string>();
  const slow = new Set<string>();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });

  /** Passes a message on now, later, or (null) never. */
  const filter = (raw: string): { message: string; delayMs: number } | null => {
    const message = JSON.parse(raw) as PeerMessage;
    // From the browser a message names its destination; from the server, its source too.
    const involves = (set: Set<string>) => [message.src, message.dst].some((p) => p !== undefined && set.has(p));
    if ((message.type === 'CANDIDATE' || message.type === 'ANSWER') && involves(slow))
      return { message: raw, delayMs: result.slowMs };
    if (!involves(unreachable)) return { message: raw, delayMs: 0 };
    if (message.type === 'CANDIDATE') return null;
    const sdp = message.payload?.sdp;
    if (typeof sdp?.sdp === 'string') sdp.sdp = sdp.sdp.replace(/^a=candidate:.*\r?\n/gm, '');
    return { message: JSON.stringify(message), delayMs: 0 };
  };
  const pass = (data: unknown, to: WebSocket) => {
    const passed = filter(String(data));
    if (!passed) return;
    if (passed.delayMs === 0) to.send(passed.message);
    else setTimeout(() => to.readyState === WebSocket.OPEN && to.send(passed.message), passed.delayMs);
  };

  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, path: req.url, method: req.method, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
    setTimeout(() => upgrade(req, socket, head), result.upgradeDelayMs),
  );
  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const upstream = new WebSocket(`ws://127.0.0.1:${targetPort}${req.url}`);
    upstream.once('unexpected-response', (_r, reply) => {
      socket.end(`HTTP/1.1 ${reply.statusCode} Refused\r\n\r\n`);
      upstream.terminate();
    });
    upstream.once('error', () => socket.destroy());
    upstream.once('open', () => {
      wss.handleUpgrade(req, socket, head, (client) => {
        for (const ws of [client, upstream]) {
          sockets.add(ws);
          ws.on('close', () => {
            sockets.delete(ws);
            client.close();
            upstream.close();
          });
          ws.on('error', () => undefined);
        }
        client.on('message', (data) => pass(data, upstream));
        upstream.on('message', (data) => pass(data, client));
      });
    });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const result: SignallingFilter = {
    url: `http://127.0.0.1:${port}`,
    unreachable,
    slow,
    slowMs: 3000,
    upgradeDelayMs: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return result;
}
