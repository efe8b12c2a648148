/**
 * The one owner of websocket upgrades on the HTTP server: each path's WebSocketServer sees only its
 * own requests. (A `ws` server attached with `server:` answers 400 to every path but its own, so two
 * of them cannot share an HTTP server.) Any other path is answered 404 and closed. No routes here.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';

/** Routes upgrades by path to the websocket servers added. */
export class UpgradeRouter {
  readonly #routes = new Map<string, WebSocketServer>();

  constructor(server: HttpServer | HttpsServer) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://upgrade').pathname;
      const wss = this.#routes.get(path);
      if (!wss) {
        socket.on('error', () => undefined);
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    });
  }

  /** Hands upgrades for `path` (exactly) to `wss`, which must be made with `noServer: true`. */
  add(path: string, wss: WebSocketServer): void {
    this.#routes.set(path, wss);
  }
}
