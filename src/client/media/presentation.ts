/**
 * Showing a screen to the class. The presenting supervisor's browser sends one stream: its own
 * capture, or the track it already receives from the shown student (so that student uploads nothing
 * more). It calls each peer it is given: every student, peer to peer; or the relay once, which calls
 * the students itself, plus any student who cannot reach the relay. In a room with a stage (a large
 * class shown through the relay) a supervisor also keeps a standing call to the relay, placed before
 * anything is shown, that carries what they show next, so Show needs no handshake at all. Students
 * answer receive-only, whoever calls. Knows nothing of rooms' rules or routes; must not decide who
 * presents (the server's registry does) or whom to call (the routes do).
 */
import type { Peer } from 'peerjs';
import type { MediaConnection } from 'peerjs';
import { STANDBY_PRESENTATION_ID, viewMessage, type PresentationCallMetadata } from '../../shared/protocol.ts';
import { placeholderStream } from './capture.ts';
import type { VideoCodec } from './codecs.ts';
import { Call } from './peer-call.ts';
import { firstFrameEncoding } from './quality.ts';
import { CONNECT_TIMEOUT_MS } from './share-sender.ts';

/** How long after a call to a student ended before it is placed again (the student may still be there). */
const RECALL_DELAY_MS = 1_000;

/**
 * Sends the first frame `call` encodes from now on no larger than a thumbnail (see
 * `firstFrameEncoding`), then the screen at its full size again, as a presentation is otherwise
 * sent: called just before the shown screen goes on the call.
 */
function smallFirstFrame(call: Call, sender: RTCRtpSender, track: MediaStreamTrack): void {
  const { width, height } = track.getSettings();
  const parameters = sender.getParameters();
  const [encoding] = parameters.encodings ?? [];
  if (!encoding || !width || !height) return;
  const framesBefore = call.framesEncoded();
  Object.assign(encoding, firstFrameEncoding({}, { width, height }));
  void sender.setParameters(parameters).catch(() => undefined);
  void framesBefore
    .then((frames) => call.encodedMoreThan(frames))
    .then(() => {
      const full = sender.getParameters();
      const [again] = full.encodings ?? [];
      if (!again) return;
      again.scaleResolutionDownBy = 1;
      delete again.maxBitrate;
      return sender.setParameters(full).catch(() => undefined);
    });
}

/** The presenter's side: one call per peer (a student, or the relay), all carrying the same stream. */
export class PresentationSender {
  readonly #peer: Peer;
  /** By the called peer's id. */
  readonly #calls = new Map<string, Call>();
  #metadata: PresentationCallMetadata | null = null;
  #stream: MediaStream | null = null;
  #peerIds: readonly string[] = [];
  #recall: ReturnType<typeof setTimeout> | undefined;
  /** The relay a standing call goes to, or null for none (see standBy). */
  #standbyRelay: string | null = null;
  /** Whether to place a standing call when there is none (see standBy). */
  #placing = false;
  /** The standing call to the relay while there is one, and whether it is up. */
  #standing: { call: Call; connected: boolean } | null = null;
  /** What the standing call carries now: the shown screen's track, or nothing. */
  #standingTrack: MediaStreamTrack | null = null;
  #standingRecall: ReturnType<typeof setTimeout> | undefined;

  constructor(
    peer: Peer,
    /** What a standing call is placed with: a track that sends nothing (see placeholderStream). */
    private readonly standIn: () => MediaStream | null = placeholderStream,
  ) {
    this.#peer = peer;
  }

  /**
   * Keeps a standing call to `relayPeerId` (null: none, and any hung up), placed with a stand-in that
   * sends nothing: the next screen this supervisor shows goes on it, with no handshake. With `place`
   * false, one that is up is kept but none is placed (the room has no stage just now: nobody to show
   * to, or every member still reconnecting after an app server restart). Called again after the
   * PeerServer socket reopens, to place one that could not be placed while it was down.
   */
  standBy(relayPeerId: string | null, place = true): void {
    if (relayPeerId !== this.#standbyRelay) {
      this.#standbyRelay = relayPeerId;
      this.#endStanding();
    }
    this.#placing = place;
    this.#placeStanding();
    this.#sync();
  }

