/**
 * The relay peer (werift): receives each student's screen once and forwards its RTP packets to
 * every supervisor of the room, never decoding or re-encoding. This class orchestrates: it decides
 * nothing itself (plan.ts: which calls should exist; legs.ts: which legs and which leg per viewer)
 * and owns no call's resources (publisher.ts, subscriber.ts; rtp-rewriter.ts rewrites headers).
 *
 * Signalling is PeerJS's own, so students call the relay as they would call a supervisor, and
 * supervisors receive relayed calls through the same code path, with metadata naming the student.
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
 * student's H.264 legs, asked for while such a viewer watches; the others get VP8.
 *
 * The screen a supervisor shows to the class is one more source, the room's stage: the presenter
 * sends it to the relay once, and the relay sends it on to every student, as it calls supervisors
 * with a student's screen, so the presenter uploads one stream whatever the size of the class. In a
 * large class these calls stand ready before anything is shown (see plan.ts, #updateFeeds). It has
 * one leg and no views: a shown screen is for reading, at full quality.
 */
import type { RTCIceCandidate, RTCPeerConnection, RtpPacket } from 'werift';
import {
  relayNoticeMessage,
  surfaceMessage,
  viewMessage,
  type CallMetadata,
  type PresentationCallMetadata,
  type VideoCodec,
} from '../../../src/shared/protocol.ts';
import { HandshakeQueue } from './handshakes.ts';
import { BASE_LEG, keepCodec, legName, targetLeg, wantedLegs, type Leg } from './legs.ts';
import type { PeerMessage } from './peer-client.ts';
import {
  asDtlsServer,
  isMdnsCandidate,
  relayPeerConnection,
  toInit,
  withStartBitrate,
  type PeerConnectionOptions,
} from './peer-connection.ts';
import { callSource, isStageSource, planPublishers, planSubscribers, stageSource, type Want } from './plan.ts';
import { Publisher } from './publisher.ts';
import { RetryBackoff, Subscriber } from './subscriber.ts';
import { trace, tracing } from './trace.ts';
import type { RelayRoom } from '../messages.ts';

/** The relay's peers and the forwarding between them. */
export class Relay {
  /** RTP packets sent to viewers since the relay started (for the operators' metrics). */
  forwardedPackets = 0;
  /** Incoming legs by connection id. */
  readonly #publishers = new Map<string, Publisher>();
  /** The call feeding each stage now (see #updateFeeds): no other call's packets reach its viewers. */
  #feeds = new Map<string, Publisher>();
  /** Calls to viewers by source/viewer pair (plan.ts's pairKeyOf). */
  readonly #subscribers = new Map<string, Subscriber>();
  /** The same subscribers by source: each packet is forwarded without looking at anyone else's. */
  readonly #viewersOf = new Map<string, Set<Subscriber>>();
  readonly #rooms = new Map<string, RelayRoom>();
  /** Sources sending at the last update: a student who stops has hung up, however late werift notices. */
  #sharing = new Set<string>();
  /** Pairs whose call failed: when to call again, and the delay after that. */
  readonly #backoff = new RetryBackoff(() => this.#reconcileSubscribers());
  /** Calls to viewers coming up, a few at a time (handshakes.ts). */
  readonly #handshakes = new HandshakeQueue<Subscriber>();
  /** Students whose browser offered no H.264 we forward: not asked for H.264 legs again this share. */
  readonly #noH264 = new Set<string>();

  readonly #lingerTimer: ReturnType<typeof setInterval>;

