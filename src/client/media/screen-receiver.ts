/**
 * Supervisor side: answers calls from current students of the room, or from the relay on behalf
 * of one (receive-only); says a screen is live only once frames are decoded; keeps showing a
 * student's old call until a new one (another transport, a rebuilt call) decodes, so the wall
 * never goes black; and tells each student how their tile is shown (size, whether it is seen at
 * all, full quality for the one screen zoomed into), so they send no more than that.
 */
import type { MediaConnection } from 'peerjs';
import type { MemberView, QualityLevel } from '../../shared/protocol.ts';
import type { Screen, TileShown } from './media.ts';
import { parseSurfaceNotice, qualityMessage, viewMessage } from '../../shared/protocol.ts';
import { Call } from './peer-call.ts';
import type { RelayLinkEvent } from './relay-link.ts';
import { CONNECT_TIMEOUT_MS, FAST_FALLBACK_MS } from './share-sender.ts';
import type { VideoCodec } from './codecs.ts';

/** How often decoding progress is read from each connection's stats. */
const POLL_MS = 250;
/**
 * ...and how often while a call is up but its first frame not yet decoded: that frame follows the
 * connection within about a tenth of a second, and the tile should say Live the moment it does.
 * Brief per call, so a wall coming up reads few stats at this pace.
 */
const FIRST_FRAME_POLL_MS = 20;
/**
 * A live screen's stats are read this seldom: enough to notice a stall (STALL_MS), while a wall of
 * 30 reading getStats four times a second costs the teacher's browser more than decoding does.
 */
const LIVE_POLL_MS = 1_000;
/** A call from a peer not (yet) in our roster waits this long for the roster to catch up. */
const UNKNOWN_CALLER_WAIT_MS = 5_000;

/** A student without a tile on the wall (another page of it, not mounted yet) is not seen. */
const NO_TILE: TileShown = { visible: false, widthPx: 640, heightPx: 360 };

interface Incoming {
  call: Call;
  screen: Screen;
  /** The last request sent on this call, so each change is sent once. */
  sent: string | null;
  /** Decoding progress, to notice a call that still looks connected but brings no more frames. */
  frames: number;
  progressAt: number;
  acceptedAt: number;
  /** When its stats were last read. */
  checkedAt: number;
  /** Whether the connection has been up at least once. */
  connected: boolean;
  /** Whether the call comes from the relay (else straight from the student). */
  viaRelay: boolean;
}

/** A live call whose frames stopped this long ago gives way to a newer call of the same student. */
const STALL_MS = 2_000;

/** Receives students' screens. */
export class ScreenReceiver {
  /** Per student, the calls in order of arrival: the newest live one is shown. */
  readonly #screens = new Map<string, Incoming[]>();
  /** Student member id by peer id. */
  #students = new Map<string, string>();
  /** Students who were sharing at the last roster update. */
  #sharing = new Set<string>();
  readonly #waiting = new Map<Call, ReturnType<typeof setTimeout>>();
  #focused: string | null = null;
  /** The student whose screen this supervisor forwards to the class (see `presentation.ts`). */
  #forwarded: string | null = null;
  /** How each student's tile is shown, as the wall reports it. */
  readonly #tiles = new Map<string, TileShown>();
  #pageVisible = true;
  /** The codec calls are answered with; VP8 until `setCodec` says this device decodes H.264 better. */
  #codec: VideoCodec = 'VP8';
  /** The next pass over the stats (one at a time: a slow getStats must not let a second overlap it). */
  #poll: ReturnType<typeof setTimeout> | undefined;
  /** Whether a pass is running, and whether another should follow it at once (see `#pollSoon`). */
  #polling = false;
  #pollAgain = false;
  #closed = false;

  /** The PeerServer id of the relay worker the room is placed on (from the room's routes). */
  #relayPeerId: string | null = null;
  /** Whether the room's routes still have the relay carry a student's screen to this supervisor. */
  #relayCarries: (studentId: string) => boolean = () => true;
  /** Whether the room races its paths: only then does a direct call still trying outlive a live relay call. */
  #racing = false;

  constructor(
    private readonly onChange: () => void,
    /** How the relay's calls fare (relay-link.ts): the server sends us screens directly after two failures. */
    private readonly onRelay: (event: RelayLinkEvent) => void,
    /**
     * False: ask for quality levels only, as before tiles reported their views (every tile a
     * 640×360 thumbnail, always sent). Benchmarks compare the two; nothing a person sees differs.
     */
    private readonly reportViews = true,
  ) {
    this.#schedule(POLL_MS);
  }

