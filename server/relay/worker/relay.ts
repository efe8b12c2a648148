/**
 * The relay peer (werift): receives each student's screen once and forwards its RTP packets to
 * every supervisor of the room, never decoding or re-encoding. Signalling is PeerJS's own, so
 * students call the relay as they would call a supervisor, and supervisors receive relayed calls
 * through the same code path, with metadata naming the student.
 *
 * Adaptive quality survives the relay: each student sends a cheap thumbnail leg; while some
 * supervisor zooms into them, the relay asks for a second, full-quality leg and forwards it to the
 * zooming supervisors alone, switching each viewer between legs at a keyframe.
 *
 * Cost follows what supervisors see: the relay forwards nothing to a supervisor who cannot see a
 * student's tile (resuming at a keyframe it asks for when the tile comes back), gives a large tile
 * the full leg, and asks the student for a thumbnail leg as large and as fast as the largest tile
 * that uses it, and for none at all while nobody sees it.
 *
 * Codec per viewer: each leg is in one codec, and a viewer that prefers H.264 (an iPad) gets the
 * student's H.264 legs, asked for while such a viewer watches; the others get VP8. legs.ts decides
 * which legs are wanted and which one each viewer receives; this file only carries it out.
 *
 * The screen a supervisor shows to the class is one more source: the presenter calls the relay with
 * it once, and the relay calls every student with it, as it calls supervisors with a student's
 * screen, so the presenter uploads one stream whatever the size of the class. It has one leg and
 * no views: a shown screen is for reading, at full quality.
 */
import { randomBytes } from 'node:crypto';
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpPayloadSpecificFeedback,
  PictureLossIndication,
  RtpHeader,
  RtpPacket,
  type RTCDataChannel,
  type RTCRtpTransceiver,
  type RTCIceCandidate,
} from 'werift';
import {
  legForView,
  parseCallMetadata,
  parsePresentationCallMetadata,
  parseSupervisorMessage,
  relayNoticeMessage,
  viewMessage,
  type CallMetadata,
  type PresentationCallMetadata,
  type QualityLevel,
  type Surface,
  type TileView,
  type VideoCodec,
} from '../../../src/shared/protocol.ts';
import {
  BASE_LEG,
  H264_FMTP,
  answerCodecs,
  isKeyframeStart,
  keepCodec,
  legName,
  targetLeg,
  wantedLegs,
  type Leg,
} from './legs.ts';
import type { PeerMessage } from './peer-client.ts';
import { LINGER_MS, type RelayRoom } from '../messages.ts';

/** Keyframe requests upstream: at most one this often per student, however many supervisors ask. */
const PLI_MIN_INTERVAL_MS = 500;
/** A new subscriber gets keyframe requests this often until one has reached it. */
const KEYFRAME_RETRY_MS = 300;
/** A call to a supervisor that has not connected in this time is given up and placed again later. */
const CONNECT_TIMEOUT_MS = 10_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 10_000;
/** One frame at 30 fps in RTP's 90 kHz video clock: the gap left in timestamps at a switch of leg. */
const FRAME_TICKS = 3000;

interface Publisher {
  /** Whose screen: a student's member id, or `presentationSource(id)` for the screen shown to the class. */
  sourceId: string;
  /** Which call of the student this is: a level in a codec (see legs.ts). */
  leg: Leg;
  codec: VideoCodec;
  /** RTP timestamp of the last keyframe seen, so only its first packet starts a viewer or a switch. */
  keyframeTimestamp: number | null;
  peerId: string;
  connectionId: string;
  pc: RTCPeerConnection;
  transceiver: RTCRtpTransceiver | null;
  ssrc: number | null;
  surface: Surface | null;
  lastPliAt: number;
  /** The data channel PeerJS opened with the call: the relay tells the student who receives them. */
  channel: RTCDataChannel | null;
  /** The last view of this leg sent to the student (what all its viewers add up to). */
  sentView: string | null;
  /** On the base leg: the last legs notice sent to the student. */
  sentLegs: string | null;
  /** Since when the routes have not wanted this call (it lingers for LINGER_MS). */
  unwantedSince: number | null;
}