  constructor(
    private readonly send: (message: PeerMessage) => void,
    private readonly options: PeerConnectionOptions,
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
    if (tracing)
      trace('rooms', {
        complete: update.complete,
        removed: update.removed.length,
        presentations: [...this.#rooms.values()].map((r) => r.presentation?.viewers.length ?? null),
      });
    this.#reconcilePublishers();
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
          .then(() => {
            subscriber.answered(answer.sdp);
            this.#updateLegs(subscriber.sourceId);
          })
          .catch(() => subscriber.close());
    } else if (type === 'CANDIDATE' && payload?.candidate && payload.connectionId) {
      const candidate = payload.candidate as RTCIceCandidate;
      // A browser's mDNS name (`<uuid>.local`) means nothing to a server: looking it up only waits
      // for a DNS timeout (5 s where no resolver answers) before ICE can start. The STUN responder
      // gives browsers a candidate with their real address instead.
      if (isMdnsCandidate(candidate.candidate)) return;
      const subscriber = this.#findSubscriber(payload.connectionId);
      subscriber?.candidateArrived();
      const pc = this.#publishers.get(payload.connectionId)?.pc ?? subscriber?.pc;
      void pc?.addIceCandidate(candidate).catch(() => undefined);
    } else if (type === 'LEAVE' || type === 'EXPIRE') {
      for (const p of [...this.#publishers.values()]) if (p.peerId === src) p.close();
      for (const s of [...this.#subscribers.values()]) {
        if (s.want.peerId !== src) continue;
        if (tracing) trace('viewer-left', { call: s.connectionId, source: s.sourceId });
        s.close();
      }
    }
  }

  /** Closes every connection. */
  close(): void {
    clearInterval(this.#lingerTimer);
    this.#backoff.close();
    // Nothing waiting is offered as the calls ahead of it close.
    this.#handshakes.clear();
    for (const p of [...this.#publishers.values()]) p.close();
    for (const s of [...this.#subscribers.values()]) s.close();
  }

  /**
   * Closes the calls of students who stopped sharing or left, at once; a call the routes no longer
   * want lingers (see LINGER_MS). Then brings the calls to viewers in line.
   */
  #reconcilePublishers(): void {
    const plan = planPublishers([...this.#rooms.values()], [...this.#publishers.values()], this.#sharing, Date.now());
    for (const { publisher, close, unwantedSince } of plan.verdicts) {
      publisher.unwantedSince = unwantedSince;
      if (close) publisher.close();
    }
    this.#sharing = plan.sharing;
    this.#updateFeeds();
    this.#reconcileSubscribers();
  }

  /**
   * Which call feeds each stage now: the presenter's call for the presentation shown, or else her
   * standing call (she puts the screen on it when it is up). Where the feed changed, its picture
   * held from an earlier presentation is dropped and the stage's viewers restart at its next
   * keyframe, so nobody is shown what was shown before.
   */
  #updateFeeds(): void {
    const feeds = new Map<string, Publisher>();
    for (const room of this.#rooms.values()) {
      const shown = room.presentation;
      if (!shown) continue;
      const stage = stageSource(room.code);
      let feed: Publisher | undefined;
      for (const p of this.#publishers.values()) {
        if (p.sourceId !== stage || !p.connected) continue;
        const carries = p.presentationId === shown.id || (p.standing && p.peerId === shown.presenterPeerId);
        if (carries && (!feed || feed.standing)) feed = p;
      }
      if (feed) feeds.set(stage, feed);
    }
    const changed = [...new Set([...feeds.keys(), ...this.#feeds.keys()])].filter(
      (stage) => feeds.get(stage) !== this.#feeds.get(stage),
    );
    this.#feeds = feeds;
    for (const stage of changed) {
      feeds.get(stage)?.picture.clear();
      if (tracing) trace('feed', { source: stage, standing: feeds.get(stage)?.standing ?? null });
      for (const s of this.#viewersOf.get(stage) ?? []) if (s.connected) s.awaitKeyframe();
    }
  }

  /** Places the calls to viewers that plan.ts wants, and closes those it no longer does. */
  #reconcileSubscribers(): void {
    // A student's first call counts from its answer: the calls onwards come up beside it, not after.
    const publishing = new Set<string>();
    for (const p of this.#publishers.values()) if (p.leg === BASE_LEG) publishing.add(p.sourceId);
    const plan = planSubscribers({
      rooms: [...this.#rooms.values()],
      publishing,
      sharing: this.#sharing,
      subscribers: this.#subscribers,
      backoffUntil: this.#backoff.pairs,
      now: Date.now(),
    });
    for (const key of plan.forgetBackoff) this.#backoff.forget(key);
    for (const { subscriber, close, unwantedSince } of plan.verdicts) {
      subscriber.unwantedSince = unwantedSince;
      if (close && tracing) trace('unwanted', { call: subscriber.connectionId, source: subscriber.sourceId });
      if (close) subscriber.close();
    }
    for (const [key, want] of plan.place) void this.#subscribe(key, want);
    for (const [key, subscriber] of this.#subscribers)
      if (isStageSource(subscriber.sourceId)) subscriber.carry(plan.carrying.has(key));
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
    const call = callSource([...this.#rooms.values()], peerId, metadata);
    if (!call) return;
    const { sourceId, presentationId, standing, codec, level, surface } = call;
    if (tracing) trace('publisher-offer', { source: sourceId });
    const leg = legName({ level, codec });
    // Only the one format this leg forwards is answered; a student who cannot send it is not asked again.
    const sdp = keepCodec(offer.sdp, codec);
    if (!sdp) {
      if (codec === 'H264') this.#noH264.add(sourceId);
      this.#updateLegs(sourceId);
      return;
    }
    // A stage's calls are chosen among by #updateFeeds, never replaced by the newest.
    const previous = isStageSource(sourceId) ? undefined : this.#publisherOf(sourceId, leg);
    const pc = relayPeerConnection([codec], this.options);
    const publisher = new Publisher(
      { sourceId, presentationId, standing, leg, codec, peerId, connectionId, surface },
      pc,
      {
        rtp: (p, rtp) => this.#forward(p, rtp),
        channelOpen: () => {
          this.#tellViewers(sourceId);
          // Legs asked for before the first call's channel opened are asked for now.
          if (leg === BASE_LEG) this.#updateLegs(sourceId);
        },
        surfaceChanged: (p) => {
          if (p.leg === BASE_LEG) this.#tellSurface(sourceId);
        },
        connected: () => {
          // The newest call from a student replaces an older one (a reload, a rebuilt call).
          if (previous && previous !== publisher) previous.close();
          if (leg !== BASE_LEG) this.#updateLegs(sourceId);
          if (isStageSource(sourceId)) this.#updateFeeds();
          this.#reconcileSubscribers();
        },
        closed: (p) => this.#onPublisherClosed(p),
      },
    );
    this.#publishers.set(connectionId, publisher);
    this.#trickle(pc, peerId, connectionId);
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(asDtlsServer(await pc.createAnswer()));
      const answer = toInit(pc.localDescription!);
      this.send({
        type: 'ANSWER',
        dst: peerId,
        payload: { sdp: { ...answer, sdp: withStartBitrate(answer.sdp) }, type: 'media', connectionId },
      });
    } catch {
      return publisher.close();
    }
    // Answered: call the viewers now, while the student's call comes up (a new share's first frame
    // then waits for one handshake, not two in turn).
    if (leg === BASE_LEG) this.#reconcileSubscribers();
  }

  /**
   * Calls a supervisor with one student's screen, or a student with the screen shown to the class:
   * at once if few calls are coming up, else when its turn comes (see HandshakeQueue).
   */
  #subscribe(key: string, want: Want): void {
    const pc = relayPeerConnection(['VP8', 'H264'], this.options);
    // Whatever ends a call we did not end ourselves, the viewer should still get the screen: call
    // again after a backoff. A supervisor who cannot reach the relay at all reports it from their
    // browser too, and after two failures the server sends them screens directly. (A student
    // watching the shown screen does not report yet: one who cannot reach the relay, and whose own
    // share does not report it, is only called again.)
    const subscriber = new Subscriber(
      key,
      want,
      pc,
      {
        place: (s) => void this.#offer(s),
        opened: () => {
          this.#backoff.forget(key);
          this.#tellSurface(want.sourceId);
        },
        connected: (s) => {
          // Its handshake is done: the next call's may start.
          this.#handshakes.done(s);
          this.#tellViewers(want.sourceId);
        },
        failed: (s) => {
          s.close();
          this.#backoff.failed(key, Date.now());
        },
        keyframeNeeded: (s, leg, urgent) => {
          if (!urgent || !this.#replayPicture(s, leg)) this.#requestKeyframe(want.sourceId, leg, urgent);
        },
        viewChanged: () => {
          this.#updateLegs(want.sourceId);
          this.#tellStudentView(want.sourceId);
        },
        closed: (s) => this.#onSubscriberClosed(s),
      },
      this.#backoff.failures(key),
    );
    this.#subscribers.set(key, subscriber);
    let viewers = this.#viewersOf.get(want.sourceId);
    if (!viewers) this.#viewersOf.set(want.sourceId, (viewers = new Set()));
    viewers.add(subscriber);
    this.#trickle(pc, want.peerId, subscriber.connectionId);
    this.#handshakes.add(subscriber);
  }

  /** Offers a call to its viewer (its turn came), with metadata naming whose screen it carries. */
  async #offer(subscriber: Subscriber) {
    const { want, pc } = subscriber;
    const publisher = this.#publisherOf(want.sourceId, BASE_LEG);
    const metadata: CallMetadata | PresentationCallMetadata = want.presentation ?? {
      studentId: want.sourceId,
      surface: publisher?.surface ?? null,
      relayed: true,
    };
    if ('surface' in metadata) subscriber.surface = metadata.surface;
    try {
      await pc.setLocalDescription(await pc.createOffer());
      // Hung up meanwhile: an offer now would only leave the viewer a call nobody completes.
      if (subscriber.closed) return;
      this.send({
        type: 'OFFER',
        dst: want.peerId,
        payload: { sdp: toInit(pc.localDescription!), type: 'media', connectionId: subscriber.connectionId, metadata },
      });
      if (tracing) trace('offered', { call: subscriber.connectionId, source: want.sourceId, viewer: want.viewerId });
    } catch {
      subscriber.close();
    }
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
    if (!publisher?.channelOpen || isStageSource(sourceId)) return;
    const onLeg = [...(this.#viewersOf.get(sourceId) ?? [])].filter(
      (s) => s.visible && (s.rtp.source === leg || s.rtp.pending === leg),
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
    // Nobody sees it: the student's encoder stops, and the picture held would be stale by the time
    // someone does again (a fresh keyframe starts that viewer instead).
    if (onLeg.length === 0) publisher.picture.clear();
    publisher.sentView = message;
    publisher.tell(message);
  }

  /** Forwards one packet of a leg to each of the source's viewers on it (the hot path). */
  #forward(publisher: Publisher, rtp: RtpPacket): void {
    // Padding-only packets are bandwidth probes for the student's own link; they carry no picture.
    if (rtp.payload.length === 0) return;
    // A stage takes its feed's packets only (another supervisor's standing call sends none anyway).
    if ((publisher.standing || publisher.presentationId !== null) && this.#feeds.get(publisher.sourceId) !== publisher)
      return;
    // What every viewer shares (the keyframe test, the clock) is read once per packet, and nothing
    // is allocated per viewer beyond the header and packet werift keeps for retransmission.
    const keyframe = publisher.startsKeyframe(rtp);
    publisher.picture.add(rtp, keyframe);
    const viewers = this.#viewersOf.get(publisher.sourceId);
    if (!viewers) return;
    const { leg, codec } = publisher.call;
    const nowMs = Date.now();
    for (const subscriber of viewers) if (subscriber.forward(leg, codec, keyframe, rtp, nowMs)) this.forwardedPackets++;
  }

  /**
   * Asks the student for the legs its viewers need (full quality while one zooms, H.264 while one
   * prefers it) and lets the others go, and moves each viewer toward its leg once that leg is up.
   */
  #updateLegs(sourceId: string): void {
    const viewers = [...(this.#viewersOf.get(sourceId) ?? [])];
    const sendable = new Set<VideoCodec>(this.#noH264.has(sourceId) ? ['VP8'] : ['VP8', 'H264']);
    const legs = wantedLegs(
      viewers.map((s) => ({ wants: s.wants, visible: s.visible, codecs: s.codecOrder })),
      sendable,
    );
    const base = this.#publisherOf(sourceId, BASE_LEG);
    const notice = relayNoticeMessage({ type: 'legs', legs });
    if (base?.channelOpen && base.sentLegs !== notice && !isStageSource(sourceId)) {
      base.sentLegs = notice;
      // Apps from before codec legs read only this one.
      const wanted = legs.some((leg) => leg.level === 'full' && leg.codec === 'VP8');
      base.tell(relayNoticeMessage({ type: 'full-leg', wanted }));
      base.tell(notice);
    }
    const up = new Set<Leg>();
    for (const p of this.#publishers.values()) if (p.sourceId === sourceId && p.connected) up.add(p.leg);
    for (const viewer of viewers) {
      // A viewer sent nothing yet starts on its leg at once, one already watching moves to it at
      // that leg's next keyframe: either way, that leg is asked for a keyframe now.
      const target = targetLeg({ wants: viewer.wants, codecs: viewer.codecOrder }, up);
      if (viewer.rtp.moveTo(target) !== 'stay') this.#requestKeyframe(sourceId, target, true);
    }
    this.#tellStudentView(sourceId);
  }

  /**
   * Tells each viewer of a student what the student picked, where that differs from what the viewer
   * was told: a call the student placed while their picker was open named no surface, nor did the
   * relay's calls onwards offered before the student chose.
   */
  #tellSurface(sourceId: string): void {
    const base = this.#publisherOf(sourceId, BASE_LEG);
    if (!base) return;
    for (const viewer of this.#viewersOf.get(sourceId) ?? [])
      if (viewer.surface !== base.surface && viewer.tell(surfaceMessage(base.surface))) viewer.surface = base.surface;
  }

  /** Tells a student which supervisors receive their screen through the relay right now (a presenter is told nothing). */
  #tellViewers(sourceId: string): void {
    const base = this.#publisherOf(sourceId, BASE_LEG);
    if (!base?.channelOpen || isStageSource(sourceId)) return;
    const supervisorIds = [...(this.#viewersOf.get(sourceId) ?? [])]
      .filter((s) => s.connected)
      .map((s) => s.want.viewerId);
    base.tell(relayNoticeMessage({ type: 'viewers', supervisorIds }));
    this.#tellStudentView(sourceId);
  }

  /**
   * Sends a viewer starting (or resuming) on `leg` the picture so far, from the leg's last keyframe
   * (see picture-cache.ts). Returns whether it now has a keyframe, so needs no new one.
   */
  #replayPicture(subscriber: Subscriber, leg: Leg): boolean {
    const publisher = this.#publisherOf(subscriber.sourceId, leg);
    const packets = publisher?.picture.packets ?? [];
    if (!publisher || packets.length === 0) return false;
    const { codec } = publisher.call;
    const nowMs = Date.now();
    packets.forEach((rtp, i) => {
      if (subscriber.forward(leg, codec, i === 0, rtp, nowMs)) this.forwardedPackets++;
    });
    if (tracing && subscriber.rtp.gotKeyframe)
      trace('replayed', { call: subscriber.connectionId, packets: packets.length });
    return subscriber.rtp.gotKeyframe;
  }

  /** Asks the student for a keyframe of `leg` (see Publisher.requestKeyframe). */
  #requestKeyframe(sourceId: string, leg: Leg, urgent: boolean): void {
    this.#publisherOf(sourceId, leg)?.requestKeyframe(urgent);
  }

  /** The source's call on `leg`: a stage's feed; else the newest connected one, else the first. */
  #publisherOf(sourceId: string, leg: Leg): Publisher | undefined {
    if (isStageSource(sourceId)) return this.#feeds.get(sourceId);
    let newest: Publisher | undefined;
    for (const p of this.#publishers.values()) {
      if (p.sourceId !== sourceId || p.leg !== leg) continue;
      if (!newest || p.connected) newest = p;
    }
    return newest;
  }

  #findSubscriber(connectionId: string): Subscriber | undefined {
    for (const s of this.#subscribers.values()) if (s.connectionId === connectionId) return s;
    return undefined;
  }

  /** A student's leg ended: its viewers move to another leg, or (the base leg) are hung up. */
  #onPublisherClosed(publisher: Publisher): void {
    const { connectionId, sourceId } = publisher.call;
    if (this.#publishers.get(connectionId) !== publisher) return;
    this.#publishers.delete(connectionId);
    if (publisher.leg !== BASE_LEG) {
      // Viewers on a closed leg go back to another at its next keyframe.
      this.#updateLegs(sourceId);
    } else if (isStageSource(sourceId)) {
      // The presenter's call dropped (seen when her connection to a busy relay lapsed) or was placed
      // again with another stream: the students' calls stay up and each resumes at the first
      // keyframe of her next call (#updateFeeds), so a class is not called again. A shown screen is
      // VP8 from the same presenter, whatever her call.
      this.#updateFeeds();
    } else {
      // A new share (or a rebuilt call) reaches supervisors as fresh calls, not on old ones; it may
      // come from another browser, which may send H.264.
      this.#noH264.delete(sourceId);
      const ending = [...this.#subscribers.values()].filter((s) => s.sourceId === sourceId);
      // Waiting calls first, so none is offered as a call ahead of it closes.
      for (const s of ending.filter((s) => !s.started)) s.close();
      for (const s of ending) s.close();
    }
    this.#reconcileSubscribers();
  }

  /** A call to a viewer ended: it is no longer forwarded to, and the student is told. */
  #onSubscriberClosed(subscriber: Subscriber): void {
    this.#handshakes.done(subscriber);
    if (this.#subscribers.get(subscriber.key) !== subscriber) return;
    this.#subscribers.delete(subscriber.key);
    const viewers = this.#viewersOf.get(subscriber.sourceId);
    viewers?.delete(subscriber);
    if (viewers?.size === 0) this.#viewersOf.delete(subscriber.sourceId);
    this.#tellViewers(subscriber.sourceId);
  }
}