  /** The codec to ask students for in calls answered from now on (see codecs.ts). */
  setCodec(codec: VideoCodec): void {
    this.#codec = codec;
  }

  /**
   * The screen of one student: the newest direct call that decodes, else the newest call that
   * decodes; before any decodes, the newest direct call that is connected, else the newest
   * connected call, else the newest call. While a room races its paths the relay's call often
   * decodes first; the direct one takes over as soon as it decodes too. A tile's video shows only
   * frames that arrive after it is given a stream, so it is given the one most likely to bring the
   * first: a first frame sent while it showed another call's would be missed.
   */
  screen(studentId: string): Screen | undefined {
    const calls = [...(this.#screens.get(studentId) ?? [])].reverse();
    const live = calls.filter((c) => c.screen.state === 'live');
    const connected = calls.filter((c) => c.connected);
    const preferred = (among: Incoming[]) => among.find((c) => !c.viaRelay) ?? among[0];
    return (preferred(live) ?? preferred(connected) ?? calls[0])?.screen;
  }

  /** PeerJS delivered an incoming call. */
  onCall(connection: MediaConnection): void {
    const call = Call.incoming(connection);
    const studentId = this.#studentOf(call);
    if (studentId) return this.#accept(call, studentId);
    // Not a student we know: wait briefly in case our roster lags behind theirs, then refuse.
    this.#waiting.set(
      call,
      setTimeout(() => {
        this.#waiting.delete(call);
        call.close();
      }, UNKNOWN_CALLER_WAIT_MS),
    );
  }

  /** The room's relay worker is known (or changed): accept calls from it that were waiting. */
  setRelayPeerId(relayPeerId: string | null): void {
    if (relayPeerId === this.#relayPeerId) return;
    this.#relayPeerId = relayPeerId;
    this.#acceptWaiting();
  }

  /**
   * Which students' screens the relay carries to this supervisor changed (the room's routes): the
   * relay's call of a student whose direct call decodes and whom the relay no longer carries (a
   * race the direct call won) is hung up here, without waiting for the relay to let it go.
   */
  setRelayCarries(carries: (studentId: string) => boolean, racing: boolean): void {
    this.#racing = racing;
    this.#relayCarries = carries;
    for (const studentId of [...this.#screens.keys()]) this.#dropRelayIfDirect(studentId);
  }

  /** The room's members changed: accept waiting calls from students, drop calls of students who left. */
  setMembers(members: readonly MemberView[]): void {
    this.#students = new Map(members.filter((m) => m.role === 'student' && m.peerId).map((m) => [m.peerId!, m.id]));
    this.#acceptWaiting();
    const present = new Set(this.#students.values());
    for (const id of [...this.#screens.keys()]) if (!present.has(id)) this.#drop(id);
    // A student who stopped sharing has no screen any more, however slowly the dead call reports it.
    const sharing = new Set(members.filter((m) => m.role === 'student' && m.sharing).map((m) => m.id));
    for (const id of this.#sharing) if (!sharing.has(id)) this.#drop(id);
    const started = [...sharing].some((id) => !this.#sharing.has(id) && this.#screens.has(id));
    this.#sharing = sharing;
    // A student whose call came up while they chose what to share has chosen: look for frames now.
    if (started) this.#pollSoon();
  }

  /** The student this supervisor zooms into gets full quality; everyone else thumbnails. */
  focus(studentId: string | null): void {
    this.#focused = studentId;
    this.#sendViews();
  }

  /**
   * The student whose screen this supervisor shows to the class, or null: sent at full quality and
   * never paused, whatever their tile's place on this wall, since the class watches it.
   */
  setForwarded(studentId: string | null): void {
    if (studentId === this.#forwarded) return;
    this.#forwarded = studentId;
    this.#sendViews();
  }

  /** How one student's tile is shown changed (null: it has no tile now). */
  setTileView(studentId: string, view: TileShown | null): void {
    if (view) this.#tiles.set(studentId, view);
    else this.#tiles.delete(studentId);
    this.#sendViews();
  }

  /** The wall's page became visible or hidden (a background tab, a closed tablet cover). */
  setPageVisible(visible: boolean): void {
    this.#pageVisible = visible;
    this.#sendViews();
  }

  /** Hangs up everything. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#poll);
    for (const [call, timer] of this.#waiting) {
      clearTimeout(timer);
      call.close();
    }
    this.#waiting.clear();
    for (const id of [...this.#screens.keys()]) this.#drop(id);
  }

  /** Accepts the waiting calls whose student is now known. */
  #acceptWaiting(): void {
    for (const [call, timer] of [...this.#waiting]) {
      const studentId = this.#studentOf(call);
      if (!studentId) continue;
      clearTimeout(timer);
      this.#waiting.delete(call);
      this.#accept(call, studentId);
    }
  }

  /** The student a call carries: its caller, or for the relay the student named in its metadata. */
  #studentOf(call: Call): string | undefined {
    if (call.remotePeerId !== this.#relayPeerId) return this.#students.get(call.remotePeerId);
    const studentId = call.metadata?.studentId;
    return [...this.#students.values()].find((id) => id === studentId);
  }

  #accept(call: Call, studentId: string): void {
    // The relay's call of a screen the routes no longer send through it, whose direct call is live:
    // placed during a race that ended meanwhile. Refused, rather than kept until the relay lets it
    // go (LINGER_MS), since it would only hold a second path open for nothing.
    const viaRelay = call.remotePeerId === this.#relayPeerId;
    if (viaRelay && !this.#relayCarries(studentId) && this.#directLive(studentId)) return call.close();
    const incoming: Incoming = {
      call,
      screen: { stream: null, state: 'connecting', surface: call.metadata?.surface ?? null },
      sent: null,
      frames: 0,
      progressAt: Date.now(),
      acceptedAt: Date.now(),
      checkedAt: 0,
      connected: false,
      viaRelay,
    };
    this.#screens.set(studentId, [...(this.#screens.get(studentId) ?? []), incoming]);
    call.onStream((stream) => {
      incoming.screen = { ...incoming.screen, stream };
      this.onChange();
    });
    call.onEnded(() => this.#remove(studentId, incoming));
    // A call placed while the student's picker was open learns what they picked afterwards.
    call.onMessage((data) => {
      const notice = parseSurfaceNotice(data);
      if (!notice) return;
      incoming.screen = { ...incoming.screen, surface: notice.surface };
      this.onChange();
    });
    call.answer(this.#codec);
    // Up: its tile may show it now (see `screen`), and its first frame is looked for at once.
    call.onConnectionState((state) => {
      if (state !== 'connected' || incoming.connected) return;
      this.#connected(incoming);
      this.onChange();
      this.#pollSoon();
    });
    // The relay's call slow to come up while none of its others is: the link may be blocked.
    if (viaRelay)
      setTimeout(() => {
        const calls = [...this.#screens.values()].flat();
        if (this.#closed || incoming.connected || !calls.includes(incoming)) return;
        if (!calls.some((c) => c.viaRelay && c.connected)) this.onRelay('slow');
      }, FAST_FALLBACK_MS);
    this.#sendView(studentId, incoming);
    this.onChange();
  }

  /** A call's connection is up for the first time. */
  #connected(incoming: Incoming): void {
    incoming.connected = true;
    if (incoming.viaRelay) this.onRelay('up');
  }

  #sendViews(): void {
    for (const [id, calls] of this.#screens) for (const incoming of calls) this.#sendView(id, incoming);
  }

  /** Tells the sender of one call how its student's tile is shown, if that changed. */
  #sendView(studentId: string, incoming: Incoming): void {
    const forwarded = studentId === this.#forwarded;
    const level: QualityLevel = studentId === this.#focused || forwarded ? 'full' : 'thumbnail';
    let message = qualityMessage(level);
    if (this.reportViews) {
      const tile = this.#tiles.get(studentId) ?? NO_TILE;
      const tilesShown = [...this.#tiles.values()].filter((t) => t.visible).length;
      message = viewMessage({
        level,
        // The screen zoomed into is seen in the full view whatever its tile's place on the wall; a
        // call is seen until its first frames decode, so every tile (and the roster) says truly
        // whether the screen arrives, even one that was never on screen.
        visible:
          forwarded || incoming.screen.state !== 'live' || (this.#pageVisible && (tile.visible || level === 'full')),
        widthPx: tile.widthPx,
        heightPx: tile.heightPx,
        tilesShown: Math.max(1, tilesShown),
      });
    }
    if (incoming.sent === message) return;
    incoming.call.send(message);
    incoming.sent = message;
  }

  /** Hangs up one call of a student. */
  #remove(studentId: string, incoming: Incoming): void {
    const calls = this.#screens.get(studentId);
    if (!calls?.includes(incoming)) return;
    const rest = calls.filter((c) => c !== incoming);
    if (rest.length > 0) this.#screens.set(studentId, rest);
    else this.#screens.delete(studentId);
    incoming.call.close();
    this.onChange();
  }

  /** Whether the routes send this student's screen to us through the relay, not just beside a direct call in a race. */
  #relayIsRoute(studentId: string): boolean {
    return !this.#racing && this.#relayCarries(studentId);
  }

  /** Whether a direct call of this student decodes. */
  #directLive(studentId: string): boolean {
    return (this.#screens.get(studentId) ?? []).some((c) => !c.viaRelay && c.screen.state === 'live');
  }

  /** Hangs up the relay's calls of a student whose direct call decodes, unless the routes still want them. */
  #dropRelayIfDirect(studentId: string): void {
    if (this.#relayCarries(studentId) || !this.#directLive(studentId)) return;
    for (const incoming of this.#screens.get(studentId) ?? []) if (incoming.viaRelay) this.#remove(studentId, incoming);
  }

  /** Hangs up every call of a student. */
  #drop(studentId: string): void {
    for (const incoming of this.#screens.get(studentId) ?? []) this.#remove(studentId, incoming);
  }

  /**
   * Runs a pass over the stats in `ms`, then schedules the next: soon while a call of a sharing
   * student awaits its first frame. (A call can be up long before: placed while the student's
   * picker was open, it brings nothing until they choose, which the roster then says.)
   */
  #schedule(ms: number): void {
    this.#poll = setTimeout(() => {
      this.#polling = true;
      void this.#checkDecoding().finally(() => {
        this.#polling = false;
        if (this.#closed) return;
        const awaitingFrame =
          this.#pollAgain ||
          [...this.#screens].some(
            ([studentId, calls]) =>
              this.#sharing.has(studentId) &&
              calls.some((c) => c.screen.state !== 'live' && c.call.peerConnection?.connectionState === 'connected'),
          );
        this.#pollAgain = false;
        this.#schedule(awaitingFrame ? FIRST_FRAME_POLL_MS : POLL_MS);
      });
    }, ms);
  }

  /** Runs the next pass now, or right after the one running. */
  #pollSoon(): void {
    if (this.#closed) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    clearTimeout(this.#poll);
    this.#schedule(0);
  }

  /** Live means frames decoded; a connection that drops goes back to connecting until it recovers. */
  async #checkDecoding(): Promise<void> {
    for (const [studentId, calls] of [...this.#screens]) {
      for (const incoming of calls) {
        const pc = incoming.call.peerConnection;
        if (!pc) continue;
        const down = pc.connectionState === 'disconnected' || pc.connectionState === 'failed';
        if (pc.connectionState === 'connected' && !incoming.connected) this.#connected(incoming);
        const late = Date.now() - incoming.acceptedAt > CONNECT_TIMEOUT_MS;
        if (
          incoming.call.remotePeerId === this.#relayPeerId &&
          !incoming.connected &&
          (late || pc.connectionState === 'failed')
        ) {
          this.onRelay('failed');
          this.#remove(studentId, incoming);
          continue;
        }
        if (incoming.screen.state === 'live' && !down && Date.now() - incoming.checkedAt < LIVE_POLL_MS) continue;
        // No frame can have come before the connection is up: its stats need no reading yet.
        if (incoming.screen.state !== 'live' && pc.connectionState !== 'connected') continue;
        incoming.checkedAt = Date.now();
        const frames = await incoming.call.framesDecoded();
        if (frames > incoming.frames) [incoming.frames, incoming.progressAt] = [frames, Date.now()];
        const stalled = Date.now() - incoming.progressAt > STALL_MS;
        if (stalled && incoming !== calls.at(-1) && incoming.screen.state === 'live') {
          this.#remove(studentId, incoming);
          continue;
        }
        let state = incoming.screen.state;
        if (down) state = 'connecting';
        else if (state === 'connecting' && frames > 0) state = 'live';
        if (state === incoming.screen.state) continue;
        incoming.screen = { ...incoming.screen, state };
        this.#sendView(studentId, incoming);
        // Make before break: once a newer call decodes, the older ones have been replaced; but a
        // direct call gives way to the relay's only where the routes now send this screen through
        // the relay. While the room races, a direct call still trying stays beside the relay's (it
        // is preferred once it decodes); after a race, a relay call placed during it may come up
        // late, and must not end the direct call that won.
        if (state === 'live')
          for (const older of calls.slice(0, calls.indexOf(incoming)))
            if (!incoming.viaRelay || older.viaRelay || this.#relayIsRoute(studentId)) this.#remove(studentId, older);
        if (state === 'live' && !incoming.viaRelay) this.#dropRelayIfDirect(studentId);
        this.onChange();
      }
    }
  }
}
