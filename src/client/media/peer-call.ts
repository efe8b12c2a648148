/**
 * The one door to PeerJS media calls. Every quirk of the library the app works around lives here,
 * each stated with a link to why, so the share sender and the screen receiver read as if PeerJS
 * were perfect. Knows nothing of rooms, routes or quality; must not decide when to call anyone.
 *
 * The quirks (PeerJS 1.5):
 * 1. Sends before the PeerServer socket is open are dropped silently: PeerJS queues messages only
 *    until it has an id, and ours is given up front, so a call placed then can never connect.
 *    https://github.com/peers/peerjs/issues/652 — `Call.place` refuses (null) until `peer.open`.
 * 2. No ICE restart: a MediaConnection has no `restartIce` and PeerJS cannot renegotiate, so a
 *    connection that fails is dead and only a new call recovers.
 *    https://github.com/peers/peerjs/blob/v1.5.5/lib/negotiator.ts — `onConnectionState` reports
 *    'failed' as final; callers hang up and place a new call.
 * 3. `stream` fires from `ontrack`, at setRemoteDescription, before ICE has connected and before
 *    any frame arrived: it says nothing about a live screen.
 *    https://github.com/peers/peerjs/blob/v1.5.5/lib/negotiator.ts — `framesDecoded` is the proof.
 * 4. The data channel PeerJS opens with every media call (it closes the call when the channel
 *    closes) exists on the answering side only once `ondatachannel` fired, PeerJS owns its
 *    `onopen`/`onclose` properties, and it does not buffer: `send` before 'open' throws.
 *    https://github.com/peers/peerjs/blob/v1.5.5/lib/mediaconnection.ts — `Call.send` queues
 *    until the channel is open, whichever side we are; listeners are added, never assigned. The
 *    answering side adopts the channel in its open handler (PeerJS's 'willCloseOnRemote' event,
 *    emitted there), so no message sent the moment it opened is missed.
 * 5. ICE servers are given once, in the Peer's options, with no setter; each new call's
 *    RTCPeerConnection is built from `peer.options.config` as it is at that moment.
 *    https://github.com/peers/peerjs/blob/v1.5.5/lib/negotiator.ts — `_startPeerConnection`.
 *    `setCallIceServers` replaces that config so calls from then on get renewed TURN credentials.
 *    Calls already up need none: they never gather again (quirk 2: no ICE restart), and coturn
 *    keeps refreshing the allocations they made while their credentials were valid.
 */
import type { MediaConnection, Peer } from 'peerjs';
import {
  parseCallMetadata,
  parsePresentationCallMetadata,
  type CallMetadata,
  type PresentationCallMetadata,
} from '../../shared/protocol.ts';
import { preferCodec, type VideoCodec } from './codecs.ts';

/** How often `encodedMoreThan` reads a call's stats. */
const ENCODED_POLL_MS = 20;
/**
 * How long `encodedMoreThan` waits at most by default: a sender that sends nothing (a supervisor who
 * sees none of the screen) encodes no frame.
 */
const ENCODED_WAIT_MS = 3_000;

/** The ICE servers every call placed or answered from now on uses (quirk 5). */
export function setCallIceServers(peer: Peer, iceServers: readonly RTCIceServer[]): void {
  const options = peer.options as { config?: RTCConfiguration };
  options.config = { ...options.config, iceServers: [...iceServers] };
}

/** A media call as the app needs it: connection state, a message channel, and an end. */
export class Call {
  readonly #connection: MediaConnection;
  /** What the caller sent with the call; null when it sent nothing readable. */
  readonly metadata: CallMetadata | null;
  /** Set when the call carries the screen shown to the class (see `presentation.ts`). */
  readonly presentation: PresentationCallMetadata | null;
  readonly #outbox: string[] = [];
  readonly #messageListeners = new Set<(data: unknown) => void>();
  readonly #endListeners = new Set<() => void>();
  #channel: RTCDataChannel | null = null;
  #ended = false;

