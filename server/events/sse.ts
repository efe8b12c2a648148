/**
 * A Server-Sent Events response: JSON messages, a heartbeat so proxies keep the stream open, and a
 * reconnect delay for the browser's EventSource. Knows nothing of rooms.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An open event stream to one client. */
export interface SseStream {
  /** Sends one message; its JSON is the `data:` of an unnamed event. */
  send(message: unknown): void;
  /** Ends the stream from our side. */
  close(): void;
  /** Runs once when the stream ends, from either side. */
  onClose(callback: () => void): void;
}

/** How often a comment line is sent so idle streams are not cut by proxies. */
const HEARTBEAT_MS = 15_000;
/** What EventSource waits before reconnecting after a drop. */
const RETRY_MS = 2_000;

/** Turns a request into an event stream. */
export function openEventStream(req: IncomingMessage, res: ServerResponse): SseStream {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers responses unless told not to.
    'X-Accel-Buffering': 'no',
  });
  res.write(`retry: ${RETRY_MS}\n\n`);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();

  const callbacks: (() => void)[] = [];
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const callback of callbacks) callback();
  };
  req.on('close', finish);
  res.on('close', finish);

  return {
    send(message) {
      if (!closed) res.write(`data: ${JSON.stringify(message)}\n\n`);
    },
    close() {
      res.end();
      finish();
    },
    onClose(callback) {
      if (closed) callback();
      else callbacks.push(callback);
    },
  };
}
