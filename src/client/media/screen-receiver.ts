/**
 * Supervisor side: answers calls from current students of the room, or from the relay on behalf
 * of one (receive-only); says a screen is live only once frames are decoded (PeerJS's `stream`
 * event fires before ICE connects); keeps showing a student's old call until a new one (another
 * transport, a rebuilt call) decodes, so the wall never goes black; and asks for full quality on
 * the one screen this supervisor zooms into.
 */
import type { MediaConnection } from 'peerjs';
import type { MemberView } from '../../shared/protocol.ts';
import type { Screen } from './media.ts';
import { qualityMessage, type QualityLevel } from '../../shared/protocol.ts';
import { CONNECT_TIMEOUT_MS, type CallMetadata } from './share-sender.ts';

/** How often decoding progress is read from each connection's stats. */
const POLL_MS = 250;
/** A call from a peer not (yet) in our roster waits this long for the roster to catch up. */
const UNKNOWN_CALLER_WAIT_MS = 5_000;

interface Incoming {
  call: MediaConnection;
  screen: Screen;
  level: QualityLevel | null;
  /** Decoding progress, to notice a call that still looks connected but brings no more frames. */
  frames: number;
  progressAt: number;
  acceptedAt: number;
  /** Whether the connection has been up at least once. */
  connected: boolean;
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
  readonly #waiting = new Map<MediaConnection, ReturnType<typeof setTimeout>>();
  #focused: string | null = null;
  readonly #poll: ReturnType<typeof setInterval>;

  constructor(
    private readonly relayPeerId: string | null,
    private readonly onChange: () => void,
    /** A call from the relay never connected: the server sends us screens directly after two. */
    private readonly onFailure: (withId: 'relay') => void,
  ) {
    this.#poll = setInterval(() => void this.#checkDecoding(), POLL_MS);
  }

  /** The screen of one student: the newest call that decodes, else the newest call. */
  screen(studentId: string): Screen | undefined {
    const calls = this.#screens.get(studentId) ?? [];
    return ([...calls].reverse().find((c) => c.screen.state === 'live') ?? calls.at(-1))?.screen;
  }

  /** PeerJS delivered an incoming call. */
  onCall(call: MediaConnection): void {
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

  /** The room's members changed: accept waiting calls from students, drop calls of students who left. */
  setMembers(members: readonly MemberView[]): void {
    this.#students = new Map(members.filter((m) => m.role === 'student' && m.peerId).map((m) => [m.peerId!, m.id]));
    for (const [call, timer] of [...this.#waiting]) {
      const studentId = this.#studentOf(call);
      if (!studentId) continue;
      clearTimeout(timer);
      this.#waiting.delete(call);
      this.#accept(call, studentId);
    }
    const present = new Set(this.#students.values());
    for (const id of [...this.#screens.keys()]) if (!present.has(id)) this.#drop(id);
    // A student who stopped sharing has no screen any more, however slowly the dead call reports it.
    const sharing = new Set(members.filter((m) => m.role === 'student' && m.sharing).map((m) => m.id));
    for (const id of this.#sharing) if (!sharing.has(id)) this.#drop(id);
    this.#sharing = sharing;
  }

  /** The student this supervisor zooms into gets full quality; everyone else thumbnails. */
  focus(studentId: string | null): void {
    this.#focused = studentId;
    for (const [id, calls] of this.#screens) for (const incoming of calls) this.#sendLevel(id, incoming);
  }

  /** Hangs up everything. */
  close(): void {
    clearInterval(this.#poll);
    for (const [call, timer] of this.#waiting) {
      clearTimeout(timer);
      call.close();
    }
    this.#waiting.clear();
    for (const id of [...this.#screens.keys()]) this.#drop(id);
  }

  /** The student a call carries: its caller, or for the relay the student named in its metadata. */
  #studentOf(call: MediaConnection): string | undefined {
    if (call.peer !== this.relayPeerId) return this.#students.get(call.peer);
    const studentId = (call.metadata as Partial<CallMetadata> | undefined)?.studentId;
    return [...this.#students.values()].find((id) => id === studentId);
  }

  #accept(call: MediaConnection, studentId: string): void {
    const metadata = call.metadata as Partial<CallMetadata> | undefined;
    const surface =
      metadata?.surface === 'monitor' || metadata?.surface === 'window' || metadata?.surface === 'browser'
        ? metadata.surface
        : null;
    const incoming: Incoming = {
      call,
      screen: { stream: null, state: 'connecting', surface },
      level: null,
      frames: 0,
      progressAt: Date.now(),
      acceptedAt: Date.now(),
      connected: false,
    };
    this.#screens.set(studentId, [...(this.#screens.get(studentId) ?? []), incoming]);
    call.on('stream', (stream) => {
      incoming.screen = { ...incoming.screen, stream };
      this.onChange();
    });
    const ended = () => this.#remove(studentId, incoming);
    call.on('close', ended);
    call.on('error', ended);
    call.answer();
    // The data channel PeerJS opens with every call carries our quality requests.
    const channel = () => call.dataChannel;
    const whenOpen = () => this.#sendLevel(studentId, incoming);
    const wait = setInterval(() => {
      const dc = channel();
      if (!dc || !this.#screens.get(studentId)?.includes(incoming)) return clearInterval(wait);
      if (dc.readyState === 'open') {
        clearInterval(wait);
        whenOpen();
      }
    }, 100);
    this.onChange();
  }

  #sendLevel(studentId: string, incoming: Incoming): void {
    const level: QualityLevel = studentId === this.#focused ? 'full' : 'thumbnail';
    const dc = incoming.call.dataChannel;
    if (incoming.level === level || dc?.readyState !== 'open') return;
    dc.send(qualityMessage(level));
    incoming.level = level;
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

  /** Hangs up every call of a student. */
  #drop(studentId: string): void {
    for (const incoming of this.#screens.get(studentId) ?? []) this.#remove(studentId, incoming);
  }

  /** Live means frames decoded; a connection that drops goes back to connecting until it recovers. */
  async #checkDecoding(): Promise<void> {
    for (const [studentId, calls] of [...this.#screens]) {
      for (const incoming of calls) {
        const pc = incoming.call.peerConnection;
        if (!pc) continue;
        const down = pc.connectionState === 'disconnected' || pc.connectionState === 'failed';
        if (pc.connectionState === 'connected') incoming.connected = true;
        const late = Date.now() - incoming.acceptedAt > CONNECT_TIMEOUT_MS;
        if (
          incoming.call.peer === this.relayPeerId &&
          !incoming.connected &&
          (late || pc.connectionState === 'failed')
        ) {
          this.onFailure('relay');
          this.#remove(studentId, incoming);
          continue;
        }
        const frames = await framesDecoded(pc);
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
        // Make before break: once a newer call decodes, the older ones have been replaced.
        if (state === 'live')
          for (const older of calls.slice(0, calls.indexOf(incoming))) this.#remove(studentId, older);
        this.onChange();
      }
    }
  }
}

async function framesDecoded(pc: RTCPeerConnection): Promise<number> {
  let frames = 0;
  const stats = await pc.getStats().catch(() => null);
  stats?.forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video') frames = Math.max(frames, report.framesDecoded ?? 0);
  });
  return frames;
}
