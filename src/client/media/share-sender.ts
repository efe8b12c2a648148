/**
 * Student side: calls each supervisor of the room directly with the captured screen, or the relay
 * for the supervisors the room's routes send through it; hangs up on supervisors who leave,
 * rebuilds calls that fail with backoff, reports calls that never connect so the server can
 * reroute them, and sets each call's encoder to what its supervisor shows (nothing while unseen).
 */
import type { Peer } from 'peerjs';
import type { Capture } from './capture.ts';
import {
  PEER_TO_PEER_ROUTES,
  isRelayed,
  parseRelayNotice,
  parseSupervisorMessage,
  sendsToRelay,
  surfaceMessage,
  type CallMetadata,
  type MemberView,
  type QualityRequest,
  type RelayLeg,
  type Routes,
  type TileView,
} from '../../shared/protocol.ts';
import { Call } from './peer-call.ts';
import { encodingFor, firstFrameEncoding } from './quality.ts';
import type { RelayLinkEvent } from './relay-link.ts';

/**
 * After a change of routes, an old call stays up this long once the path replacing it is up (make
 * before break): time for the new path's first keyframe to decode on the supervisor's wall.
 */
const SWITCH_OVERLAP_MS = 3_000;
/** ...and never longer than this, connected or not. */
const SWITCH_MAX_MS = 10_000;
/**
 * Keys of the calls to the relay, beside supervisors' member ids: the first call (the VP8
 * thumbnail), and each further leg it asks for under `relay-<level>-<codec>`.
 */
const RELAY = 'relay';
/** The key of a further leg to the relay. */
const relayKey = (leg: RelayLeg) => `${RELAY}-${leg.level}-${leg.codec}`;
/** Whether a call's key is one of the relay's. */
const isRelayKey = (key: string) => key === RELAY || key.startsWith(`${RELAY}-`);
/** A call that has not connected in this time is torn down and placed again. */
export const CONNECT_TIMEOUT_MS = 10_000;
/**
 * A direct call still not connected after this long is reported at once, while it keeps trying: on
 * a network that keeps devices apart the server then moves the pair (or, seeing it in several
 * pairs, the room) to the relay, whose call runs in parallel; the supervisor keeps whichever
 * decodes first. A LAN call connects in well under a second. A call to the relay this slow counts
 * against the member's link to it (relay-link.ts).
 */
export const FAST_FALLBACK_MS = 2_500;
/** A connection that stays "disconnected" this long is treated as failed. */
const DISCONNECTED_GRACE_MS = 4_000;
const MAX_BACKOFF_MS = 10_000;

interface Outgoing {
  call: Call;
  /** What the other side last asked for; until it says, a thumbnail (the full leg: full). */
  request: QualityRequest | TileView;
  connected: boolean;
  /** Placed while the picker was open: it carries the stand-in until the capture takes its place. */
  placeholder: boolean;
  /**
   * The screen's first frame: 'small' until it is encoded (sent no larger than a thumbnail, so the
   * tile has a picture sooner), 'waiting' while the call's stats are read for it, then 'sent'.
   */
  firstFrame: 'small' | 'waiting' | 'sent';
  timer?: ReturnType<typeof setTimeout>;
  /** Encoder changes run one at a time: overlapping setParameters calls reject each other. */
  applying: Promise<void>;
}

/**
 * Keeps, while a capture runs, one call per supervisor reached directly and one call to the relay
 * (which forwards it to the others and tells us who receives it). The calls are placed as the
 * student taps Share, while the browser's picker is open, with a stand-in that sends nothing; the
 * chosen screen takes its place on each, so the first frame needs no handshake after the choice.
 */
