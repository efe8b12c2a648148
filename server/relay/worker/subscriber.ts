/**
 * One outgoing call: the relay calling a viewer (a supervisor, or a student watching the screen
 * shown to the class) with one source. It owns its peer connection, its watchdog while it comes up,
 * its keyframe retries, what the viewer said it shows, its RTP rewriting and its `close()`; the
 * relay hears of its end and its requests through the events it is given, and gives it its turn to
 * come up (handshakes.ts). It decides no routes.
 */
import { randomBytes } from 'node:crypto';
import {
  PictureLossIndication,
  RtcpPayloadSpecificFeedback,
  RtpHeader,
  RtpPacket,
  type RTCDataChannel,
  type RTCPeerConnection,
  type RTCRtpCodecParameters,
  type RTCRtpTransceiver,
} from 'werift';
import {
  legForView,
  parseSupervisorMessage,
  type QualityLevel,
  type Surface,
  type TileView,
  type VideoCodec,
} from '../../../src/shared/protocol.ts';
import { ConnectWatchdog, realTimers, type Handshake, type Timers } from './handshakes.ts';
import { answerCodecs, type Leg } from './legs.ts';
import { onIncomingPackets } from './peer-connection.ts';
import type { Want } from './plan.ts';
import { RtpRewriter } from './rtp-rewriter.ts';
import { trace, tracing } from './trace.ts';

/** A new subscriber gets keyframe requests this often until one has reached it. */
const KEYFRAME_RETRY_MS = 300;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 10_000;

/** What a subscriber tells the relay. */
export interface SubscriberEvents {
  /** Its turn to come up came (see HandshakeQueue): offer the call to the viewer. */
  place(subscriber: Subscriber): void;
  /** The call is up (its data channel opened). */
  opened(subscriber: Subscriber): void;
  /** The connection is up: the viewer starts receiving at the next keyframe. */
  connected(subscriber: Subscriber): void;
  /** The call failed or never came up: the relay hangs it up and places it again later. */
  failed(subscriber: Subscriber): void;
  /** The viewer needs a keyframe of `leg` (`urgent`: a start or resume, not the viewer's own PLI). */
  keyframeNeeded(subscriber: Subscriber, leg: Leg, urgent: boolean): void;
  /** The viewer said how it shows the source now. */
  viewChanged(subscriber: Subscriber): void;
  /** The call ended: once. */
  closed(subscriber: Subscriber): void;
}

/** A call to a viewer, from the relay's wanting it (it may wait its turn to be offered) until it closes. */
export class Subscriber implements Handshake {
  readonly connectionId = `mc_relay${randomBytes(6).toString('hex')}`;
  readonly transceiver: RTCRtpTransceiver;
  /** Where the viewer is in the source's stream: its leg, the one it moves to, its sequence numbers. */
  readonly rtp: RtpRewriter;
  /** Since when the routes have not wanted this call (it lingers for LINGER_MS), or null. */
  unwantedSince: number | null = null;
  /** Whether the connection is up: nothing is forwarded before. */
  connected = false;
  /** The level the viewer asked for. */
  wants: QualityLevel = 'thumbnail';
  /** Whether the viewer can see the source's tile (until they say, yes); nothing is forwarded while not. */
  visible = true;
  /**
   * Whether the call carries its source now: a stage's standing call to a student stands by, sending
   * nothing, while nothing is shown or what is shown is the student's own screen (see carry()).
   */
  carrying = true;
  /** How the viewer last said the tile is shown; null until they do. */
  view: TileView | null = null;
  /** The codecs its answer accepted, most preferred first, as werift's send parameters; empty until it answers. */
  codecs = new Map<VideoCodec, RTCRtpCodecParameters>();
  /** What the viewer was last told the student shares: in the offer's metadata, then in notices. */
  surface: Surface | null = null;
  readonly #channel: RTCDataChannel;
  #keyframeTimer?: ReturnType<typeof setInterval>;
  /** Gives the call up when it stops advancing: from its offer until its data channel opens. */
  #watchdog: ConnectWatchdog | null = null;
  /** Stops counting the viewer's handshake packets as steps forward; set once ICE is connected. */
  #stopWatchingPackets: (() => void) | null = null;
  #closed = false;
  readonly #events: SubscriberEvents;

