/**
 * One incoming leg: a student's (or a presenter's) call to the relay, answered receive-only. It owns
 * its peer connection, its data channel to the student, its keyframe requests (throttled) and its
 * `close()`; the relay hears of its packets and of its end through the events it is given. It
 * decides nothing about routes or viewers.
 */
import type { RTCDataChannel, RTCPeerConnection, RTCRtpTransceiver, RtpPacket } from 'werift';
import { parseSurfaceNotice, type Surface, type VideoCodec } from '../../../src/shared/protocol.ts';
import { isKeyframeStart, type Leg } from './legs.ts';
import { PictureCache } from './picture-cache.ts';
import { trace, tracing } from './trace.ts';

/** A viewer's own keyframe requests go upstream at most this often per leg, however many viewers ask. */
export const PLI_MIN_INTERVAL_MS = 500;
/**
 * A keyframe asked for and not yet arrived is waited for this long before a viewer that starts or
 * resumes asks again: the encoder makes it, and the sender paces a large one out over a second or so.
 */
export const KEYFRAME_AWAITED_MS = 1000;

/**
 * Whether to ask the student for a keyframe now. A viewer that starts or resumes (`urgent`) asks at
 * once unless one asked for is still on its way, which will serve it too: thirty students joining a
 * shown screen one after another then cost a few keyframes, not one each (each a burst the encoder's
 * rate control pays for, delaying every later one). A viewer's own request (a lost packet) waits
 * PLI_MIN_INTERVAL_MS after the last.
 */
export function keyframeRequestDue(request: {
  urgent: boolean;
  nowMs: number;
  /** When the last request went, or null for never. */
  lastRequestAtMs: number | null;
  /** Whether a keyframe arrived since that request. */
  keyframeSinceRequest: boolean;
}): boolean {
  const { urgent, nowMs, lastRequestAtMs, keyframeSinceRequest } = request;
  if (lastRequestAtMs === null) return true;
  const sinceMs = nowMs - lastRequestAtMs;
  if (urgent) return keyframeSinceRequest || sinceMs >= KEYFRAME_AWAITED_MS;
  return sinceMs >= PLI_MIN_INTERVAL_MS;
}

/** What a publisher tells the relay. */
export interface PublisherEvents {
  /** An RTP packet arrived. */
  rtp(publisher: Publisher, rtp: RtpPacket): void;
  /** The student's data channel opened. */
  channelOpen(publisher: Publisher): void;
  /** The connection is up. */
  connected(publisher: Publisher): void;
  /** The student said what they picked (a call placed while their picker was open had no surface). */
  surfaceChanged(publisher: Publisher): void;
  /** The call ended (closed here, hung up, or failed): once. */
  closed(publisher: Publisher): void;
}

/** A student's leg, from their offer until it closes. */
export class Publisher {
  /** Since when the routes have not wanted this call (it lingers for LINGER_MS), or null. */
  unwantedSince: number | null = null;
  /** The leg's packets since its last keyframe, for a viewer who starts after it (see picture-cache.ts). */
  readonly picture = new PictureCache<RtpPacket>();
  /** The last view of this leg sent to the student (what all its viewers add up to). */
  sentView: string | null = null;
  /** On the base leg: the last legs notice sent to the student. */
  sentLegs: string | null = null;
  /** What the student shares: from the call's metadata, then from their surface notice. */
  surface: Surface | null;
  /** The data channel PeerJS opened with the call: the relay tells the student who receives them. */
  #channel: RTCDataChannel | null = null;
  #transceiver: RTCRtpTransceiver | null = null;
  #ssrc: number | null = null;
  /** When the last keyframe request went, and whether a keyframe arrived since (see keyframeRequestDue). */
  #lastPliAt: number | null = null;
  #keyframeSincePli = false;
  /** RTP timestamp of the last keyframe seen, so only its first packet starts a viewer or a switch. */
  #keyframeTimestamp: number | null = null;
  #closed = false;
  readonly #events: PublisherEvents;