  private constructor(
    connection: MediaConnection,
    metadata: CallMetadata | null,
    presentation: PresentationCallMetadata | null = null,
  ) {
    this.#connection = connection;
    this.metadata = metadata;
    this.presentation = presentation;
    const ended = () => this.#end();
    connection.on('close', ended);
    connection.on('error', ended);
    // The caller has the channel at once; the answerer when it opens (quirk 4).
    if (!this.#adopt())
      connection.on('willCloseOnRemote', () => {
        if (!this.#ended && !this.#channel) this.#adopt();
      });
  }

  /** Places a call, or returns null while the PeerServer socket is not open (quirk 1): try again on 'open'. */
  static place(peer: Peer, remotePeerId: string, stream: MediaStream, metadata: CallMetadata): Call | null {
    if (!peer.open) return null;
    return new Call(peer.call(remotePeerId, stream, { metadata }), metadata);
  }

  /** Places a call carrying the screen shown to the class; null while the socket is not open (quirk 1). */
  static placePresentation(
    peer: Peer,
    remotePeerId: string,
    stream: MediaStream,
    metadata: PresentationCallMetadata,
  ): Call | null {
    if (!peer.open) return null;
    return new Call(peer.call(remotePeerId, stream, { metadata }), null, metadata);
  }

  /** An incoming call, its metadata parsed (see `parseCallMetadata`, `parsePresentationCallMetadata`). */
  static incoming(connection: MediaConnection): Call {
    return new Call(
      connection,
      parseCallMetadata(connection.metadata),
      parsePresentationCallMetadata(connection.metadata),
    );
  }

  /** The PeerServer id of the other side. */
  get remotePeerId(): string {
    return this.#connection.peer;
  }

  /** The call's connection, for encoder settings and stats; undefined once PeerJS cleaned it up. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#connection.peerConnection ?? undefined;
  }

  /**
   * Answers without sending media of our own, asking for `codec` by listing it first in the answer
   * (the sender follows the answer's order; see codecs.ts).
   */
  answer(codec: VideoCodec): void {
    this.#connection.answer(undefined, { sdpTransform: (sdp: string) => preferCodec(sdp, codec) });
  }

  /** The remote stream, once negotiated: not proof of frames (quirk 3; see `framesDecoded`). */
  onStream(listener: (stream: MediaStream) => void): void {
    this.#connection.on('stream', listener);
  }

  /**
   * Every change of the connection's state. 'failed' is final (quirk 2): PeerJS cannot restart
   * ICE, so hang up and place a new call.
   */
  onConnectionState(listener: (state: RTCPeerConnectionState) => void): void {
    const pc = this.peerConnection;
    pc?.addEventListener('connectionstatechange', () => listener(pc.connectionState));
  }

  /** Negotiation finished a step (the moment encodings exist to be set). */
  onNegotiated(listener: () => void): void {
    this.peerConnection?.addEventListener('signalingstatechange', listener);
  }

  /** The call ended: either side hung up, or it errored. Called at most once. */
  onEnded(listener: () => void): void {
    if (this.#ended) return listener();
    this.#endListeners.add(listener);
  }

  /** Each message the other side sends on the call's data channel. */
  onMessage(listener: (data: unknown) => void): void {
    this.#messageListeners.add(listener);
  }

  /** Sends text to the other side: now if the channel is open, else in order once it opens (quirk 4). */
  send(text: string): void {
    if (this.#channel?.readyState === 'open') this.#channel.send(text);
    else this.#outbox.push(text);
  }

  /** Video frames decoded on this call so far: the only proof the other side's screen is live (quirk 3). */
  framesDecoded(): Promise<number> {
    return this.#videoFrames('inbound-rtp', 'framesDecoded');
  }

  /** Video frames this side has encoded for the call so far. */
  framesEncoded(): Promise<number> {
    return this.#videoFrames('outbound-rtp', 'framesEncoded');
  }

  /**
   * Resolves once this side has encoded more than `frames` video frames for the call (its stats read
   * every 20 ms), the call ended, or `timeoutMs` passed.
   */
  async encodedMoreThan(frames: number, timeoutMs = ENCODED_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended && Date.now() < deadline && (await this.framesEncoded()) <= frames)
      await new Promise((resolve) => setTimeout(resolve, ENCODED_POLL_MS));
  }

  async #videoFrames(type: 'inbound-rtp' | 'outbound-rtp', field: 'framesDecoded' | 'framesEncoded'): Promise<number> {
    let frames = 0;
    const stats = await this.peerConnection?.getStats().catch(() => null);
    stats?.forEach((report: { type: string; kind?: string } & Partial<Record<typeof field, number>>) => {
      if (report.type === type && report.kind === 'video') frames = Math.max(frames, report[field] ?? 0);
    });
    return frames;
  }

  /** Hangs up. */
  close(): void {
    this.#connection.close();
    this.#end();
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#outbox.length = 0;
    for (const listener of this.#endListeners) listener();
    this.#endListeners.clear();
  }

  #adopt(): boolean {
    const channel = this.#connection.dataChannel as RTCDataChannel | undefined;
    if (!channel) return false;
    this.#channel = channel;
    channel.addEventListener('message', (event: MessageEvent) => {
      for (const listener of this.#messageListeners) listener(event.data);
    });
    const flush = () => {
      for (const text of this.#outbox.splice(0)) channel.send(text);
    };
    if (channel.readyState === 'open') flush();
    else channel.addEventListener('open', flush);
    return true;
  }
}
