/**
 * The one owner of a student's sharing flag on the server. It follows the real capture, compares
 * it with what the room says, and sends the difference, retrying with backoff until the server
 * agrees. It holds no DOM and no network of its own: the sender is given, so it is unit-tested.
 */

/** Sends the flag; rejects when the server did not take it. `keepalive` lets it outlive a closing page. */
export type SendSharing = (sharing: boolean, keepalive: boolean) => Promise<void>;

/** First wait before a failed update is sent again; it doubles up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 500;
/** Longest wait between attempts. */
export const RETRY_MAX_MS = 8_000;

/** Keeps the server's sharing flag equal to the capture. */
export class ShareSync {
  /** Whether the capture runs; null until the media layer says. */
  #capture: boolean | null = null;
  /** What the room says (its event stream, or the last reply); null until the first snapshot. */
  #server: boolean | null = null;
  #inFlight = false;
  #retryMs = RETRY_FIRST_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** Between pagehide and pageshow: the capture is treated as gone, whatever the media layer still says. */
  #pageHidden = false;

  constructor(private readonly send: SendSharing) {}

  /** The real capture started or stopped. */
  setCapture(sharing: boolean): void {
    // Connections closing as the page unloads still report a running capture; it is dying.
    if (this.#pageHidden) return;
    this.#capture = sharing;
    this.#reconcile();
  }

  /** The room's state for this student, from a snapshot or an event. */
  setServer(sharing: boolean): void {
    this.#server = sharing;
    this.#reconcile();
  }

  /** Whether the server is known to agree with the capture. */
  get settled(): boolean {
    return this.#capture !== null && this.#capture === this.#server;
  }

  /**
   * The page is going away and the capture dies with it: say so at once with a request the browser
   * finishes after the page is gone (a plain fetch is cancelled on unload).
   */
  pageHide(): void {
    this.#pageHidden = true;
    if (this.#capture !== true) return;
    this.#capture = false;
    void this.send(false, true).catch(() => undefined);
  }

  /** The page came back from the back/forward cache: follow the capture again. */
  pageShow(capture: boolean): void {
    this.#pageHidden = false;
    this.setCapture(capture);
  }

  /** Stops retrying (the seat ended). */
  dispose(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #reconcile(): void {
    if (this.#stopped || this.#inFlight || this.#timer !== undefined) return;
    if (this.#capture === null || this.#server === null || this.#capture === this.#server) return;
    const wanted = this.#capture;
    this.#inFlight = true;
    this.send(wanted, false).then(
      () => {
        this.#inFlight = false;
        this.#retryMs = RETRY_FIRST_MS;
        // The reply is the server agreeing; its event will say the same.
        this.#server = wanted;
        this.#reconcile();
      },
      () => {
        this.#inFlight = false;
        if (this.#stopped) return;
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#reconcile();
        }, this.#retryMs);
        this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
      },
    );
  }
}
