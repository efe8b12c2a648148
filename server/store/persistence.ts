/**
 * Room state across restarts: loads what a store saved (keeping any damaged copy aside and saying
 * what was lost) and saves again after every change, coalesced, at most SAVE_DELAY_MS behind (or,
 * when saves are slow, SAVE_BUSY_FACTOR times the last save's duration).
 * Knows nothing of HTTP or rooms' rules; the restart rule is core/restart.ts.
 */
import { emptyRegistry, type RegistryState, type Room } from '../core/room-registry.ts';
import { parseState, serializeState } from './state-format.ts';
import type { StateStore } from './state-store.ts';

/** Changes within this time are saved together. */
export const SAVE_DELAY_MS = 100;
/**
 * After a save that took d ms, the next waits at least this many times d: saving then takes at most
 * 1/(1 + factor) of the time however large the state grows, and the event loop stays free.
 */
export const SAVE_BUSY_FACTOR = 4;
/** A failed save is tried again after this, doubling up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

/** The parts of the logger persistence uses. */
interface PersistLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What was loaded at start. */
export interface Loaded {
  readonly registry: RegistryState;
  readonly relayPeerIds: readonly string[];
  /** What could not be read, one line each (empty when all was read). */
  readonly lost: readonly string[];
  /** Where the damaged copy was kept, when there was one. */
  readonly keptAside: string | null;
}

/**
 * Reads the saved state. Damage never stops the start: the readable rooms are kept, the damaged
 * copy is moved aside with a timestamp, and what was lost is logged. A store that cannot be read
 * at all (Redis unreachable, no permission) throws, for the caller to report.
 */
export async function loadState(store: StateStore, log: PersistLog, now: number): Promise<Loaded> {
  const startedMs = performance.now();
  const text = await store.read();
  if (text === null) return { registry: emptyRegistry, relayPeerIds: [], lost: [], keptAside: null };
  const parsed = parseState(text);
  if (parsed.ok && parsed.lost.length === 0) {
    const { registry, relayPeerIds } = parsed.saved;
    const loadMs = Math.round((performance.now() - startedMs) * 10) / 10;
    const bytes = text.length;
    log.info(
      { where: store.where, rooms: registry.rooms.size, fromVersion: parsed.fromVersion, loadMs, bytes },
      'loaded the saved rooms',
    );
    return { registry, relayPeerIds, lost: [], keptAside: null };
  }
  const keptAside = await store.keepAside(now);
  if (!parsed.ok) {
    const lost = [`everything: ${parsed.detail}`];
    log.error(
      { keptAside, lost },
      `The saved room state in ${store.where} could not be read (${parsed.detail}); starting with no rooms. The file is kept at ${keptAside}.`,
    );
    return { registry: emptyRegistry, relayPeerIds: [], lost, keptAside };
  }
  const { registry, relayPeerIds } = parsed.saved;
  log.error(
    { keptAside, lost: parsed.lost, roomsLoaded: registry.rooms.size },
    `Part of the saved room state in ${store.where} was damaged: ${parsed.lost.length} problem(s), ` +
      `${registry.rooms.size} room(s) loaded. The damaged copy is kept at ${keptAside}.`,
  );
  return { registry, relayPeerIds, lost: parsed.lost, keptAside };
}

/** Whether the latest change is saved: ok, or failing (the store is unreachable; retrying). */
export type SavingStatus = 'ok' | 'failing';

/** Saves the state after changes, at most SAVE_DELAY_MS behind, one write at a time. */
export class StateSaver {
  readonly #store: StateStore;
  readonly #read: () => { registry: RegistryState; relayPeerIds: readonly string[] };
  readonly #clock: () => number;
  readonly #log: PersistLog;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | null = null;
  #dirty = false;
  #failing = false;
  #retryMs = FIRST_RETRY_MS;
  #lastSavedAt: number | null = null;
  /** How long the last save took, in ms. */
  #lastSaveMs = 0;
  /** Each room's saved line, so a save serialises only the rooms that changed since the last. */
  readonly #lines = new WeakMap<Room, string>();

  constructor(deps: {
    store: StateStore;
    /** The state to save, read at save time so a burst of changes is one write. */
    read: () => { registry: RegistryState; relayPeerIds: readonly string[] };
    clock: () => number;
    log: PersistLog;
  }) {
    this.#store = deps.store;
    this.#read = deps.read;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** Whether the latest change reached the store. */
  get status(): SavingStatus {
    return this.#failing ? 'failing' : 'ok';
  }

  /** When the store last took a save (ms since the epoch), or null. */
  get lastSavedAt(): number | null {
    return this.#lastSavedAt;
  }

  /**
   * Something changed: save within SAVE_DELAY_MS, or later while the last save is less than
   * SAVE_BUSY_FACTOR of its duration ago (or at the next retry while the store fails).
   */
  changed(): void {
    this.#dirty = true;
    this.#schedule(this.#nextDelayMs());
  }

  /** Saves now (after any write under way) and resolves when the store has it; rejects if it cannot. */
  async flush(): Promise<void> {
    // One write at a time, even now: wait for any under way (and any it scheduled), then claim the slot.
    while (this.#writing) await this.#writing;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty = false;
    const write = this.#store.write(this.#text());
    this.#writing = write
      .then(
        () => undefined,
        () => void (this.#dirty = true),
      )
      .finally(() => {
        this.#writing = null;
        if (this.#dirty) this.#schedule(SAVE_DELAY_MS);
      });
    await write;
    this.#lastSavedAt = this.#clock();
  }

  /** Stops saving (pending changes are not written; call flush first). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dirty = false;
  }

  #schedule(delayMs: number): void {
    if (this.#timer || this.#writing) return;
    this.#timer = setTimeout(() => this.#save(), delayMs);
  }

  /** SAVE_DELAY_MS, or longer while the last save is less than SAVE_BUSY_FACTOR of its duration ago. */
  #nextDelayMs(): number {
    const restedMs = this.#lastSavedAt === null ? Infinity : this.#clock() - this.#lastSavedAt;
    return Math.max(SAVE_DELAY_MS, SAVE_BUSY_FACTOR * this.#lastSaveMs - restedMs);
  }

  #text(): string {
    const { registry, relayPeerIds } = this.#read();
    return serializeState({ registry, relayPeerIds, savedAt: this.#clock() }, this.#lines);
  }

  #save(): void {
    this.#timer = undefined;
    if (!this.#dirty) return;
    this.#dirty = false;
    const started = this.#clock();
    this.#writing = this.#store
      .write(this.#text())
      .then(
        () => {
          this.#lastSavedAt = this.#clock();
          this.#lastSaveMs = this.#lastSavedAt - started;
          this.#retryMs = FIRST_RETRY_MS;
          if (this.#failing) this.#log.info({ where: this.#store.where }, 'saving room state works again');
          this.#failing = false;
        },
        (error: unknown) => {
          this.#dirty = true;
          if (!this.#failing) {
            this.#log.error(
              { err: error, where: this.#store.where },
              'cannot save room state; rooms keep running from memory and saving is retried',
            );
          }
          this.#failing = true;
        },
      )
      .finally(() => {
        this.#writing = null;
        if (!this.#dirty) return;
        const delayMs = this.#failing ? this.#retryMs : this.#nextDelayMs();
        if (this.#failing) this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
        this.#schedule(delayMs);
      });
  }
}