  constructor(
    readonly call: {
      /** Whose screen: a student's member id, or a room's stage (see plan.ts). */
      readonly sourceId: string;
      /** On a stage, the presentation this call carries; null for a student's call or a standing one. */
      readonly presentationId: string | null;
      /** A supervisor's standing call to a stage: it feeds the stage while they present. */
      readonly standing: boolean;
      /** Which call of the student this is: a level in a codec (see legs.ts). */
      readonly leg: Leg;
      readonly codec: VideoCodec;
      readonly peerId: string;
      readonly connectionId: string;
      readonly surface: Surface | null;
    },
    readonly pc: RTCPeerConnection,
    events: PublisherEvents,
  ) {
    this.#events = events;
    this.surface = call.surface;
    pc.onDataChannel.subscribe((channel) => {
      this.#channel = channel;
      channel.onMessage.subscribe((data) => {
        const notice = parseSurfaceNotice(String(data));
        if (!notice || notice.surface === this.surface) return;
        this.surface = notice.surface;
        events.surfaceChanged(this);
      });
      channel.stateChanged.subscribe((state) => {
        if (state === 'open') events.channelOpen(this);
        // PeerJS closes the channel when it hangs up: quicker news than the connection's state.
        if (state === 'closed') this.close();
      });
    });
    pc.onTrack.subscribe((track) => {
      this.#transceiver = pc.getTransceivers().find((t) => t.receiver.track === track) ?? null;
      track.onReceiveRtp.subscribe((rtp) => {
        this.#ssrc = rtp.header.ssrc;
        events.rtp(this, rtp);
        if (tracing) this.#traceKeyframeEnd(rtp);
      });
    });
    pc.connectionStateChange.subscribe((state) => {
      if (tracing) trace(`publisher-${state}`, { source: this.sourceId, leg: this.leg });
      if (state === 'failed' || state === 'closed') this.close();
      if (state === 'connected') events.connected(this);
    });
  }

  /** Whose screen this leg carries. */
  get sourceId(): string {
    return this.call.sourceId;
  }

  /** Who sends it. */
  get presentationId(): string | null {
    return this.call.presentationId;
  }

  get standing(): boolean {
    return this.call.standing;
  }

  get peerId(): string {
    return this.call.peerId;
  }

  /** Which leg of the source this is. */
  get leg(): Leg {
    return this.call.leg;
  }

  /** Whether its connection is up. */
  get connected(): boolean {
    return this.pc.connectionState === 'connected';
  }

  /** Whether `rtp` starts a keyframe not seen before (H.264 flags its parameter sets and picture, which share one timestamp). */
  startsKeyframe(rtp: RtpPacket): boolean {
    if (!isKeyframeStart(this.call.codec, rtp.payload) || rtp.header.timestamp === this.#keyframeTimestamp)
      return false;
    this.#keyframeTimestamp = rtp.header.timestamp;
    this.#keyframeSincePli = true;
    if (tracing) trace('keyframe', { source: this.sourceId, leg: this.leg });
    return true;
  }

  /** For the trace: a keyframe's size and how long its packets took to arrive, at its last packet. */
  #keyframeTrace: { timestamp: number; startedAt: number; bytes: number; packets: number } | null = null;

  #traceKeyframeEnd(rtp: RtpPacket): void {
    const { timestamp, marker } = rtp.header;
    if (this.#keyframeTimestamp === timestamp && this.#keyframeTrace?.timestamp !== timestamp)
      this.#keyframeTrace = { timestamp, startedAt: Date.now(), bytes: 0, packets: 0 };
    const frame = this.#keyframeTrace;
    if (frame?.timestamp !== timestamp) return;
    frame.bytes += rtp.payload.length;
    frame.packets++;
    if (!marker) return;
    trace('keyframe-end', {
      source: this.sourceId,
      leg: this.leg,
      bytes: frame.bytes,
      packets: frame.packets,
      ms: Date.now() - frame.startedAt,
    });
    this.#keyframeTrace = null;
  }

  /** Asks the student for a keyframe, unless one is on its way or was asked for just now (see keyframeRequestDue). */
  requestKeyframe(urgent: boolean): void {
    if (!this.#transceiver || this.#ssrc === null) return;
    const now = Date.now();
    const due = keyframeRequestDue({
      urgent,
      nowMs: now,
      lastRequestAtMs: this.#lastPliAt,
      keyframeSinceRequest: this.#keyframeSincePli,
    });
    if (!due) return;
    this.#lastPliAt = now;
    this.#keyframeSincePli = false;
    if (tracing) trace('pli', { source: this.sourceId, leg: this.leg, urgent });
    void this.#transceiver.receiver.sendRtcpPLI(this.#ssrc).catch(() => undefined);
  }

  /** Whether the student's data channel is open. */
  get channelOpen(): boolean {
    return this.#channel?.readyState === 'open';
  }

  /** Sends `message` to the student on the data channel, if it is open. */
  tell(message: string): void {
    if (this.#channel?.readyState === 'open') this.#channel.send(message);
  }

  /** Hangs up (once) and lets the relay know. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    void this.pc.close();
    this.#events.closed(this);
  }
}