  constructor(
    /** The source/viewer pair (see plan.ts's pairKeyOf). */
    readonly key: string,
    readonly want: Want,
    readonly pc: RTCPeerConnection,
    events: SubscriberEvents,
    /** Calls of this pair that failed before this one (a retry waits behind fresh calls). */
    readonly retries = 0,
    private readonly timers: Timers = realTimers,
  ) {
    this.#events = events;
    this.#trace('queued');
    this.transceiver = pc.addTransceiver('video', { direction: 'sendonly' });
    this.rtp = new RtpRewriter(this.transceiver.sender);
    // PeerJS closes a media call when its data channel closes, and zoom requests travel on it.
    const channel = (this.#channel = pc.createDataChannel('relay'));
    channel.stateChanged.subscribe((state) => {
      // A call is up once its data channel is: a connection that looks connected on our side
      // while DTLS failed on theirs (seen under load) never opens it, and is placed again.
      if (state === 'open') {
        this.#trace('channel-open');
        this.#stopWatchdog();
        events.opened(this);
      }
      if (state === 'closed') {
        this.#trace('channel-closed');
        this.#failed();
      }
    });
    channel.onMessage.subscribe((data) => this.#onMessage(String(data)));
    this.transceiver.sender.onRtcp.subscribe((rtcp) => {
      if (rtcp instanceof RtcpPayloadSpecificFeedback && rtcp.feedback instanceof PictureLossIndication)
        events.keyframeNeeded(this, this.rtp.keyframeLeg, false);
    });
    // Each step of ICE and then DTLS is a step forward (each of the viewer's DTLS records too): a
    // handshake slow on a busy core is waited for.
    pc.iceConnectionStateChange.subscribe((state) => {
      this.#trace(`ice-${state}`);
      this.#watchdog?.progressed();
      if (state === 'connected' && this.#watchdog && !this.#stopWatchingPackets)
        this.#stopWatchingPackets = onIncomingPackets(pc, () => this.#watchdog?.progressed());
    });
    pc.connectionStateChange.subscribe((state) => {
      this.#watchdog?.progressed();
      this.#trace(state);
      if (state === 'connected') {
        this.connected = true;
        events.connected(this);
        // A screen encoder sends almost no keyframes by itself: ask until one reaches this viewer.
        this.awaitKeyframe();
      }
      if (state === 'failed' || state === 'closed') this.#failed();
    });
  }

  /** Whose screen this call carries. */
  get sourceId(): string {
    return this.want.sourceId;
  }

  /** Sends `message` to the viewer on the data channel; false when it is not open (yet, or any more). */
  tell(message: string): boolean {
    if (this.#channel.readyState !== 'open') return false;
    this.#channel.send(message);
    return true;
  }

  /** The viewer's codecs in its order (VP8 until it answered). */
  get codecOrder(): VideoCodec[] {
    return this.codecs.size > 0 ? [...this.codecs.keys()] : ['VP8'];
  }

  /**
   * Its turn came: offer the call, and give it up (as failed) when it stops advancing (see
   * ConnectWatchdog). Before, it waits unoffered and nothing gives it up.
   */
  start(): void {
    if (this.#closed || this.#watchdog) return;
    this.#trace('started');
    this.#watchdog = new ConnectWatchdog(() => {
      this.#trace('given-up');
      this.#failed();
    }, this.timers);
    this.#events.place(this);
  }

  /** Whether its turn came (it was offered). */
  get started(): boolean {
    return this.#watchdog !== null;
  }

  /** Whether it was hung up. */
  get closed(): boolean {
    return this.#closed;
  }

  /** One of the viewer's ICE candidates arrived: a step forward. */
  candidateArrived(): void {
    this.#watchdog?.progressed();
  }

  /** The viewer answered: note the codecs it accepted, in its order. */
  answered(sdp: string): void {
    this.#trace('answered');
    this.#watchdog?.progressed();
    const negotiated = this.transceiver.codecs;
    this.codecs = new Map();
    for (const [codec, payloadType] of answerCodecs(sdp)) {
      const parameters = negotiated.find((c) => c.payloadType === payloadType);
      if (parameters) this.codecs.set(codec, parameters);
    }
  }

  /** Forwards nothing until a keyframe reaches the viewer, asking for one until then. */
  awaitKeyframe(): void {
    this.rtp.awaitKeyframe();
    clearInterval(this.#keyframeTimer);
    if (!this.carrying) return;
    const ask = () => this.#events.keyframeNeeded(this, this.rtp.keyframeLeg, true);
    ask();
    this.#keyframeTimer = setInterval(() => {
      if (this.rtp.gotKeyframe || !this.visible || !this.carrying) return clearInterval(this.#keyframeTimer);
      ask();
    }, KEYFRAME_RETRY_MS);
  }

  /**
   * Whether the call should carry its source from now on. Starting (a presentation began), the
   * viewer gets the source from its next keyframe; stopping, it gets nothing more, and would start
   * again at a keyframe, never mid-picture or on what was shown before.
   */
  carry(on: boolean): void {
    if (on === this.carrying) return;
    this.carrying = on;
    if (this.connected) this.awaitKeyframe();
  }

  /**
   * Sends one packet of `leg` (in `codec`) to the viewer, if it is connected, sees the source,
   * accepted that codec and is on that leg (see RtpRewriter). The hot path: once per packet per
   * viewer. The viewer gets its own header, without the student's header extensions (their ids
   * were negotiated upstream) or padding; the payload is shared, only read (encrypted into a new
   * buffer). Returns whether it was sent.
   */
  forward(leg: Leg, codec: VideoCodec, keyframe: boolean, rtp: RtpPacket, nowMs: number): boolean {
    if (!this.connected || !this.visible || !this.carrying) return false;
    const parameters = this.codecs.get(codec);
    if (!parameters) return false;
    const { sequenceNumber, timestamp, marker, csrc, csrcLength } = rtp.header;
    if (!this.rtp.accepts(leg, keyframe, sequenceNumber, timestamp, nowMs)) return false;
    const sender = this.transceiver.sender;
    // sendRtp rewrites the header and keeps the packet for retransmission.
    const header = new RtpHeader({ sequenceNumber, timestamp, marker, csrc, csrcLength });
    // werift sends every packet in the sender's one negotiated codec (its payload type); a viewer
    // moves between legs in different codecs, so the codec is set to this packet's before each send.
    sender.codec = parameters;
    if (tracing && !this.rtp.started) this.#trace('first-rtp', { keyframe });
    this.rtp.sent(nowMs);
    void sender.sendRtp(new RtpPacket(header, rtp.payload)).catch(() => undefined);
    return true;
  }

  /** Writes one of this call's milestones (see trace.ts). */
  #trace(event: string, fields: Record<string, unknown> = {}): void {
    if (tracing)
      trace(event, { call: this.connectionId, source: this.sourceId, viewer: this.want.viewerId, ...fields });
  }

  /** Hangs up (once) and lets the relay know. */
  close(): void {
    if (this.#closed) return;
    this.#trace('close');
    this.#closed = true;
    clearInterval(this.#keyframeTimer);
    this.#stopWatchdog();
    void this.pc.close();
    this.#events.closed(this);
  }

  #stopWatchdog(): void {
    this.#watchdog?.stop();
    this.#stopWatchingPackets?.();
  }

  #failed(): void {
    if (!this.#closed) this.#events.failed(this);
  }

  /**
   * The viewer says how they show this source (or, from an older app, only the level they want):
   * resume at a keyframe when it comes back into view.
   */
  #onMessage(data: string): void {
    const request = parseSupervisorMessage(data);
    if (!request) return;
    const view = request.type === 'view' ? request : null;
    const visible = view?.visible ?? true;
    this.view = view;
    this.wants = view ? legForView(view) : request.level;
    if (visible && !this.visible) {
      // Back in view: resume at a keyframe, asked for now rather than at the encoder's leisure.
      this.visible = true;
      this.awaitKeyframe();
    }
    this.visible = visible;
    this.#events.viewChanged(this);
  }
}

/**
 * Per source/viewer pair whose call failed: when it may be called again, doubling the delay at each
 * failure up to RETRY_MAX_MS, and the timers that bring the calls in line again then.
 */
export class RetryBackoff {
  readonly #pairs = new Map<string, { until: number; delayMs: number; failures: number }>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly retry: () => void) {}

  /** When each backing-off pair may be called again. */
  get pairs(): ReadonlyMap<string, { until: number }> {
    return this.#pairs;
  }

  /** How many calls of `key` failed since it last came up. */
  failures(key: string): number {
    return this.#pairs.get(key)?.failures ?? 0;
  }

  /** The call of `key` failed at `now`: wait, then `retry`. */
  failed(key: string, now: number): void {
    const pair = this.#pairs.get(key);
    const delayMs = pair?.delayMs ?? RETRY_MIN_MS;
    this.#pairs.set(key, {
      until: now + delayMs,
      delayMs: Math.min(delayMs * 2, RETRY_MAX_MS),
      failures: (pair?.failures ?? 0) + 1,
    });
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.retry();
    }, delayMs);
    this.#timers.add(timer);
  }

  /** The call of `key` came up, or the pair is gone: its next failure starts from RETRY_MIN_MS. */
  forget(key: string): void {
    this.#pairs.delete(key);
  }

  /** Cancels the pending retries. */
  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
