/**
 * The one place room state changes: holds the registry state, runs pure operations against it with
 * the current time, and hands the resulting events to the adapters that subscribed.
 */
import {
  emptyRegistry,
  type Context,
  type Outcome,
  type RegistryEvent,
  type RegistryLimits,
  type RegistryState,
} from './core/room-registry.ts';
import type { RelayPolicy } from './core/routes.ts';

/** Called after each change with the events and the state they led to. */
export type StoreListener = (events: readonly RegistryEvent[], state: RegistryState) => void;

/** A registry operation, ready to run against a state. */
export type Operation<T> = (state: RegistryState, ctx: Context) => Outcome<T>;

/** Holds the registry state and publishes every change. */
export class RoomStore {
  #state: RegistryState;
  readonly #listeners = new Set<StoreListener>();
  readonly #onChange: () => void;
  readonly #clock: () => number;
  readonly #random: (byteCount: number) => Uint8Array;
  readonly #limits: RegistryLimits;
  readonly #routing: RelayPolicy;
  readonly #onListenerError: (error: unknown) => void;

  constructor(deps: {
    clock: () => number;
    random: (byteCount: number) => Uint8Array;
    limits: RegistryLimits;
    /** When rooms use the relay. */
    routing: RelayPolicy;
    /** A failing adapter must not stop the others from hearing about a change. */
    onListenerError: (error: unknown) => void;
    /** The state to start from (rooms saved before a restart); empty by default. */
    initial?: RegistryState;
    /** Called after every change of state, with or without events (for saving it). */
    onChange?: () => void;
  }) {
    this.#state = deps.initial ?? emptyRegistry;
    this.#onChange = deps.onChange ?? (() => undefined);
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#limits = deps.limits;
    this.#routing = deps.routing;
    this.#onListenerError = deps.onListenerError;
  }

  /** The current state, for reading. */
  get state(): RegistryState {
    return this.#state;
  }

  /** The store's clock: the time operations run with. */
  now(): number {
    return this.#clock();
  }

  /** The limits operations run with. */
  get limits(): RegistryLimits {
    return this.#limits;
  }

  /** Runs an operation; on success stores the new state and tells every listener. */
  run<T>(operation: Operation<T>): Outcome<T> {
    const ctx = { now: this.#clock(), random: this.#random, limits: this.#limits, routing: this.#routing };
    const outcome = operation(this.#state, ctx);
    if (!outcome.ok) return outcome;
    const changed = outcome.state !== this.#state;
    this.#state = outcome.state;
    if (changed) this.#onChange();
    if (outcome.events.length === 0) return outcome;
    for (const listener of this.#listeners) {
      try {
        listener(outcome.events, outcome.state);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
    return outcome;
  }

  /** Calls `listener` after every change until the returned function is called. */
  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
