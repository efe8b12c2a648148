/**
 * When the relay gives up on a call that is coming up, and how many come up at once. On a busy
 * machine thirty handshakes at once all finish late, together; given up on by a fixed deadline,
 * they were all placed again and the class waited through several rounds. A call is now given up
 * only when it stops advancing, so a class's calls can all come up at once: the relay's own share
 * of a handshake is small (werift's key exchange is a few ms of one core; its whole set-up of 30
 * calls about 2 s of CPU), and the time goes in waits on the viewers' side, which a queue only
 * lines up one after another. No werift here: the timers are given.
 */

/** The timers a watchdog uses: the real ones, or a test's. */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

/** The real timers. */
export const realTimers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/** How long a call coming up may go without a step forward before it is given up. */
export const STALL_MS = 10_000;
/** How long a call may take to come up, however it advances (a handshake that loops forever). */
export const CONNECT_CAP_MS = 30_000;
/**
 * Calls to viewers whose handshakes run at once in one relay; the others wait their turn. More than
 * a class: with 10, a class of 30 came up in three rounds, each as long as the slowest handshake in it.
 */
export const HANDSHAKES_AT_ONCE = 40;

/**
 * A call coming up is given up when it has gone `stallMs` without a step forward (the viewer's
 * answer, a candidate, a change of ICE or connection state, a DTLS record from the viewer) or,
 * however it advances, after `capMs`: a slow handshake on a busy core is waited for, a dead one is not.
 */
export class ConnectWatchdog {
  #stall: unknown;
  readonly #cap: unknown;
  #done = false;

  constructor(
    private readonly giveUp: () => void,
    private readonly timers: Timers = realTimers,
    private readonly stallMs = STALL_MS,
    capMs = CONNECT_CAP_MS,
  ) {
    this.#stall = timers.setTimeout(() => this.#expire(), stallMs);
    this.#cap = timers.setTimeout(() => this.#expire(), capMs);
  }

  /** The call took a step forward: it has `stallMs` again for the next. */
  progressed(): void {
    if (this.#done) return;
    this.timers.clearTimeout(this.#stall);
    this.#stall = this.timers.setTimeout(() => this.#expire(), this.stallMs);
  }

  /** The call came up, or ended otherwise: no more giving up. */
  stop(): void {
    if (this.#done) return;
    this.#done = true;
    this.timers.clearTimeout(this.#stall);
    this.timers.clearTimeout(this.#cap);
  }

  #expire(): void {
    if (this.#done) return;
    this.stop();
    this.giveUp();
  }
}

/** A call waiting for its turn to come up. */
export interface Handshake {
  /** Calls of this pair that failed before this one: a pair that keeps failing waits behind fresh ones. */
  readonly retries: number;
  /** Its turn came: place the call. */
  start(): void;
}

/**
 * At most `limit` handshakes at once; the others wait, fresh calls before retries and otherwise in
 * the order they came: a bound for many classes starting at once, not a pace for one.
 */
export class HandshakeQueue<H extends Handshake> {
  readonly #running = new Set<H>();
  readonly #waiting: H[] = [];

  constructor(private readonly limit = HANDSHAKES_AT_ONCE) {}

  /** Handshakes running, and waiting. */
  get sizes(): { running: number; waiting: number } {
    return { running: this.#running.size, waiting: this.#waiting.length };
  }

  /** `handshake` wants to run: at once if a place is free, else when its turn comes. */
  add(handshake: H): void {
    // After the last with as few retries: fresh calls stay in order, ahead of every retry.
    const at = this.#waiting.findIndex((h) => h.retries > handshake.retries);
    if (at < 0) this.#waiting.push(handshake);
    else this.#waiting.splice(at, 0, handshake);
    this.#next();
  }

  /** `handshake` is over (came up, failed, or was hung up while waiting or running): its place goes to the next. */
  done(handshake: H): void {
    const at = this.#waiting.indexOf(handshake);
    if (at >= 0) this.#waiting.splice(at, 1);
    if (this.#running.delete(handshake)) this.#next();
  }

  /** Forgets every handshake, waiting or running (the relay closes). */
  clear(): void {
    this.#waiting.length = 0;
    this.#running.clear();
  }

  #next(): void {
    while (this.#running.size < this.limit && this.#waiting.length > 0) {
      const handshake = this.#waiting.shift()!;
      this.#running.add(handshake);
      handshake.start();
    }
  }
}