export class ShareSender {
  readonly #calls = new Map<string, Outgoing>();
  #routes: Routes = PEER_TO_PEER_ROUTES;
  /** Supervisors the relay forwards our screen to right now, as it reports them. */
  #relayViewers: string[] = [];
  /** The legs the relay wants besides the first call: full quality while someone zooms, H.264 for some viewers. */
  #relayLegs: RelayLeg[] = [];
  /** Calls of the previous routes, kept until the paths replacing them are up: since when, and since when replaced. */
  readonly #retiring = new Map<string, { since: number; replacedSince: number | null }>();
  #retireTimer: ReturnType<typeof setInterval> | undefined;
  /** Per supervisor: delay before the next attempt, and the pending attempt. */
  readonly #retry = new Map<string, { delayMs: number; timer?: ReturnType<typeof setTimeout> }>();
  #supervisors: MemberView[] = [];
  #capture: Capture | null = null;
  /** The stand-in the calls carry while the picker is open (see `placeholderStream`). */
  #placeholder: MediaStream | null = null;

  constructor(
    private readonly peer: Peer,
    private readonly studentId: string,
    private readonly onChange: () => void,
    /** A direct call never connected, or is slow to (see FAST_FALLBACK_MS): with the supervisor's member id. */
    private readonly onFailure: (supervisorId: string) => void,
    /** A direct call came up while the room races its paths (see `Routes.racing`): with the supervisor's member id. */
    private readonly onDirectUp: (supervisorId: string) => void,
    /** How the calls to the relay fare (relay-link.ts). */
    private readonly onRelay: (event: RelayLinkEvent) => void,
  ) {}

