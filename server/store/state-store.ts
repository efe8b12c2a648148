/**
 * The store contract: where the registry's saved text lives outside the process. A store only moves
 * text; what the text means is state-format.ts's business, and when to save is persistence.ts's.
 */
import type { StoreKind } from '../../src/shared/protocol.ts';

/** Somewhere to keep the saved state: a file in DATA_DIR, or Redis. */
export interface StateStore {
  /** What and where, for logs and /api/health, without secrets: "file", "redis". */
  readonly kind: Exclude<StoreKind, 'memory'>;
  /** Where, for people: a path, or a redis URL without its password. */
  readonly where: string;
  /** The saved text, or null when nothing has been saved yet. */
  read(): Promise<string | null>;
  /** Replaces the saved text in one step: a reader sees the old text or the new, never a mix. */
  write(text: string): Promise<void>;
  /** Moves the saved text aside under a name with the time, so an unreadable copy is kept, not overwritten; returns the new name. */
  keepAside(now: number): Promise<string>;
  /** Lets go of files or connections. */
  close(): Promise<void>;
}

/** A timestamp usable in a file name or key: 2026-11-29T12-50-03-120Z. */
export function asideStamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}