  /**
   * What to show and whom to call (peer ids: students, the shown one left out, and the relay). A
   * different presentation or stream hangs up and calls again; null for either ends every call.
   */
  update(metadata: PresentationCallMetadata | null, stream: MediaStream | null, peerIds: readonly string[]): void {
    if (metadata?.presentationId !== this.#metadata?.presentationId || stream !== this.#stream) this.#hangUpAll();
    this.#metadata = metadata;
    this.#stream = stream;
    // A forwarded student's track has no content hint: without 'detail' the presenter's encoder
    // drops resolution under CPU pressure, and a screen's text is what the class must read.
    for (const track of stream?.getVideoTracks() ?? [])
      if (track.contentHint !== 'detail') track.contentHint = 'detail';
    this.#peerIds = peerIds;
    this.#sync();
  }

  /** Ends every call. */
  close(): void {
    this.update(null, null, []);
    this.standBy(null);
  }

  #sync(): void {
    const metadata = this.#metadata;
    const stream = this.#stream;
    // The shown screen goes to the relay on the standing call when it is up, unless a call of its own
    // took it there first (the standing call was not up yet, or dropped): never moved mid-way.
    const relay = this.#standbyRelay;
    const standing =
      metadata &&
      stream &&
      relay &&
      this.#peerIds.includes(relay) &&
      !this.#calls.has(relay) &&
      this.#standing?.connected;
    this.#carryOnStanding(standing ? (stream.getVideoTracks()[0] ?? null) : null);
    for (const [peerId, call] of this.#calls) {
      if (!this.#peerIds.includes(peerId)) {
        this.#calls.delete(peerId);
        call.close();
      }
    }
    if (!metadata || !stream) return;
    let missed = false;
    for (const peerId of this.#peerIds) {
      if (this.#calls.has(peerId) || (standing && peerId === relay)) continue;
      const call = Call.placePresentation(this.#peer, peerId, stream, metadata);
      if (!call) {
        missed = true;
        continue;
      }
      this.#calls.set(peerId, call);
      // Its encoder exists once the offer is made: the first frame comes after the handshake.
      const track = stream.getVideoTracks()[0];
      let sized = false;
      call.onNegotiated(() => {
        const sender = call.peerConnection?.getSenders().find((s) => s.track?.kind === 'video');
        if (sized || !sender || !track) return;
        sized = true;
        smallFirstFrame(call, sender, track);
      });
      // A call nobody answers (the relay not yet told of this presentation, a student's app gone)
      // stays 'new' for ever: it is given up and placed again, like one that failed.
      const unanswered = setTimeout(() => call.close(), CONNECT_TIMEOUT_MS);
      call.onConnectionState((state) => {
        if (state === 'connected') clearTimeout(unanswered);
        if (state === 'failed') call.close();
      });
      call.onEnded(() => clearTimeout(unanswered));
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

  /** Places the standing call, if one is wanted and none is up or being placed. */
  #placeStanding(): void {
    const relay = this.#standbyRelay;
    if (!relay || !this.#placing || this.#standing || this.#standingRecall) return;
    const placeholder = this.standIn();
    if (!placeholder) return;
    const metadata: PresentationCallMetadata = { presentationId: STANDBY_PRESENTATION_ID, name: '', standing: true };
    const call = Call.placePresentation(this.#peer, relay, placeholder, metadata);
    if (!call) {
      // The socket is not open: standBy is called again when it is.
      for (const track of placeholder.getTracks()) track.stop();
      return;
    }
    const standing = { call, connected: false };
    this.#standing = standing;
    const unanswered = setTimeout(() => call.close(), CONNECT_TIMEOUT_MS);
    call.onConnectionState((state) => {
      if (state === 'failed') call.close();
      if (state !== 'connected') return;
      clearTimeout(unanswered);
      standing.connected = true;
      this.#sync();
    });
    call.onEnded(() => {
      clearTimeout(unanswered);
      for (const track of placeholder.getTracks()) track.stop();
      if (this.#standing !== standing) return;
      this.#standing = null;
      this.#standingTrack = null;
      // A screen it carried goes on a call of its own at once; a new standing call after a pause.
      this.#sync();
      this.#standingRecall = setTimeout(() => {
        this.#standingRecall = undefined;
        this.#placeStanding();
      }, RECALL_DELAY_MS);
    });
  }

  /** Puts `track` (or nothing) on the standing call; one that cannot take it is hung up. */
  #carryOnStanding(track: MediaStreamTrack | null): void {
    const standing = this.#standing;
    if (!standing?.connected || track === this.#standingTrack) return;
    this.#standingTrack = track;
    const sender = standing.call.peerConnection?.getSenders().find((s) => s.track?.kind === 'video' || !s.track);
    if (!sender) return standing.call.close();
    if (track) smallFirstFrame(standing.call, sender, track);
    sender.replaceTrack(track).catch(() => standing.call.close());
  }

  #endStanding(): void {
    clearTimeout(this.#standingRecall);
    this.#standingRecall = undefined;
    const standing = this.#standing;
    this.#standing = null;
    this.#standingTrack = null;
    standing?.call.close();
  }

  #hangUpAll(): void {
    clearTimeout(this.#recall);
    this.#recall = undefined;
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const call of calls) call.close();
  }
}

/**
 * A student's side: answers the presenter's call (or the relay's) without sending anything and
 * keeps its stream. The relay's standing call (PresentationCallMetadata.standing) is kept between
 * presentations and carries each one in turn; a call for one presentation is hung up when it ends.
 */
export class PresentationViewer {
  /** A presentation's own call, and the relay's standing call: each with the stream it brings. */
  readonly #own: ViewerSlot = { call: null, stream: null };
  readonly #standing: ViewerSlot = { call: null, stream: null };
  readonly #changed: () => void;
  /** Whether the student's viewer shows the stream now (see `watching`). */
  #watching = false;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /** The shown screen arriving now, or null: a presentation's own call's, else the standing call's. */
  get stream(): MediaStream | null {
    return this.#own.stream ?? this.#standing.stream;
  }

  /** A call with the screen shown to the class: the newest of its kind wins. */
  onCall(connection: MediaConnection, codec: VideoCodec, standing: boolean): void {
    const slot = standing ? this.#standing : this.#own;
    const call = Call.incoming(connection);
    slot.call?.close();
    slot.call = call;
    call.onStream((stream) => {
      if (slot.call !== call) return;
      slot.stream = stream;
      this.#changed();
    });
    call.onEnded(() => {
      if (slot.call !== call) return;
      slot.call = null;
      slot.stream = null;
      this.#changed();
    });
    call.answer(codec);
    if (standing) call.send(stageView(this.#watching));
  }

  /**
   * Whether the student's viewer shows the stream now: told to the relay on its standing call, which
   * sends nothing while it does not, and once it does, the picture from its last keyframe at once.
   * A viewer appears when the room says something is shown, which may be after the relay forwarded
   * the first frame: a video shows only frames that arrive after it is given its stream.
   */
  watching(on: boolean): void {
    if (on === this.#watching) return;
    this.#watching = on;
    this.#standing.call?.send(stageView(on));
  }

  /** Nothing is shown any more (the room says so): hang up the presentation's own call. */
  close(): void {
    this.#own.call?.close();
  }

  /** The student leaves: hang up every call. */
  leave(): void {
    this.close();
    this.#standing.call?.close();
  }
}

/** What a student's viewer tells the relay on its standing call: whether it shows the stream (as a tile view). */
function stageView(visible: boolean): string {
  return viewMessage({ level: 'thumbnail', visible, widthPx: 640, heightPx: 360, tilesShown: 1 });
}

/** One kind of call a student watches on, and the stream it brings. */
interface ViewerSlot {
  call: Call | null;
  stream: MediaStream | null;
}