  /**
   * Member ids of the supervisors receiving the screen: direct connections that are up, and the
   * relay's viewers. Nobody while the picker is open: there is no screen yet.
   */
  viewers(): string[] {
    if (!this.#capture) return [];
    const direct = [...this.#calls].filter(([id, c]) => c.connected && !isRelayKey(id)).map(([id]) => id);
    const relayed = this.#calls.get(RELAY)?.connected ? this.#relayViewers : [];
    return [...new Set([...direct, ...relayed])];
  }

  /** The room's routes changed: call the new way, and hang up the old way once it works. */
  setRoutes(routes: Routes): void {
    // The room was placed on another relay worker (a restart with fewer workers): call the new one.
    if (routes.relayPeerId !== this.#routes.relayPeerId)
      for (const id of [...this.#calls.keys()]) if (isRelayKey(id)) this.#hangUp(id);
    const before = [...this.#targets().keys()].join();
    const raceBegins = routes.racing && !this.#routes.racing;
    this.#routes = routes;
    // A race that begins after direct calls came up (the relay came up after we shared) ends at once.
    if (raceBegins) for (const [id, entry] of this.#calls) if (entry.connected && !isRelayKey(id)) this.onDirectUp(id);
    const targets = this.#targets();
    if ([...targets.keys()].join() === before) return this.#reconcile();
    const started = Date.now();
    for (const id of this.#calls.keys())
      if (!targets.has(id) && !this.#retiring.has(id)) this.#retiring.set(id, { since: started, replacedSince: null });
    // A call to the relay that the routes give back before it was hung up is not kept: the routes most
    // likely left the relay because its process died, and a restarted one under the same id leaves
    // our call to the old one looking connected for seconds, with its viewers as they were. A fresh
    // call is placed, and the direct calls stay until it carries the screen on.
    for (const id of targets.keys()) if (this.#retiring.delete(id) && isRelayKey(id)) this.#hangUp(id);
    clearInterval(this.#retireTimer);
    this.#retireTimer = setInterval(() => this.#retire(), 500);
    this.#reconcile();
  }

  /**
   * The student tapped Share and the picker is open: call now with `placeholder`, a track that
   * sends nothing, so the calls are up when they choose. `setCapture` follows, with the screen or
   * (cancelled) null.
   */
  prepare(placeholder: MediaStream): void {
    if (this.#capture) return;
    this.#placeholder = placeholder;
    this.#reconcile();
  }

  /** Starts (or, with null, stops) sending a capture: the calls placed while the picker was open take it. */
  setCapture(capture: Capture | null): void {
    this.#capture = capture;
    this.#placeholder = null;
    if (!capture) for (const id of [...this.#calls.keys()]) this.#hangUp(id);
    else for (const [id, entry] of this.#calls) if (entry.placeholder) this.#takeCapture(id, entry, capture);
    this.#reconcile();
    // Whoever the calls placed while the picker was open reach now receive the screen.
    this.onChange();
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
    clearInterval(this.#retireTimer);
    this.#retiring.clear();
    this.#capture = null;
    for (const id of [...this.#calls.keys()]) this.#hangUp(id);
    for (const { timer } of this.#retry.values()) clearTimeout(timer);
    this.#retry.clear();
  }

  /** Whether the relay carries our screen to this supervisor. */
  #viaRelay(supervisorId: string): boolean {
    return this.#routes.relayPeerId !== null && isRelayed(this.#routes, this.studentId, supervisorId);
  }

  /** Who to call now, by key: each connected supervisor reached directly, and the relay (each leg it wants) if it carries any. */
  #targets(): Map<string, string> {
    const direct = this.#supervisors.filter((s) => s.connected && !this.#viaRelay(s.id));
    const targets = new Map(direct.map((s) => [s.id, s.peerId!]));
    if (this.#routes.relayPeerId && sendsToRelay(this.#routes, this.studentId)) {
      targets.set(RELAY, this.#routes.relayPeerId);
      for (const leg of this.#relayLegs) targets.set(relayKey(leg), this.#routes.relayPeerId);
    }
    return targets;
  }

  #reconcile(): void {
    const targets = this.#targets();
    // A supervisor who left is hung up on; one who is only reconnecting keeps the call.
    const keep = new Set([...targets.keys(), ...this.#retiring.keys()]);
    for (const s of this.#supervisors) if (!this.#viaRelay(s.id)) keep.add(s.id);
    const stream = this.#capture?.stream ?? this.#placeholder;
    for (const id of [...this.#calls.keys()]) if (!keep.has(id) || !stream) this.#hangUp(id);
    // Calls that cannot be placed yet (signalling down) are placed by resume().
    if (!stream || !this.peer.open) return;
    for (const [id, peerId] of targets) {
      if (!this.#calls.has(id) && !this.#retry.get(id)?.timer) this.#call(id, peerId, stream);
    }
  }

  /** Hangs up each call of the previous routes once the path replacing it is up (plus an overlap), or at the latest after a limit. */
  #retire(): void {
    const now = Date.now();
    for (const [id, retiring] of this.#retiring) {
      retiring.replacedSince = this.#replaced(id) ? (retiring.replacedSince ?? now) : null;
      const overlapDone = retiring.replacedSince !== null && now - retiring.replacedSince >= SWITCH_OVERLAP_MS;
      if (!overlapDone && now - retiring.since < SWITCH_MAX_MS) continue;
      this.#retiring.delete(id);
      this.#hangUp(id);
    }
    if (this.#retiring.size === 0) clearInterval(this.#retireTimer);
  }

  /**
   * Whether the path replacing an old call is up: for a supervisor now reached through the relay,
   * the relay's call to them (the relay reports it among our viewers; our own call to the relay
   * being up says nothing about its call onwards); for the relay's calls, every supervisor now
   * called directly.
   */
  #replaced(id: string): boolean {
    if (isRelayKey(id))
      return [...this.#targets().keys()].every((key) => isRelayKey(key) || this.#calls.get(key)?.connected);
    const stillHere = this.#supervisors.some((s) => s.id === id && s.connected);
    return !stillHere || (this.#calls.get(RELAY)?.connected === true && this.#relayViewers.includes(id));
  }

  #call(supervisorId: string, peerId: string, stream: MediaStream): void {
    // A further leg to the relay: its level and codec (the relay answers in that codec alone).
    const leg = this.#relayLegs.find((l) => relayKey(l) === supervisorId);
    const full = leg?.level === 'full';
    const metadata: CallMetadata = {
      studentId: this.studentId,
      // Placed while the picker is open: nobody knows yet, and a surface notice follows the choice.
      surface: this.#capture?.surface ?? null,
      ...(full ? { leg: 'full' } : {}),
      ...(leg?.codec === 'H264' ? { codec: 'H264' } : {}),
    };
    const call = Call.place(this.peer, peerId, stream, metadata);
    if (!call) return;
    const entry: Outgoing = {
      call,
      request: { type: 'quality', level: full ? 'full' : 'thumbnail' },
      connected: false,
      placeholder: !this.#capture,
      // The full leg is asked for to sharpen a picture the supervisor already has.
      firstFrame: full ? 'sent' : 'small',
      applying: Promise.resolve(),
    };
    this.#calls.set(supervisorId, entry);

    const failed = () => {
      if (this.#calls.get(supervisorId) !== entry) return;
      this.#hangUp(supervisorId);
      this.#scheduleRetry(supervisorId);
    };
    // A call that never connects is the path failing, not the other side hanging up: the server
    // hears of it and relays a direct pair at once (a link to the relay after two reports).
    const neverConnected = () => {
      if (this.#calls.get(supervisorId) !== entry || entry.connected) return;
      if (isRelayKey(supervisorId)) this.onRelay('failed');
      else this.onFailure(supervisorId);
      failed();
    };
    const watch = (ms: number) => {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(entry.connected ? failed : neverConnected, ms);
    };
    watch(CONNECT_TIMEOUT_MS);
    // Not up after a few seconds: tell the server now, while the call keeps trying. A slow direct
    // call (when a relay can go round it) moves an isolated network to the relay without waiting
    // out the connect timeout; a slow call to the relay counts against our link to it (relay-link.ts).
    if (isRelayKey(supervisorId) ? supervisorId === RELAY : this.#routes.relayPeerId !== null) {
      const slow = setTimeout(() => {
        if (this.#calls.get(supervisorId) !== entry || entry.connected) return;
        if (supervisorId !== RELAY) this.onFailure(supervisorId);
        else if (![...this.#calls].some(([key, c]) => isRelayKey(key) && c.connected)) this.onRelay('slow');
      }, FAST_FALLBACK_MS);
      call.onEnded(() => clearTimeout(slow));
      call.onConnectionState((state) => {
        if (state === 'connected') clearTimeout(slow);
      });
    }
    call.onNegotiated(() => this.#applyLevel(entry));
    call.onConnectionState((state) => {
      if (this.#calls.get(supervisorId) !== entry) return;
      if (state === 'connected') {
        clearTimeout(entry.timer);
        entry.connected = true;
        this.#retry.delete(supervisorId);
        this.#applyLevel(entry);
        this.#awaitFirstFrame(supervisorId, entry, 0);
        if (isRelayKey(supervisorId)) this.onRelay('up');
        else if (this.#routes.racing) this.onDirectUp(supervisorId);
      } else if (state === 'disconnected') {
        watch(DISCONNECTED_GRACE_MS);
      } else if (state === 'failed') {
        neverConnected();
        failed();
      } else if (state === 'closed') {
        failed();
      }
      this.onChange();
    });
    call.onEnded(failed);
    call.onMessage((data) => {
      // The relay speaks for its viewers: notices about them, and the view they add up to.
      if (supervisorId === RELAY && this.#onRelayMessage(data)) return;
      const request = parseSupervisorMessage(data);
      if (!request) return;
      entry.request = request;
      this.#applyLevel(entry);
    });
  }

  /**
   * A call placed while the picker was open gets the chosen screen: its encoder set for the screen's
   * size first (queued with the call's other encoder changes), then the track in place of the
   * stand-in, and the other side told what was picked. A call that cannot take it is placed again.
   */
  #takeCapture(key: string, entry: Outgoing, capture: Capture): void {
    entry.placeholder = false;
    this.#applyLevel(entry);
    // A call up since the picker opened may have encoded the stand-in's one frame: count from here.
    this.#awaitFirstFrame(key, entry, entry.call.framesEncoded());
    entry.applying = entry.applying.then(async () => {
      const sender = entry.call.peerConnection?.getSenders().find((s) => s.track?.kind === 'video');
      const replaced = await sender?.replaceTrack(capture.track).then(
        () => true,
        () => false,
      );
      if (replaced || this.#calls.get(key) !== entry) return;
      this.#hangUp(key);
      this.#reconcile();
    });
    entry.call.send(surfaceMessage(capture.surface));
  }

  /**
   * Sets the encoder of one call to what its supervisor asked (the default encoding is full
   * quality, so a call must never be left at it by accident), for the screen or, while the picker is
   * open, the stand-in. Queued per call, and a no-op until negotiation made encodings. Turning an
   * inactive encoding back on starts with a keyframe.
   */
  #applyLevel(entry: Outgoing): void {
    entry.applying = entry.applying.then(async () => {
      const sender = entry.call.peerConnection?.getSenders().find((s) => s.track?.kind === 'video');
      // While the picker is open, the stand-in's size: the screen's, which a student sharing their
      // whole screen picks. The encoder is then set up as the screen needs before they choose; the
      // screen's first frame needs no setting changed, which would cost a frame (see placeholderStream).
      const track = this.#capture?.track ?? this.#placeholder?.getVideoTracks()[0];
      const { width, height } = track?.getSettings() ?? {};
      if (!sender || !width || !height) return;
      const parameters = sender.getParameters();
      const [first] = parameters.encodings ?? [];
      if (!first) return;
      // The track's contentHint 'detail' already makes the encoder keep resolution under pressure.
      const asked = encodingFor(entry.request, { width, height });
      const wanted = entry.firstFrame === 'sent' ? asked : firstFrameEncoding(asked, { width, height });
      if (Object.entries(wanted).every(([key, value]) => first[key as keyof typeof wanted] === value)) return;
      Object.assign(first, wanted);
      await sender.setParameters(parameters).catch(() => undefined);
    });
  }

  /**
   * Once a connected call carries the screen, waits for its first frame to be encoded (small, see
   * `firstFrameEncoding`): a frame more than `framesBefore`. Then sets the encoder to what the
   * supervisor asked. A call whose supervisor sees nothing encodes no frame: after a while it is set
   * as asked all the same.
   */
  #awaitFirstFrame(key: string, entry: Outgoing, framesBefore: Promise<number> | number): void {
    if (entry.firstFrame !== 'small' || !entry.connected || entry.placeholder || !this.#capture) return;
    entry.firstFrame = 'waiting';
    void Promise.resolve(framesBefore)
      .then((frames) => entry.call.encodedMoreThan(frames))
      .then(() => {
        if (this.#calls.get(key) !== entry) return;
        entry.firstFrame = 'sent';
        this.#applyLevel(entry);
      });
  }

  /**
   * The relay reports who receives our screen through it, and which further legs it wants (its
   * 'full-leg' notice, for apps from before legs, says part of the same and is not needed).
   * Returns whether the message was such a notice.
   */
  #onRelayMessage(data: unknown): boolean {
    const notice = parseRelayNotice(data);
    if (notice?.type === 'viewers') {
      this.#relayViewers = notice.supervisorIds;
      this.onChange();
    } else if (notice?.type === 'legs' && notice.legs.map(relayKey).join() !== this.#relayLegs.map(relayKey).join()) {
      this.#relayLegs = notice.legs;
      this.#reconcile();
    }
    return notice !== null;
  }

  #hangUp(supervisorId: string): void {
    const entry = this.#calls.get(supervisorId);
    if (!entry) return;
    this.#calls.delete(supervisorId);
    clearTimeout(entry.timer);
    entry.call.close();
    // Who the relay forwards to was said on this call: the next call to the relay says it again.
    if (supervisorId === RELAY) this.#relayViewers = [];
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
