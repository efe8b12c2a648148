/**
 * A Server-Sent Events response: JSON messages, a heartbeat so proxies keep the stream open, and a
 * reconnect delay for the browser's EventSource. A client that stops reading is cut off once its
 * unsent data passes a bound (it reconnects and starts again from a snapshot); the snapshot itself
 * does not count against that bound until the client has taken it. Knows nothing of rooms.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An open event stream to one client. */
export interface SseStream {
  /**
   * Sends the state the client starts from. However large, it does not count against the unread
   * bound until the client has taken it: a fresh stream of a full room must not be cut.
   */
  sendSnapshot(message: unknown): void;
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
/** How long a stream we end may take to flush what is left before it is cut. */
const CLOSE_FLUSH_MS = 5_000;
/** Unsent data (beyond what the kernel holds) at which a stream is cut: a reader that stopped reading. */
export const MAX_UNSENT_BYTES = 256 * 1024;

/** Turns a request into an event stream; a HEAD request gets the headers and an ended stream. */
export function openEventStream(
  req: IncomingMessage,
  res: ServerResponse,
  maxUnsentBytes: number = MAX_UNSENT_BYTES,
): SseStream {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers responses unless told not to.
    'X-Accel-Buffering': 'no',
  });
  const callbacks: (() => void)[] = [];
  let closed = req.method === 'HEAD';
  if (closed) {
    res.end();
    return { sendSnapshot() {}, send() {}, close() {}, onClose: (callback) => callback() };
  }
  // The first ping is HEARTBEAT_MS away, after `write` below exists.
  const heartbeat = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const callback of callbacks) callback();
  };
  req.on('close', finish);
  res.on('close', finish);
  /** The snapshot's bytes while any of it may still be unsent: they do not count as left unread. */
  let snapshotBytes = 0;
  /** Writes, or cuts the stream when the reader has left too much unread. */
  const write = (text: string) => {
    if (closed) return;
    res.write(text);
    if (res.writableLength - snapshotBytes > maxUnsentBytes) {
      // destroy, not end: end would wait to flush what the reader is not reading.
      res.destroy();
      finish();
    }
  };
  write(`retry: ${RETRY_MS}\n\n`);

  const data = (message: unknown) => `data: ${JSON.stringify(message)}\n\n`;

  return {
    sendSnapshot(message) {
      if (closed) return;
      const text = data(message);
      snapshotBytes = Buffer.byteLength(text);
      write(text);
      if (res.writableLength === 0) snapshotBytes = 0;
      else res.once('drain', () => (snapshotBytes = 0));
    },
    send(message) {
      if (!closed) write(data(message));
    },
    close() {
      res.end();
      // A reader that stopped reading would hold the rest in memory; it has a moment to take it.
      if (res.writableLength > 0) setTimeout(() => res.destroy(), CLOSE_FLUSH_MS).unref();
      finish();
    },
    onClose(callback) {
      if (closed) callback();
      else callbacks.push(callback);
    },
  };
}
