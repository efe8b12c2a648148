/**
 * Keeps a warning that outsiders can trigger at will (a refused upgrade) to one line per key (an
 * address) per interval, with the count of what it stood for. Holds no logger: it calls `write`.
 */

/**
 * What `write` is told: the key, how many warnings the line stands for (1 for the first), and the
 * first one's details (none on a line that counts the rest).
 */
export type ThrottledWrite = (key: string, count: number, details?: Readonly<Record<string, unknown>>) => void;

/** Keys remembered at once; past it, further keys share one line (a flood from many addresses). */
export const MAX_THROTTLED_KEYS = 1000;
/** The key under which warnings are counted once MAX_THROTTLED_KEYS keys are already held. */
export const OTHER_KEYS = 'other addresses';

/**
 * One line per key per interval: the first at once, the rest counted and written when the interval
 * ends. A timer runs only while a key is held, and never keeps the process alive.
 */
export class WarnThrottle {
  readonly #held = new Map<string, { since: number; suppressed: number }>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly write: ThrottledWrite,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes one warning under `key`: written now (with `details`) if the key has had none this interval, else counted. */
  warn(key: string, details?: Readonly<Record<string, unknown>>): void {
    this.flush();
    const held = this.#held.has(key) || this.#held.size < MAX_THROTTLED_KEYS ? key : OTHER_KEYS;
    const entry = this.#held.get(held);
    if (entry) {
      entry.suppressed++;
      return;
    }
    this.#held.set(held, { since: this.now(), suppressed: 0 });
    this.write(held, 1, details);
    if (!this.#timer) {
      this.#timer = setInterval(() => this.flush(), this.intervalMs);
      this.#timer.unref();
    }
  }

  /** Writes the count of each key whose interval has ended, and forgets it. */
  flush(): void {
    const now = this.now();
    // Keys are held in the order their intervals began, so the first one still running ends the pass.
    for (const [key, entry] of this.#held) {
      if (now - entry.since < this.intervalMs) break;
      this.#held.delete(key);
      if (entry.suppressed > 0) this.write(key, entry.suppressed);
    }
    if (this.#held.size === 0) this.close();
  }

  /** Stops the timer; what is still counted is not written. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
