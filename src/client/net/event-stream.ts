/**
 * Follows a server event stream. EventSource reconnects by itself after a dropped connection, but
 * gives up for good when a reconnection is answered with an error (a proxy's 502, say); then we
 * open a new one with backoff. Every (re)connection starts with a snapshot, so the caller just
 * applies messages in order.
 */

/** Whether the stream is delivering: connecting (first time), live, or reconnecting after a drop. */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

const MAX_BACKOFF_MS = 15_000;

/**
 * A followed stream: call it to close it; `reconnectNow` opens it again at once while it is
 * reconnecting (the server is known to be back), instead of waiting for EventSource's next retry.
 */
export type EventFollow = (() => void) & { reconnectNow(): void };

/** Opens `url` and calls back for each message and status change; returns what closes it. */
export function followEvents<T>(
  url: string,
  onMessage: (message: T) => void,
  onStatus: (status: StreamStatus) => void,
): EventFollow {
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let backoffMs = 1000;
  let stopped = false;
  let live = false;

  const open = () => {
    source = new EventSource(url);
    source.onmessage = (event: MessageEvent<string>) => onMessage(JSON.parse(event.data) as T);
    source.onopen = () => {
      backoffMs = 1000;
      live = true;
      onStatus('live');
    };
    source.onerror = () => {
      live = false;
      onStatus('reconnecting');
      if (source?.readyState !== EventSource.CLOSED || stopped) return;
      retry = setTimeout(open, backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    };
  };

  onStatus('connecting');
  open();
  const stop = () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
  return Object.assign(stop, {
    reconnectNow() {
      if (stopped || live) return;
      clearTimeout(retry);
      source?.close();
      open();
    },
  });
}
