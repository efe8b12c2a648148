/**
 * One member's live room: follows the event stream into the session reducer, runs the media layer,
 * keeps the server's sharing flag in step with the real capture, and carries out the person's
 * actions. Views read `state` and call the actions; they never touch the network.
 */
import {
  routesDiffer,
  type ClientConfig,
  type IceServer,
  type RoomEvent,
  type SendMessageRequest,
} from '../../shared/protocol.ts';
import { datedFileName, saveFile } from '../downloads.ts';
import { attendanceCsv, attendanceFileName } from '../state/csv.ts';
import * as api from '../net/api.ts';
import { followEvents, type EventFollow } from '../net/event-stream.ts';
import type { MediaLayer, PresentationMedia, ShareState, SignallingState } from '../media/media.ts';
import {
  initialSession,
  reduceSession,
  self,
  tools,
  type LocalEvent,
  type SeatEnd,
  type Session,
} from '../state/session.ts';
import type { SavedSeat } from '../state/storage.ts';
import { CompanionLink, connectToExtension, type CompanionLesson } from './companion.ts';
import { IceRenewal } from './ice-renewal.ts';
import { ShareSync } from './share-sync.ts';

/** What the room views render. */
export interface RoomState {
  session: Session;
  share: ShareState;
  signalling: SignallingState;
  /** The screen shown to the class, as this member's media has it. */
  presentation: PresentationMedia;
  /** Student: whether their companion extension answered (their tabs are shown to teachers while they share). */
  companion: boolean;
}

const IDLE_SHARE: ShareState = { status: 'idle', surface: null, error: null, viewers: [] };
const NO_PRESENTATION: PresentationMedia = { capturing: false, error: null, stream: null };

