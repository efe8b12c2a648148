/**
 * Student side of the mesh: calls every supervisor of the room with the captured screen, hangs up
 * on supervisors who leave, rebuilds calls that fail (PeerJS does not restart ICE) with backoff,
 * and sets each call's encoder to the quality its supervisor asks for.
 */
import type { MediaConnection, Peer } from 'peerjs';
import type { MemberView } from '../../shared/protocol.ts';
import type { Capture } from './capture.ts';
import { encodingFor, parseQualityMessage, type QualityLevel } from './quality.ts';

/** A call that has not connected in this time is torn down and placed again. */
const CONNECT_TIMEOUT_MS = 10_000;
/** A connection that stays "disconnected" this long is treated as failed. */
const DISCONNECTED_GRACE_MS = 4_000;
const MAX_BACKOFF_MS = 10_000;

/** What a supervisor's call carries besides the screen. */
export interface CallMetadata {
  studentId: string;
  surface: Capture['surface'];
}

interface Outgoing {
  call: MediaConnection;
  level: QualityLevel;
  connected: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** Encoder changes run one at a time: overlapping setParameters calls reject each other. */
  applying: Promise<void>;
}

/** Keeps one call per supervisor while a capture runs. */
export class ShareSender {
  readonly #calls = new Map<string, Outgoing>();
  /** Per supervisor: delay before the next attempt, and the pending attempt. */
  readonly #retry = new Map<string, { delayMs: number; timer?: ReturnType<typeof setTimeout> }>();
  #supervisors: MemberView[] = [];
  #capture: Capture | null = null;

  constructor(
    private readonly peer: Peer,
    private readonly studentId: string,
    private readonly onChange: () => void,
  ) {}

  /** Member ids of the supervisors whose connection is up. */
  viewers(): string[] {
    return [...this.#calls].filter(([, c]) => c.connected).map(([id]) => id);
  }

  /** Starts (or, with null, stops) sending a capture. */
  setCapture(capture: Capture | null): void {
    this.#capture = capture;
    if (!capture) for (const id of [...this.#calls.keys()]) this.#hangUp(id);
    this.#reconcile();
  }

  /** The room's members changed. */
  setMembers(members: readonly MemberView[]): void {
    this.#supervisors = members.filter((m) => m.role === 'supervisor' && m.peerId);
    this.#reconcile();
  }

  /** The signalling connection is back: place calls that could not be placed meanwhile. */
  resume(): void {
    this.#reconcile();
  }

  /** Hangs up everything. */
  close(): void {
    this.#capture = null;
    for (const id of [...this.#calls.keys()]) this.#hangUp(id);
    for (const { timer } of this.#retry.values()) clearTimeout(timer);
    this.#retry.clear();
  }

  #reconcile(): void {
    const wanted = new Map(this.#supervisors.filter((s) => s.connected).map((s) => [s.id, s]));
    const present = new Set(this.#supervisors.map((s) => s.id));
    for (const id of [...this.#calls.keys()]) {
      // A supervisor who left is hung up on; one who is only reconnecting keeps the call.
      if (!present.has(id) || !this.#capture) this.#hangUp(id);
    }
    if (!this.#capture || this.peer.disconnected) return;
    for (const [id, supervisor] of wanted) {
      if (!this.#calls.has(id) && !this.#retry.get(id)?.timer) this.#call(id, supervisor.peerId!);
    }
  }

  #call(supervisorId: string, peerId: string): void {
    const capture = this.#capture!;
    const metadata: CallMetadata = { studentId: this.studentId, surface: capture.surface };
    const call = this.peer.call(peerId, capture.stream, { metadata });
    const entry: Outgoing = { call, level: 'thumbnail', connected: false, applying: Promise.resolve() };
    this.#calls.set(supervisorId, entry);
    const pc = call.peerConnection;

    const failed = () => {
      if (this.#calls.get(supervisorId) !== entry) return;
      this.#hangUp(supervisorId);
      this.#scheduleRetry(supervisorId);
    };
    const watch = (ms: number) => {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(failed, ms);
    };
    watch(CONNECT_TIMEOUT_MS);
    pc.addEventListener('signalingstatechange', () => this.#applyLevel(entry));
    pc.addEventListener('connectionstatechange', () => {
      if (this.#calls.get(supervisorId) !== entry) return;
      const state = pc.connectionState;
      if (state === 'connected') {
        clearTimeout(entry.timer);
        entry.connected = true;
        this.#retry.delete(supervisorId);
        this.#applyLevel(entry);
      } else if (state === 'disconnected') {
        watch(DISCONNECTED_GRACE_MS);
      } else if (state === 'failed' || state === 'closed') {
        failed();
      }
      this.onChange();
    });
    call.on('close', failed);
    call.on('error', failed);
    call.dataChannel?.addEventListener('message', (event: MessageEvent) => {
      const request = parseQualityMessage(event.data);
      if (!request || request.level === entry.level) return;
      entry.level = request.level;
      this.#applyLevel(entry);
    });
  }

  /**
   * Sets the encoder of one call to its level (the default encoding is full quality, so a call must
   * never be left at it by accident). Queued per call, and a no-op until negotiation made encodings.
   */
  #applyLevel(entry: Outgoing): void {
    entry.applying = entry.applying.then(async () => {
      const sender = entry.call.peerConnection?.getSenders().find((s) => s.track?.kind === 'video');
      const height = this.#capture?.track.getSettings().height;
      if (!sender || !height) return;
      const parameters = sender.getParameters();
      const [first] = parameters.encodings ?? [];
      if (!first) return;
      // The track's contentHint 'detail' already makes the encoder keep resolution under pressure.
      const wanted = encodingFor(entry.level, height);
      if (Object.entries(wanted).every(([key, value]) => first[key as keyof typeof wanted] === value)) return;
      Object.assign(first, wanted);
      await sender.setParameters(parameters).catch(() => undefined);
    });
  }

  #hangUp(supervisorId: string): void {
    const entry = this.#calls.get(supervisorId);
    if (!entry) return;
    this.#calls.delete(supervisorId);
    clearTimeout(entry.timer);
    entry.call.close();
    this.onChange();
  }

  #scheduleRetry(supervisorId: string): void {
    const retry = this.#retry.get(supervisorId) ?? { delayMs: 500 };
    clearTimeout(retry.timer);
    retry.timer = setTimeout(() => {
      retry.timer = undefined;
      this.#reconcile();
    }, retry.delayMs);
    retry.delayMs = Math.min(retry.delayMs * 2, MAX_BACKOFF_MS);
    this.#retry.set(supervisorId, retry);
  }
}
