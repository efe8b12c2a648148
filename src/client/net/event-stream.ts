/**
 * Follows a server event stream. EventSource reconnects by itself after a dropped connection, but
 * gives up for good when a reconnection is answered with an error (a proxy's 502, say); then we
 * open a new one with backoff. Every (re)connection starts with a snapshot, so the caller just
 * applies messages in order.
 */

/** Whether the stream is delivering: connecting (first time), live, or reconnecting after a drop. */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

const MAX_BACKOFF_MS = 15_000;

/** Opens `url` and calls back for each message and status change; returns a function that closes it. */
export function followEvents<T>(
  url: string,
  onMessage: (message: T) => void,
  onStatus: (status: StreamStatus) => void,
): () => void {
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let backoffMs = 1000;
  let stopped = false;

  const open = () => {
    source = new EventSource(url);
    source.onmessage = (event: MessageEvent<string>) => onMessage(JSON.parse(event.data) as T);
    source.onopen = () => {
      backoffMs = 1000;
      onStatus('live');
    };
    source.onerror = () => {
      onStatus('reconnecting');
      if (source?.readyState !== EventSource.CLOSED || stopped) return;
      retry = setTimeout(open, backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    };
  };

  onStatus('connecting');
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    source?.close();
  };
}