/** Runs a seat; `onEnded` is called once when the seat ends for any reason. */
export class RoomController {
  #state: RoomState = {
    session: initialSession,
    share: IDLE_SHARE,
    signalling: 'connecting',
    presentation: NO_PRESENTATION,
    companion: false,
  };
  readonly #listeners = new Set<() => void>();
  readonly #stopEvents: EventFollow;
  #media: MediaLayer | null = null;
  /** Resolves once the media layer is loaded (null if the seat ended first). */
  readonly #mediaLoaded: Promise<MediaLayer | null>;
  #ended = false;
  #probing = false;
  /** The only writer of this student's sharing flag on the server. */
  readonly #shareSync: ShareSync;
  /** This member's ICE servers, renewed before their TURN credentials expire while the seat lasts. */
  readonly #ice: IceRenewal;
  /** Student: the channel to their companion extension, if they have one. */
  readonly #companion: CompanionLink | null;
  /** Whether this server serves the companion extension (its teacher actions mean something). */
  readonly extensionServed: boolean;

  constructor(
    readonly seat: SavedSeat,
    config: ClientConfig,
    private readonly onEnded: (reason: SeatEnd, roomName: string) => void,
    loadMedia?: (iceServers: Promise<IceServer[] | null>) => Promise<MediaLayer>,
  ) {
    this.#ice = new IceRenewal(
      () =>
        api
          .getIceServers(seat.code, seat.token)
          .catch((error: unknown) => (seatGone(error) ? null : Promise.reject(error))),
      (iceServers) => this.#media?.setIceServers(iceServers),
      () => void this.#probeSeat(),
    );
    this.#shareSync = new ShareSync((sharing, keepalive) =>
      api.setSharing(seat.code, seat.token, sharing, keepalive).then(() => undefined),
    );
    this.extensionServed = config.extensionId !== null;
    this.#companion =
      seat.role === 'student'
        ? new CompanionLink({
            connect: () => connectToExtension(config.extensionId),
            sendTabs: (report) => api.reportTabs(seat.code, seat.token, report),
            clearTabs: () => api.clearTabs(seat.code, seat.token),
            onChange: () => {
              this.#state = { ...this.#state, companion: this.#companion?.present ?? false };
              this.#syncCompanion();
              this.#notify();
            },
            onNotice: (text) => this.#apply({ type: 'notice-added', tone: 'warning', text }),
          })
        : null;
    this.#stopEvents = followEvents<RoomEvent>(
      api.roomEventsUrl(seat.code, seat.token),
      (event) => this.#apply(event),
      (status) => {
        const wasAway = this.#state.session.stream === 'reconnecting';
        this.#apply({ type: 'stream-status', status });
        if (status === 'reconnecting') void this.#probeSeat();
        // The server is back (a restart): the PeerServer socket need not wait out its backoff.
        if (status === 'live' && wasAway) this.#media?.serverBack();
      },
    );
    addEventListener('pagehide', this.#onPageHide);
    addEventListener('pageshow', this.#onPageShow);
    const firstIce = this.#ice.start();
    this.#mediaLoaded = (loadMedia ?? ((ice) => defaultMedia(seat, config, ice)))(firstIce).then((media) => {
      if (this.#ended) {
        media.close();
        return null;
      }
      this.#media = media;
      // Servers renewed while the media layer was loading.
      if (this.#ice.current) media.setIceServers(this.#ice.current);
      media.subscribe(() => this.#mediaChanged());
      media.setMembers(this.#state.session.members);
      if (this.#state.session.room) media.setRoutes(this.#state.session.room.routes);
      media.setPresentation(tools(this.#state.session).presentation);
      this.#mediaChanged();
      return media;
    });
  }

  /** The current state. */
  get state(): RoomState {
    return this.#state;
  }

  /** The media layer, once loaded, for views that show screens. */
  get media(): MediaLayer | null {
    return this.#media;
  }

  /** Calls `listener` after every change. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Student: start sharing the screen. */
  startShare = () => {
    // A tap before the media layer has loaded still counts (the browser's permission to ask for
    // the screen lasts a few seconds after the tap, far longer than the load).
    void this.#mediaLoaded.then((media) => media?.startShare());
  };
  /** Student: stop sharing. */
  stopShare = () => this.#media?.stopShare();
  /** Supervisor: zoom into a student (full quality for this supervisor), or null to un-zoom. */
  focus = (studentId: string | null) => this.#media?.focus(studentId);
  /** Dismisses a notice. */
  dismissNotice = (id: number) => this.#apply({ type: 'notice-dismissed', id });
  /** Supervisor: forget students who left. */
  clearDeparted = () => this.#apply({ type: 'departed-cleared' });
  /** Leaves the room. */
  leave = () => this.#act(() => api.leaveRoom(this.seat.code, this.seat.token), 'left');
  /** Host: ends the room for everyone. */
  endRoom = () => this.#act(() => api.endRoom(this.seat.code, this.seat.token), 'ended-by-you');
  /** Host: removes a member. */
  kick = (memberId: string) => this.#act(() => api.kickMember(this.seat.code, this.seat.token, memberId));
  /** Supervisor: lets a student waiting for a rostered lesson in, onto the class's roster too with `addToRoster`. */
  admit = (waitingId: string, addToRoster: boolean) =>
    this.#act(() => api.admitWaiting(this.seat.code, this.seat.token, waitingId, addToRoster));
  /** Supervisor: turns a waiting student away. */
  refuseWaiting = (waitingId: string) => this.#act(() => api.refuseWaiting(this.seat.code, this.seat.token, waitingId));
  /** Host: hands the role to another supervisor. */
  makeHost = (memberId: string) => this.#act(() => api.transferHost(this.seat.code, this.seat.token, memberId));
  /** Student: raises their hand with an optional note. */
  raiseHand = (note: string) => this.#act(() => api.raiseHand(this.seat.code, this.seat.token, note));
  /** Lowers a hand: a student their own, a supervisor any student's (answering it). */
  lowerHand = (studentId: string) => this.#act(() => api.lowerHand(this.seat.code, this.seat.token, studentId));
  /** Sends a message or link. */
  sendMessage = (body: SendMessageRequest) => this.#act(() => api.sendMessage(this.seat.code, this.seat.token, body));
  /** Student: acknowledges a message. */
  ackMessage = (messageId: string) => this.#act(() => api.ackMessage(this.seat.code, this.seat.token, messageId));
  /** Supervisor: asks every student for attention. */
  startAttention = (message: string) => this.#act(() => api.startAttention(this.seat.code, this.seat.token, message));
  /** Supervisor: releases the attention request. */
  endAttention = () => this.#act(() => api.endAttention(this.seat.code, this.seat.token));
  /** Student: acknowledges the attention request. */
  ackAttention = (attentionId: string) =>
    this.#act(() => api.ackAttention(this.seat.code, this.seat.token, attentionId));

  /**
   * Supervisor: saves a PNG of a student's screen on this device. Full quality is asked for first,
   * as zooming does; the student is told before the file is offered, and the picture never leaves
   * this browser.
   */
  saveSnapshot = (studentId: string, studentName: string) =>
    this.#act(async () => {
      const stream = this.#media?.screen(studentId).stream;
      if (!stream) throw new api.ApiFailure('internal-error', `${studentName}’s screen is not showing yet.`, 0);
      this.#media!.focus(studentId);
      const { grabFrame } = await import('../media/snapshot.ts');
      const picture = await grabFrame(stream).catch(() => {
        throw new api.ApiFailure(
          'internal-error',
          `No picture of ${studentName}’s screen has arrived yet; try again.`,
          0,
        );
      });
      await api.tellSnapshot(this.seat.code, this.seat.token, studentId);
      saveFile(picture, datedFileName(studentName, 'png'));
    });

  /**
   * Supervisor: shows this device's screen to the class. The browser is asked first (the tap's
   * permission lasts only seconds); if the room refuses, the capture is let go at once.
   */
  showOwnScreen = () =>
    this.#act(async () => {
      const media = await this.#mediaLoaded;
      if (!media || !(await media.captureForClass())) return;
      try {
        await api.startPresentation(this.seat.code, this.seat.token, null);
      } catch (error) {
        media.releaseClassCapture();
        throw error;
      }
    });
  /** Supervisor: shows a sharing student's screen to the class, forwarded from this browser. */
  showStudentScreen = (studentId: string) =>
    this.#act(() => api.startPresentation(this.seat.code, this.seat.token, studentId));
  /** Supervisor: stops showing a screen to the class. */
  stopPresentation = () => this.#act(() => api.stopPresentation(this.seat.code, this.seat.token));

  /** Supervisor: asks a student's companion extension to close one of their tabs. */
  closeStudentTab = (studentId: string, tabId: number) =>
    this.#act(() => api.closeStudentTab(this.seat.code, this.seat.token, studentId, tabId));
  /** Supervisor: keeps the class to (allow) or away from (block) the sites listed, one a line. */
  setSites = (kind: 'allow' | 'block', sites: string) =>
    this.#act(() => api.setSites(this.seat.code, this.seat.token, { kind, sites }));
  /** Supervisor: lifts the lesson's site list. */
  liftSites = () => this.#act(() => api.liftSites(this.seat.code, this.seat.token));

  /** Host: downloads the attendance so far as a CSV file. */
  exportAttendance = () =>
    this.#act(async () => {
      const report = await api.getAttendance(this.seat.code, this.seat.token);
      saveFile(new Blob([attendanceCsv(report)], { type: 'text/csv;charset=utf-8' }), attendanceFileName(report));
    });

  /** Stops everything without telling the server (the page is going away, or the seat ended). */
  dispose(): void {
    removeEventListener('pagehide', this.#onPageHide);
    removeEventListener('pageshow', this.#onPageShow);
    this.#shareSync.dispose();
    this.#ice.stop();
    this.#companion?.close();
    this.#stopEvents();
    this.#media?.close();
    this.#listeners.clear();
  }

  async #act(request: () => Promise<unknown>, endsSeatAs?: SeatEnd): Promise<string | null> {
    try {
      await request();
      if (endsSeatAs) this.#end(endsSeatAs);
      return null;
    } catch (error) {
      return error instanceof api.ApiFailure ? error.message : 'Something went wrong. Try again.';
    }
  }

  #apply(event: RoomEvent | LocalEvent): void {
    this.#companionActs(event);
    const before = this.#state.session;
    const session = reduceSession(before, event);
    if (session === before) return;
    this.#state = { ...this.#state, session };
    if (session.members !== before.members) this.#media?.setMembers(session.members);
    const routes = session.room?.routes;
    if (routes && (!before.room || routesDiffer(routes, before.room.routes))) this.#media?.setRoutes(routes);
    const shown = tools(session).presentation;
    if (shown !== tools(before).presentation) this.#media?.setPresentation(shown);
    const me = self(session);
    if (me?.role === 'student' && me !== self(before)) this.#shareSync.setServer(me.sharing);
    this.#syncCompanion();
    this.#notify();
    if (session.ended) this.#end(session.ended);
  }

  #mediaChanged(): void {
    const media = this.#media!;
    const wasCapturing = this.#state.presentation.capturing;
    // Signalling is back (a restart): the event stream need not wait for EventSource's next retry.
    if (this.#state.signalling === 'reconnecting' && media.signalling === 'connected') this.#stopEvents.reconnectNow();
    this.#state = {
      ...this.#state,
      share: media.share,
      signalling: media.signalling,
      presentation: media.presentation,
    };
    // The browser's "Stop sharing" bar ended the screen this supervisor shows: stop showing it.
    const shown = tools(this.#state.session).presentation;
    if (wasCapturing && !media.presentation.capturing && shown?.presenterId === this.seat.memberId) {
      if (shown.source === 'supervisor') void this.stopPresentation();
    }
    if (this.seat.role === 'student') this.#shareSync.setCapture(media.share.status === 'sharing');
    this.#syncCompanion();
    this.#notify();
  }

  /** The app is closing or reloading: the capture dies with the page, so say so at once. */
  readonly #onPageHide = () => this.#shareSync.pageHide();
  /** Back from the back/forward cache: the sharing flag follows the capture again. */
  readonly #onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted) this.#shareSync.pageShow(this.#state.share.status === 'sharing');
  };

  /** After a dropped stream, asks whether our seat still exists; 401/404 means it ended. */
  async #probeSeat(): Promise<void> {
    if (this.#probing || this.#ended) return;
    this.#probing = true;
    try {
      await api.getRoom(this.seat.code, this.seat.token);
    } catch (error) {
      if (seatGone(error)) this.#apply({ type: 'seat-gone' });
    } finally {
      this.#probing = false;
    }
  }

  /** A teacher's action in the student's browser: passed to the extension (the reducer keeps no trace of it). */
  #companionActs(event: RoomEvent | LocalEvent): void {
    if (!this.#companion) return;
    if (event.type === 'tab-close-asked') this.#companion.closeTab(event.tabId, event.title, event.byName);
    if (event.type === 'sites-changed' && this.#companion.present) {
      const { sites, byName } = event;
      const text = !sites
        ? `${byName} lifted the lesson’s site list.`
        : `${byName} keeps the class ${sites.kind === 'allow' ? 'to' : 'away from'} these sites: ${sites.sites.join(', ')}.`;
      this.#apply({ type: 'notice-added', tone: 'warning', text });
    }
    const sent = event.type === 'message-sent' ? event.message : null;
    if (sent?.url && sent.fromId !== this.seat.memberId && sent.to.kind !== 'teachers') {
      this.#companion.openTab(sent.url, sent.fromName);
    }
  }

  /** Tells the extension the lesson as it is now, or nothing while the server cannot be reached. */
  #syncCompanion(): void {
    if (!this.#companion) return;
    const { session, share } = this.#state;
    const room = session.room;
    let lesson: CompanionLesson | null = null;
    if (room && session.stream === 'live' && !session.ended) {
      const sites = tools(session).sites;
      const teachers = session.members.filter((m) => m.role === 'supervisor').map((m) => m.name);
      lesson = {
        lesson: room.name,
        ask: teachers.length > 0 ? teachers.join(' or ') : 'your teacher',
        reportTabs: share.status === 'sharing',
        sites: sites && { kind: sites.kind, sites: sites.sites },
      };
    }
    this.#companion.setLesson(lesson);
  }

  #end(reason: SeatEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#companion?.end();
    this.dispose();
    this.onEnded(reason, this.#state.session.room?.name ?? this.seat.roomName);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** Whether a refusal means this seat no longer exists (401: token unknown, 404: room gone). */
function seatGone(error: unknown): boolean {
  return error instanceof api.ApiFailure && (error.status === 401 || error.status === 404);
}

async function defaultMedia(
  seat: SavedSeat,
  config: ClientConfig,
  firstIce: Promise<IceServer[] | null>,
): Promise<MediaLayer> {
  // PeerJS is loaded only once someone is in a room, keeping the first screen small. TURN
  // credentials are made per member and expire, so the first calls wait for this member's own.
  const [{ createPeerMedia }, iceServers] = await Promise.all([import('../media/peer-media.ts'), firstIce]);
  const self = { memberId: seat.memberId, peerId: seat.peerId, token: seat.token, role: seat.role };
  return createPeerMedia(self, iceServers ? { ...config, iceServers } : config, (outcome, withId) => {
    const sent =
      outcome === 'failed'
        ? api.reportConnectionFailure(seat.code, seat.token, withId)
        : outcome === 'relay-up'
          ? api.reportRelayConnection(seat.code, seat.token)
          : api.reportDirectConnection(seat.code, seat.token, withId);
    sent.catch(() => undefined);
  });
}
