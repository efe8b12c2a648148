/**
 * Showing a screen to the class, peer to peer. The presenting supervisor's browser calls every
 * student with one stream: its own capture, or the track it already receives from the shown student
 * (so that student uploads nothing more). Students answer receive-only. Knows nothing of rooms'
 * rules or views; must not decide who presents (the server's registry does).
 */
import type { Peer } from 'peerjs';
import type { MediaConnection } from 'peerjs';
import type { PresentationCallMetadata } from '../../shared/protocol.ts';
import type { VideoCodec } from './codecs.ts';
import { Call } from './peer-call.ts';

/** How long after a call to a student ended before it is placed again (the student may still be there). */
const RECALL_DELAY_MS = 1_000;

/** The presenter's side: one call per student, all carrying the same stream. */
export class PresentationSender {
  readonly #peer: Peer;
  /** By the student's peer id. */
  readonly #calls = new Map<string, Call>();
  #metadata: PresentationCallMetadata | null = null;
  #stream: MediaStream | null = null;
  #students: readonly string[] = [];
  #recall: ReturnType<typeof setTimeout> | undefined;

  constructor(peer: Peer) {
    this.#peer = peer;
  }

  /**
   * What to show and to whom (students' peer ids, the shown student left out). A different
   * presentation or stream hangs up and calls again; null for either ends every call.
   */
  update(
    metadata: PresentationCallMetadata | null,
    stream: MediaStream | null,
    studentPeerIds: readonly string[],
  ): void {
    if (metadata?.presentationId !== this.#metadata?.presentationId || stream !== this.#stream) this.#hangUpAll();
    this.#metadata = metadata;
    this.#stream = stream;
    // A forwarded student's track has no content hint: without 'detail' the presenter's encoder
    // drops resolution under CPU pressure, and a screen's text is what the class must read.
    for (const track of stream?.getVideoTracks() ?? [])
      if (track.contentHint !== 'detail') track.contentHint = 'detail';
    this.#students = studentPeerIds;
    this.#sync();
  }

  /** Student peer ids with a call up or being placed. */
  calledPeerIds(): string[] {
    return [...this.#calls.keys()];
  }

  /** Ends every call. */
  close(): void {
    this.update(null, null, []);
  }

  #sync(): void {
    const metadata = this.#metadata;
    const stream = this.#stream;
    for (const [peerId, call] of this.#calls) {
      if (!this.#students.includes(peerId)) {
        this.#calls.delete(peerId);
        call.close();
      }
    }
    if (!metadata || !stream) return;
    let missed = false;
    for (const peerId of this.#students) {
      if (this.#calls.has(peerId)) continue;
      const call = Call.placePresentation(this.#peer, peerId, stream, metadata);
      if (!call) {
        missed = true;
        continue;
      }
      this.#calls.set(peerId, call);
      call.onConnectionState((state) => {
        if (state === 'failed') call.close();
      });
      call.onEnded(() => {
        if (this.#calls.get(peerId) !== call) return;
        this.#calls.delete(peerId);
        this.#later();
      });
    }
    if (missed) this.#later();
  }

  #later(): void {
    if (this.#recall) return;
    this.#recall = setTimeout(() => {
      this.#recall = undefined;
      this.#sync();
    }, RECALL_DELAY_MS);
  }

  #hangUpAll(): void {
    clearTimeout(this.#recall);
    this.#recall = undefined;
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) call.close();
  }
}

/** A student's side: answers the presenter's call without sending anything and keeps its stream. */
export class PresentationViewer {
  #call: Call | null = null;
  #stream: MediaStream | null = null;
  readonly #changed: () => void;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /** The shown screen arriving now, or null. */
  get stream(): MediaStream | null {
    return this.#stream;
  }

  /** A presenter's call: the newest one wins (a new presentation replaces the one before). */
  onCall(connection: MediaConnection, codec: VideoCodec): void {
    const call = Call.incoming(connection);
    this.#call?.close();
    this.#call = call;
    call.onStream((stream) => {
      if (this.#call !== call) return;
      this.#stream = stream;
      this.#changed();
    });
    call.onEnded(() => {
      if (this.#call !== call) return;
      this.#call = null;
      this.#stream = null;
      this.#changed();
    });
    call.answer(codec);
  }

  /** Nothing is shown any more (the room says so): hang up. */
  close(): void {
    this.#call?.close();
  }
}
