/**
 * How many event streams one client address holds open (room and lobby streams together), so a
 * script cannot tie up the server's memory with thousands of streams it never reads.
 * Counts only; knows nothing of rooms or HTTP.
 */

/** Open streams per address, up to a limit. */
export class StreamQuota {
  readonly #open = new Map<string, number>();
  constructor(readonly maxPerAddress: number) {}

  /** Takes a place for `address`: returns the function that gives it back, or null when it has none left. */
  admit(address: string): (() => void) | null {
    const count = this.#open.get(address) ?? 0;
    if (count >= this.maxPerAddress) return null;
    this.#open.set(address, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(address) ?? 1) - 1;
      if (left > 0) this.#open.set(address, left);
      else this.#open.delete(address);
    };
  }
}
