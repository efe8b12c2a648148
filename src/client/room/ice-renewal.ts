/**
 * Keeps a member's ICE servers fresh while their seat lasts: TURN credentials expire within minutes
 * (so one saved after leaving soon opens nothing), and new calls need valid ones. It holds no DOM
 * and no network of its own: the fetch and the clock are given, so it is unit-tested.
 */
import type { IceServer, IceServersResponse } from '../../shared/protocol.ts';

/** Fetches the member's ICE servers; resolves null when the seat is gone, rejects when the server could not say. */
export type FetchIceServers = () => Promise<IceServersResponse | null>;

/** Shortest wait before fetching again, so a server that keeps failing is not asked more than this often. */
export const RENEW_MIN_MS = 10_000;

/**
 * How long to wait, at `nowMs`, before fetching credentials that expire at `expiresAtMs` again:
 * half the time left, so a failed fetch leaves the other half for retries (each halving again) and
 * a late timer (a background tab's timers may run a minute late) still fires before expiry; never
 * less than RENEW_MIN_MS, which is also the wait once they have expired.
 */
export function renewalDelayMs(expiresAtMs: number, nowMs: number): number {
  return Math.max(RENEW_MIN_MS, Math.floor((expiresAtMs - nowMs) / 2));
}

/** Fetches the ICE servers once, then again before each set expires, until stopped or the seat is gone. */
export class IceRenewal {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** When the credentials in hand stop working, by this device's clock; null before any arrived. */
  #expiresAtMs: number | null = null;
  #current: IceServer[] | null = null;

  constructor(
    private readonly fetch: FetchIceServers,
    /** New servers for new calls (not called for the first set, which `start` resolves with). */
    private readonly onRenewed: (iceServers: IceServer[]) => void,
    private readonly onSeatGone: () => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Fetches the first servers and keeps renewing them; resolves with them, or null if that first fetch failed. */
  async start(): Promise<IceServer[] | null> {
    return this.#fetch(true);
  }

  /** The latest servers fetched, or null before any arrived. */
  get current(): IceServer[] | null {
    return this.#current;
  }

  /** Stops renewing (the seat ended or the page is going away). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #fetch(first: boolean): Promise<IceServer[] | null> {
    // The credentials cannot have been made before we asked: counting from here errs early.
    const askedAtMs = this.now();
    let reply: IceServersResponse | null;
    try {
      reply = await this.fetch();
    } catch {
      // Offline or refused for now: the credentials in hand (if any) still count down.
      this.#schedule(this.#expiresAtMs ?? this.now());
      return null;
    }
    if (this.#stopped) return null;
    if (reply === null) {
      this.stop();
      this.onSeatGone();
      return null;
    }
    if (reply.expiresInS !== null) {
      this.#expiresAtMs = askedAtMs + reply.expiresInS * 1000;
      this.#schedule(this.#expiresAtMs);
    }
    this.#current = reply.iceServers;
    if (!first) this.onRenewed(reply.iceServers);
    return reply.iceServers;
  }

  #schedule(expiresAtMs: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#fetch(false), renewalDelayMs(expiresAtMs, this.now()));
  }
}