interface Subscriber {
  /** Whose screen this call carries (see `Publisher.sourceId`). */
  sourceId: string;
  /** Who receives it: a supervisor, or a student watching the screen shown to the class. */
  viewerId: string;
  /** Set on a call carrying the screen shown to the class: what the student's app is told it is. */
  presentation: PresentationCallMetadata | null;
  peerId: string;
  connectionId: string;
  pc: RTCPeerConnection;
  transceiver: RTCRtpTransceiver;
  connected: boolean;
  gotKeyframe: boolean;
  keyframeTimer?: ReturnType<typeof setInterval>;
  connectTimer?: ReturnType<typeof setTimeout>;
  /** Since when the routes have not wanted this call (it lingers for LINGER_MS). */
  unwantedSince: number | null;
  /** The leg this viewer receives, the one it switches to at the next keyframe, and the level it asked for. */
  source: Leg;
  pending: Leg | null;
  wants: QualityLevel;
  /** The codecs its answer accepted, most preferred first, as werift's send parameters; empty until it answers. */
  codecs: Map<VideoCodec, RTCRtpCodecParameters>;
  /** Last header sent, and when, so a switch of leg or a resume continues sequence numbers and timestamps. */
  last: { sequenceNumber: number; timestamp: number; atMs: number } | null;
  /** Whether the supervisor can see this student's tile (until they say, yes); nothing is forwarded while not. */
  visible: boolean;
  /** How the supervisor last said the tile is shown; null until they do. */
  view: TileView | null;
}

/** The relay's peers and the forwarding between them. */
export class Relay {
  /** RTP packets sent to viewers since the relay started (for the operators' metrics). */
  forwardedPackets = 0;
  readonly #publishers = new Map<string, Publisher>();
  readonly #subscribers = new Map<string, Subscriber>();
  /** The same subscribers by student: each packet is forwarded without looking at anyone else's. */
  readonly #viewersOf = new Map<string, Set<Subscriber>>();
  readonly #rooms = new Map<string, RelayRoom>();
  /** Sources sending at the last update: a student who stops has hung up, however late werift notices. */
  #sharing = new Set<string>();
  /** Per student/supervisor pair whose call failed: when to call again, and the delay after that. */
  readonly #backoff = new Map<string, { until: number; delayMs: number }>();
  /** Students whose browser offered no H.264 we forward: not asked for H.264 legs again this share. */
  readonly #noH264 = new Set<string>();

