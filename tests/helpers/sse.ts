/** Reads a Server-Sent Events stream the way EventSource would, keeping every message for assertions. */

export interface EventReader<T> {
  /** Every message received so far. */
  readonly received: T[];
  /** Resolves with the first message (already received or still to come) that matches. */
  next(match: (message: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens `url`; rejects with the HTTP status and body when the server refuses the stream. */
export async function openEvents<T extends { type: string }>(url: string): Promise<EventReader<T>> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
  if (res.status !== 200 || !res.body) {
    throw Object.assign(new Error(`stream refused: ${res.status}`), { status: res.status, body: await res.json() });
  }
  const received: T[] = [];
  const waiters = new Set<() => void>();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (data) {
            received.push(JSON.parse(data) as T);
            for (const wake of [...waiters]) wake();
          }
        }
      }
    } catch {
      // Aborted by close().
    }
    for (const wake of [...waiters]) wake();
  })();
  let isEnded = false;
  void ended.then(() => (isEnded = true));

  return {
    received,
    ended,
    close: () => controller.abort(),
    next(match, timeoutMs = 5000) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = received.find(match);
          if (found) {
            cleanup();
            resolve(found);
          } else if (isEnded) {
            cleanup();
            reject(
              new Error(`stream ended without a matching message; got ${JSON.stringify(received.map((m) => m.type))}`),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(received)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        void ended.then(check);
        check();
      });
    },
  };
}