  readonly #lingerTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly send: (message: PeerMessage) => void,
    private readonly options: {
      announcedIps: string[];
      portRange: [number, number] | null;
      /** A STUN server of our own (see run-relay.ts): werift would otherwise ask stun.l.google.com. */
      stunUrl: string;
    },
  ) {
    // Lingering calls run out without any update from the server; nothing to do while none lingers.
    this.#lingerTimer = setInterval(() => {
      const lingering = [...this.#publishers.values(), ...this.#subscribers.values()].some(
        (call) => call.unwantedSince !== null,
      );
      if (lingering) this.#reconcilePublishers();
    }, 1000);
  }

  /** The server's view of who may publish and who receives changed, for some rooms or (`complete`) all. */
  updateRooms(update: { rooms: RelayRoom[]; removed: string[]; complete: boolean }): void {
    if (update.complete) this.#rooms.clear();
    for (const room of update.rooms) this.#rooms.set(room.code, room);
    for (const code of update.removed) this.#rooms.delete(code);
    this.#reconcilePublishers();
  }

  /**
   * Closes the calls of students who stopped sharing or left, at once; a call the routes no longer
   * want lingers (see LINGER_MS). Then brings the calls to supervisors in line.
   */
  #reconcilePublishers(): void {
    const now = Date.now();
    const sources = sourcesOf(this.#rooms.values());
    const sharing = new Set([...sources].filter(([, source]) => source.sharing).map(([id]) => id));
    for (const publisher of [...this.#publishers.values()]) {
      const source = sources.get(publisher.sourceId);
      const stopped = this.#sharing.has(publisher.sourceId) && !sharing.has(publisher.sourceId);
      if (stopped || source?.peerId !== publisher.peerId) {
        this.#closePublisher(publisher);
      } else if (source.publishes) {
        publisher.unwantedSince = null;
      } else {
        publisher.unwantedSince ??= now;
        if (now - publisher.unwantedSince >= LINGER_MS) this.#closePublisher(publisher);
      }
    }
    this.#sharing = sharing;
    this.#reconcileSubscribers();
  }

  /** A signalling message for the relay. */
  handle(message: PeerMessage): void {
    const { type, src, payload } = message;
    if (!src) return;
    if (type === 'OFFER' && payload?.type === 'media' && payload.sdp && payload.connectionId) {
      void this.#acceptCall(src, payload.connectionId, payload.sdp, payload.metadata);
    } else if (type === 'ANSWER' && payload?.sdp && payload.connectionId) {
      const subscriber = this.#findSubscriber(payload.connectionId);
      const answer = payload.sdp as { type: 'answer'; sdp: string };
      if (subscriber)
        void subscriber.pc
          .setRemoteDescription(answer)
          .then(() => this.#onAnswered(subscriber, answer.sdp))
          .catch(() => this.#closeSubscriber(subscriber));
    } else if (type === 'CANDIDATE' && payload?.candidate && payload.connectionId) {
      const candidate = payload.candidate as RTCIceCandidate;
      // A browser's mDNS name (`<uuid>.local`) means nothing to a server: looking it up only waits
      // for a DNS timeout (5 s where no resolver answers) before ICE can start. The STUN responder
      // gives browsers a candidate with their real address instead.
      if (isMdnsCandidate(candidate.candidate)) return;
      const pc = this.#publishers.get(payload.connectionId)?.pc ?? this.#findSubscriber(payload.connectionId)?.pc;
      void pc?.addIceCandidate(candidate).catch(() => undefined);
    } else if (type === 'LEAVE' || type === 'EXPIRE') {
      for (const p of [...this.#publishers.values()]) if (p.peerId === src) this.#closePublisher(p);
      for (const s of [...this.#subscribers.values()]) if (s.peerId === src) this.#closeSubscriber(s);
    }
  }

  /** Closes every connection. */
  close(): void {
    clearInterval(this.#lingerTimer);
    for (const p of [...this.#publishers.values()]) this.#closePublisher(p);
    for (const s of [...this.#subscribers.values()]) this.#closeSubscriber(s);
  }

  /** A peer connection for video in `codecs` (a student's leg: its one codec; a viewer: both). */
  #newPeerConnection(codecs: readonly VideoCodec[]): RTCPeerConnection {
    return new RTCPeerConnection({
      codecs: { video: relayVideoCodecs(codecs) },
      headerExtensions: { video: [] },
      // Without a STUN server werift uses Google's, from the school's server, and where DNS or
      // that server does not answer every call waits 5 s for it before its offer or answer.
      iceServers: [{ urls: this.options.stunUrl }],
      iceAdditionalHostAddresses: this.options.announcedIps,
      icePortRange: this.options.portRange ?? undefined,
    });
  }

  #trickle(pc: RTCPeerConnection, peerId: string, connectionId: string): void {
    pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate) return;
      this.send({
        type: 'CANDIDATE',
        dst: peerId,
        payload: { candidate: candidate.toJSON(), type: 'media', connectionId },
      });
    });
  }

  /**
   * A student calls with their screen, or a presenter with the screen shown to the class: answer
   * receive-only, if the routes send it to the relay.
   */
  async #acceptCall(peerId: string, connectionId: string, offer: { type: string; sdp: string }, metadata: unknown) {
    const call = this.#callSource(peerId, metadata);
    if (!call) return;
    const { sourceId, codec, level, surface } = call;
    const leg = legName({ level, codec });
    // Only the one format this leg forwards is answered; a student who cannot send it is not asked again.
    const sdp = keepCodec(offer.sdp, codec);
    if (!sdp) {
      if (codec === 'H264') this.#noH264.add(sourceId);
      this.#updateLegs(sourceId);
      return;
    }
    const previous = this.#publisherOf(sourceId, leg);
    const pc = this.#newPeerConnection([codec]);
    const publisher: Publisher = {
      sourceId,
      leg,
      codec,
      keyframeTimestamp: null,
      peerId,
      connectionId,
      pc,
      transceiver: null,
      ssrc: null,
      surface,
      lastPliAt: 0,
      channel: null,
      sentView: null,
      sentLegs: null,
      unwantedSince: null,
    };
    pc.onDataChannel.subscribe((channel) => {
      publisher.channel = channel;
      channel.stateChanged.subscribe((state) => {
        if (state === 'open') {
          this.#tellViewers(publisher.sourceId);
          // Legs asked for before the first call's channel opened are asked for now.
          if (leg === BASE_LEG) this.#updateLegs(publisher.sourceId);
        }
        // PeerJS closes the channel when it hangs up: quicker news than the connection's state.
        if (state === 'closed') this.#closePublisher(publisher);
      });
    });
    this.#publishers.set(connectionId, publisher);
    this.#trickle(pc, peerId, connectionId);
    pc.onTrack.subscribe((track) => {
      publisher.transceiver = pc.getTransceivers().find((t) => t.receiver.track === track) ?? null;
      track.onReceiveRtp.subscribe((rtp) => {
        publisher.ssrc = rtp.header.ssrc;
        this.#forward(publisher, rtp);
      });
    });
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed' || state === 'closed') this.#closePublisher(publisher);
      if (state === 'connected') {
        // The newest call from a student replaces an older one (a reload, a rebuilt call).
        if (previous && previous !== publisher) this.#closePublisher(previous);
        if (leg !== BASE_LEG) this.#updateLegs(sourceId);
        this.#reconcileSubscribers();
      }
    });
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      this.send({
        type: 'ANSWER',
        dst: peerId,
        payload: { sdp: toInit(pc.localDescription!), type: 'media', connectionId },
      });
    } catch {
      this.#closePublisher(publisher);
    }
  }

  /** Whose screen an incoming call carries, if the routes send it here; null for a call to refuse. */
  #callSource(
    peerId: string,
    metadata: unknown,
  ): { sourceId: string; codec: VideoCodec; level: QualityLevel; surface: Surface | null } | null {
    const shown = parsePresentationCallMetadata(metadata);
    if (shown) {
      const room = [...this.#rooms.values()].find(
        (r) => r.presentation?.id === shown.presentationId && r.presentation.presenterPeerId === peerId,
      );
      // A shown screen has one leg, the base one, in VP8 (every browser that presents encodes it);
      // its size is the presenter's whole screen, not a thumbnail.
      return room
        ? { sourceId: presentationSource(shown.presentationId), codec: 'VP8', level: 'thumbnail', surface: null }
        : null;
    }
    const call = parseCallMetadata(metadata);
    const student = [...this.#rooms.values()]
      .flatMap((r) => r.students)
      .find((s) => s.publishes && s.peerId === peerId);
    if (!student || !call || student.memberId !== call.studentId) return null;
    return {
      sourceId: student.memberId,
      codec: call.codec ?? 'VP8',
      level: call.leg ?? 'thumbnail',
      surface: call.surface,
    };
  }

  /**
   * Each publishing student goes to the supervisors the server says receive them through the relay,
   * and the screen shown to the class to the students it names. A call no longer wanted lingers
   * while both members are still in the room.
   */
  #reconcileSubscribers(): void {
    const wanted = new Map<string, Want>();
    const present = new Set<string>();
    const pairs = new Set<string>();
    const now = Date.now();
    const want = (
      sourceId: string,
      viewer: { memberId: string; peerId: string },
      presentation: Want['presentation'],
    ) => {
      const key = `${sourceId}/${viewer.memberId}`;
      pairs.add(key);
      if ((this.#backoff.get(key)?.until ?? 0) > now) return;
      wanted.set(key, { sourceId, viewerId: viewer.memberId, peerId: viewer.peerId, presentation });
    };
    const publishing = (sourceId: string) => this.#publisherOf(sourceId, BASE_LEG)?.pc.connectionState === 'connected';
    for (const room of this.#rooms.values()) {
      for (const student of room.students) {
        for (const supervisor of room.supervisors) present.add(`${student.memberId}/${supervisor.memberId}`);
        if (!publishing(student.memberId)) continue;
        for (const supervisor of room.supervisors)
          if (student.viewers.includes(supervisor.memberId)) want(student.memberId, supervisor, null);
      }
      const shown = room.presentation;
      if (!shown) continue;
      const sourceId = presentationSource(shown.id);
      for (const student of shown.viewers) present.add(`${sourceId}/${student.memberId}`);
      if (!publishing(sourceId)) continue;
      for (const student of shown.viewers) want(sourceId, student, { presentationId: shown.id, name: shown.name });
    }
    for (const key of this.#backoff.keys()) if (!pairs.has(key)) this.#backoff.delete(key);
    for (const [key, subscriber] of [...this.#subscribers]) {
      if (wanted.has(key)) {
        subscriber.unwantedSince = null;
        continue;
      }
      subscriber.unwantedSince ??= now;
      // A student who stopped sharing has nothing to make before break: the supervisor hangs up
      // their side at once, and a call kept here would take the student's next share for LINGER_MS.
      const stopped = !this.#sharing.has(subscriber.sourceId);
      if (!present.has(key) || stopped || now - subscriber.unwantedSince >= LINGER_MS)
        this.#closeSubscriber(subscriber);
    }
    for (const [key, want] of wanted) if (!this.#subscribers.has(key)) void this.#subscribe(key, want);
  }

  /** Calls a supervisor with one student's screen, or a student with the screen shown to the class. */
  async #subscribe(key: string, want: Want) {
    const pc = this.#newPeerConnection(['VP8', 'H264']);
    const transceiver = pc.addTransceiver('video', { direction: 'sendonly' });
    // PeerJS closes a media call when its data channel closes, and zoom requests travel on it.
    const channel = pc.createDataChannel('relay');
    const connectionId = `mc_relay${randomBytes(6).toString('hex')}`;
    const subscriber: Subscriber = {
      ...want,
      connectionId,
      pc,
      transceiver,
      connected: false,
      gotKeyframe: false,
      source: BASE_LEG,
      pending: null,
      wants: 'thumbnail',
      codecs: new Map(),
      last: null,
      unwantedSince: null,
      visible: true,
      view: null,
    };
    // Whatever ends a call we did not end ourselves, the viewer should still get the screen: call
    // again after a backoff. A supervisor who cannot reach the relay at all reports it from their
    // browser too, and after two failures the server sends them screens directly. (A student
    // watching the shown screen does not report yet: one who cannot reach the relay, and whose own
    // share does not report it, is only called again.)
    const failed = () => this.#retrySubscriber(key, subscriber);
    channel.stateChanged.subscribe((state) => {
      // A call is up once its data channel is: a connection that looks connected on our side
      // while DTLS failed on theirs (seen under load) never opens it, and is placed again.
      if (state === 'open') {
        clearTimeout(subscriber.connectTimer);
        this.#backoff.delete(key);
      }
      if (state === 'closed') failed();
    });
    channel.onMessage.subscribe((data) => this.#onSupervisorMessage(subscriber, String(data)));
    this.#subscribers.set(key, subscriber);
    let viewers = this.#viewersOf.get(want.sourceId);
    if (!viewers) this.#viewersOf.set(want.sourceId, (viewers = new Set()));
    viewers.add(subscriber);
    this.#trickle(pc, want.peerId, connectionId);
    transceiver.sender.onRtcp.subscribe((rtcp) => {
      if (rtcp instanceof RtcpPayloadSpecificFeedback && rtcp.feedback instanceof PictureLossIndication) {
        this.#requestKeyframe(want.sourceId, subscriber.pending ?? subscriber.source);
      }
    });
    subscriber.connectTimer = setTimeout(failed, CONNECT_TIMEOUT_MS);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        subscriber.connected = true;
        this.#tellViewers(want.sourceId);
        // A screen encoder sends almost no keyframes by itself: ask until one reaches this viewer.
        this.#awaitKeyframe(subscriber);
      }
      if (state === 'failed' || state === 'closed') failed();
    });
    const publisher = this.#publisherOf(want.sourceId, BASE_LEG);
    const metadata: CallMetadata | PresentationCallMetadata = want.presentation ?? {
      studentId: want.sourceId,
      surface: publisher?.surface ?? null,
      relayed: true,
    };
    try {
      await pc.setLocalDescription(await pc.createOffer());
      this.send({
        type: 'OFFER',
        dst: want.peerId,
        payload: { sdp: toInit(pc.localDescription!), type: 'media', connectionId, metadata },
      });
    } catch {
      this.#closeSubscriber(subscriber);
    }
  }

  /** A supervisor answered: note the codecs it accepted, in its order, and give it the leg for its codec. */
  #onAnswered(subscriber: Subscriber, sdp: string): void {
    const negotiated = subscriber.transceiver.codecs;
    subscriber.codecs = new Map();
    for (const [codec, payloadType] of answerCodecs(sdp)) {
      const parameters = negotiated.find((c) => c.payloadType === payloadType);
      if (parameters) subscriber.codecs.set(codec, parameters);
    }
    this.#updateLegs(subscriber.sourceId);
  }

  /**
   * A supervisor says how they show this student (or, from an older app, only the level they want):
   * pick the leg for the tile's size, stop or resume forwarding, and tell the student what is needed.
   */
  #onSupervisorMessage(subscriber: Subscriber, data: string): void {
    const request = parseSupervisorMessage(data);
    if (!request) return;
    const view = request.type === 'view' ? request : null;
    const visible = view?.visible ?? true;
    subscriber.view = view;
    subscriber.wants = view ? legForView(view) : request.level;
    if (visible && !subscriber.visible) {
      // Back in view: resume at a keyframe, asked for now rather than at the encoder's leisure.
      subscriber.visible = true;
      this.#awaitKeyframe(subscriber);
    }
    subscriber.visible = visible;
    this.#updateLegs(subscriber.sourceId);
    this.#tellStudentView(subscriber.sourceId);
  }

  /** Forwards nothing to a subscriber until a keyframe reaches them, asking the student for one until then. */
  #awaitKeyframe(subscriber: Subscriber): void {
    subscriber.gotKeyframe = false;
    clearInterval(subscriber.keyframeTimer);
    const ask = () => this.#requestKeyframe(subscriber.sourceId, subscriber.pending ?? subscriber.source, true);
    ask();
    subscriber.keyframeTimer = setInterval(() => {
      if (subscriber.gotKeyframe || !subscriber.visible) return clearInterval(subscriber.keyframeTimer);
      ask();
    }, KEYFRAME_RETRY_MS);
  }

  /**
   * Tells the student what each thumbnail leg must carry: the largest tile and the most tiles'
   * frame rate among the supervisors who see it on that leg, or nothing while nobody does.
   */
  #tellStudentView(sourceId: string): void {
    for (const leg of ['thumbnail/VP8', 'thumbnail/H264'] as const) this.#tellLegView(sourceId, leg);
  }

  /** Tells the student what one thumbnail leg must carry, if that changed. */
  #tellLegView(sourceId: string, leg: Leg): void {
    const publisher = this.#publisherOf(sourceId, leg);
    if (publisher?.channel?.readyState !== 'open' || isPresentationSource(sourceId)) return;
    const onLeg = [...(this.#viewersOf.get(sourceId) ?? [])].filter(
      (s) => s.visible && (s.source === leg || s.pending === leg),
    );
    const views = onLeg.map((s) => s.view ?? { widthPx: 640, heightPx: 360, tilesShown: 1 });
    const message = viewMessage({
      level: 'thumbnail',
      visible: onLeg.length > 0,
      widthPx: Math.max(0, ...views.map((v) => Math.min(v.widthPx, 640))),
      heightPx: Math.max(0, ...views.map((v) => v.heightPx)),
      tilesShown: views.length > 0 ? Math.max(1, Math.min(...views.map((v) => v.tilesShown))) : 1,
    });
    if (publisher.sentView === message) return;
    publisher.sentView = message;
    publisher.channel.send(message);
  }

  /** Hangs up a call that failed (or never came up), and places it again after a growing delay. */
  #retrySubscriber(key: string, subscriber: Subscriber): void {
    if (this.#subscribers.get(key) !== subscriber) return;
    this.#closeSubscriber(subscriber);
    const delayMs = this.#backoff.get(key)?.delayMs ?? RETRY_MIN_MS;
    this.#backoff.set(key, { until: Date.now() + delayMs, delayMs: Math.min(delayMs * 2, RETRY_MAX_MS) });
    setTimeout(() => this.#reconcileSubscribers(), delayMs);
  }

  #forward(publisher: Publisher, rtp: RtpPacket): void {
    // Padding-only packets are bandwidth probes for the student's own link; they carry no picture.
    if (rtp.payload.length === 0) return;
    const viewers = this.#viewersOf.get(publisher.sourceId);
    if (!viewers) return;
    // The hot path: this runs once per packet per viewer. What every viewer shares (the keyframe
    // test, the clock, the header's fields) is read once per packet, and nothing is allocated per
    // viewer beyond the header and packet werift keeps for retransmission.
    // Only a keyframe's first packet starts a viewer or a switch (H.264 flags its parameter sets
    // and its picture, which share one timestamp).
    let keyframe = false;
    if (isKeyframeStart(publisher.codec, rtp.payload) && rtp.header.timestamp !== publisher.keyframeTimestamp) {
      keyframe = true;
      publisher.keyframeTimestamp = rtp.header.timestamp;
    }
    const { sequenceNumber, timestamp, marker, csrc, csrcLength } = rtp.header;
    const nowMs = Date.now();
    for (const subscriber of viewers) {
      // A supervisor who cannot see this student gets nothing.
      if (!subscriber.connected || !subscriber.visible) continue;
      const codec = subscriber.codecs.get(publisher.codec);
      if (!codec) continue;
      const sender = subscriber.transceiver.sender;
      if (subscriber.pending === publisher.leg && keyframe) {
        // Switch legs at a keyframe, continuing the viewer's sequence numbers and timestamps.
        if (subscriber.last) {
          sender.replaceRTP({
            sequenceNumber: (sequenceNumber - 1) & 0xffff,
            timestamp: (timestamp - FRAME_TICKS) >>> 0,
          });
        }
        subscriber.source = publisher.leg;
        subscriber.pending = null;
      }
      if (subscriber.source !== publisher.leg) continue;
      if (!subscriber.gotKeyframe) {
        // A new or resumed viewer starts at a keyframe, continuing its sequence numbers, with a
        // gap in timestamps as long as the pause, so its decoder neither waits nor rushes.
        if (!keyframe) continue;
        subscriber.gotKeyframe = true;
        if (subscriber.last) {
          const pauseTicks = Math.max(FRAME_TICKS, Math.round((nowMs - subscriber.last.atMs) * 90));
          sender.replaceRTP({
            sequenceNumber: (sequenceNumber - 1) & 0xffff,
            timestamp: (timestamp - pauseTicks) >>> 0,
          });
        }
      }
      // sendRtp rewrites the header and keeps the packet for retransmission: each viewer gets its
      // own header, without the student's header extensions (their ids were negotiated upstream)
      // or padding. The payload is shared: it is only read (encrypted into a new buffer).
      const header = new RtpHeader({ sequenceNumber, timestamp, marker, csrc, csrcLength });
      // werift sends every packet in the sender's one negotiated codec (its payload type); a viewer
      // moves between legs in different codecs, so the codec is set to this packet's before each send.
      sender.codec = codec;
      if (subscriber.last) {
        subscriber.last.sequenceNumber = sequenceNumber;
        subscriber.last.timestamp = timestamp;
        subscriber.last.atMs = nowMs;
      } else {
        subscriber.last = { sequenceNumber, timestamp, atMs: nowMs };
      }
      void sender.sendRtp(new RtpPacket(header, rtp.payload)).catch(() => undefined);
      this.forwardedPackets++;
    }
  }

  /**
   * Asks the student for the legs its viewers need (full quality while one zooms, H.264 while one
   * prefers it) and lets the others go, and moves each viewer toward its leg once that leg is up.
   */
  #updateLegs(sourceId: string): void {
    const viewers = [...(this.#viewersOf.get(sourceId) ?? [])];
    const codecsOf = (s: Subscriber): VideoCodec[] => (s.codecs.size > 0 ? [...s.codecs.keys()] : ['VP8']);
    const sendable = new Set<VideoCodec>(this.#noH264.has(sourceId) ? ['VP8'] : ['VP8', 'H264']);
    const legs = wantedLegs(
      viewers.map((s) => ({ wants: s.wants, visible: s.visible, codecs: codecsOf(s) })),
      sendable,
    );
    const base = this.#publisherOf(sourceId, BASE_LEG);
    const notice = relayNoticeMessage({ type: 'legs', legs });
    if (base?.channel?.readyState === 'open' && base.sentLegs !== notice && !isPresentationSource(sourceId)) {
      base.sentLegs = notice;
      // Apps from before codec legs read only this one.
      const wanted = legs.some((leg) => leg.level === 'full' && leg.codec === 'VP8');
      base.channel.send(relayNoticeMessage({ type: 'full-leg', wanted }));
      base.channel.send(notice);
    }
    const up = new Set<Leg>();
    for (const p of this.#publishers.values())
      if (p.sourceId === sourceId && p.pc.connectionState === 'connected') up.add(p.leg);
    for (const viewer of viewers) {
      const target = targetLeg({ wants: viewer.wants, codecs: codecsOf(viewer) }, up);
      if (!viewer.last && viewer.source !== target) {
        // Nothing sent to this viewer yet: it starts on its leg, at that leg's next keyframe.
        viewer.source = target;
        viewer.pending = null;
        this.#requestKeyframe(sourceId, target, true);
        continue;
      }
      viewer.pending = target === viewer.source ? null : target;
      if (viewer.pending) this.#requestKeyframe(sourceId, viewer.pending, true);
    }
    this.#tellStudentView(sourceId);
  }

  /** Tells a student which supervisors receive their screen through the relay right now (a presenter is told nothing). */
  #tellViewers(sourceId: string): void {
    const channel = this.#publisherOf(sourceId, BASE_LEG)?.channel;
    if (channel?.readyState !== 'open' || isPresentationSource(sourceId)) return;
    const supervisorIds = [...(this.#viewersOf.get(sourceId) ?? [])].filter((s) => s.connected).map((s) => s.viewerId);
    channel.send(relayNoticeMessage({ type: 'viewers', supervisorIds }));
    this.#tellStudentView(sourceId);
  }

  #requestKeyframe(sourceId: string, leg: Leg, urgent = false): void {
    const publisher = this.#publisherOf(sourceId, leg);
    if (!publisher?.transceiver || publisher.ssrc === null) return;
    const now = Date.now();
    if (!urgent && now - publisher.lastPliAt < PLI_MIN_INTERVAL_MS) return;
    publisher.lastPliAt = now;
    void publisher.transceiver.receiver.sendRtcpPLI(publisher.ssrc).catch(() => undefined);
  }

  #publisherOf(sourceId: string, leg: Leg): Publisher | undefined {
    let newest: Publisher | undefined;
    for (const p of this.#publishers.values()) {
      if (p.sourceId !== sourceId || p.leg !== leg) continue;
      if (!newest || p.pc.connectionState === 'connected') newest = p;
    }
    return newest;
  }

  #findSubscriber(connectionId: string): Subscriber | undefined {
    for (const s of this.#subscribers.values()) if (s.connectionId === connectionId) return s;
    return undefined;
  }

  #closePublisher(publisher: Publisher): void {
    if (this.#publishers.get(publisher.connectionId) !== publisher) return;
    this.#publishers.delete(publisher.connectionId);
    void publisher.pc.close();
    if (publisher.leg !== BASE_LEG) {
      // Viewers on a closed leg go back to another at its next keyframe.
      this.#updateLegs(publisher.sourceId);
    } else {
      // A new share (or a rebuilt call) reaches supervisors as fresh calls, not on old ones; it may
      // come from another browser, which may send H.264.
      this.#noH264.delete(publisher.sourceId);
      for (const s of [...this.#subscribers.values()]) if (s.sourceId === publisher.sourceId) this.#closeSubscriber(s);
    }
    this.#reconcileSubscribers();
  }

  #closeSubscriber(subscriber: Subscriber): void {
    const key = `${subscriber.sourceId}/${subscriber.viewerId}`;
    if (this.#subscribers.get(key) !== subscriber) return;
    this.#subscribers.delete(key);
    const viewers = this.#viewersOf.get(subscriber.sourceId);
    viewers?.delete(subscriber);
    if (viewers?.size === 0) this.#viewersOf.delete(subscriber.sourceId);
    clearInterval(subscriber.keyframeTimer);
    clearTimeout(subscriber.connectTimer);
    void subscriber.pc.close();
    this.#tellViewers(subscriber.sourceId);
  }
}

/** The video formats the relay negotiates, in `codecs`' order, as werift takes them. */
export function relayVideoCodecs(codecs: readonly VideoCodec[]): RTCRtpCodecParameters[] {
  return codecs.map(
    (codec) =>
      new RTCRtpCodecParameters({
        mimeType: `video/${codec}`,
        clockRate: 90000,
        ...(codec === 'H264' ? { parameters: H264_FMTP } : {}),
        // REMB, not transport-cc: with transport-cc Chrome's estimate toward werift stays at
        // 100–300 kbps; with REMB it ramps normally.
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
      }),
  );
}

function toInit(description: { type: string; sdp: string }): { type: string; sdp: string } {
  return { type: description.type, sdp: description.sdp };
}

/** Whether an ICE candidate line names its address by an mDNS `.local` name rather than an IP. */
export function isMdnsCandidate(line: string | undefined): boolean {
  // candidate:<foundation> <component> <protocol> <priority> <address> <port> typ …
  return /\.local$/i.test(line?.split(' ')[4] ?? '');
}

/** A call the relay should have up: whose screen, to whom, and for a shown screen what to tell the student. */
interface Want {
  sourceId: string;
  viewerId: string;
  peerId: string;
  presentation: PresentationCallMetadata | null;
}

/** The source id of a screen shown to the class (member ids never contain a colon). */
function presentationSource(presentationId: string): string {
  return `presentation:${presentationId}`;
}

function isPresentationSource(sourceId: string): boolean {
  return sourceId.startsWith('presentation:');
}

/**
 * Every source the rooms name, by source id: who sends it, whether it is being sent at all, and
 * whether the routes send it here.
 */
function sourcesOf(rooms: Iterable<RelayRoom>): Map<string, { peerId: string; sharing: boolean; publishes: boolean }> {
  const sources = new Map<string, { peerId: string; sharing: boolean; publishes: boolean }>();
  for (const room of rooms) {
    for (const s of room.students)
      sources.set(s.memberId, { peerId: s.peerId, sharing: s.sharing, publishes: s.publishes });
    const shown = room.presentation;
    if (shown)
      sources.set(presentationSource(shown.id), { peerId: shown.presenterPeerId, sharing: true, publishes: true });
  }
  return sources;
}
