/**
 * The media layer over PeerJS. In a mesh each sharing student calls every supervisor directly; in a
 * relayed room the student calls the relay peer, and supervisors receive its calls the same way.
 * Keeps this member's PeerServer connection up (it is also how the room knows the member is
 * present), reconnecting with the same id and token after a drop.
 */
import { Peer } from 'peerjs';
import { presentationAudience, stageAudience } from '../../shared/presentation-audience.ts';
import {
  parsePresentationCallMetadata,
  presentsThroughRelay,
  relayCarries,
  type ClientConfig,
  type MemberView,
  type PresentationView,
  type Routes,
} from '../../shared/protocol.ts';
import { captureScreen, CaptureFailure, placeholderStream, type Capture } from './capture.ts';
import { receiveCodec, type VideoCodec } from './codecs.ts';
import { setCallIceServers } from './peer-call.ts';
import type { MediaLayer, PresentationMedia, Screen, ShareState, SignallingState } from './media.ts';
import { PresentationSender, PresentationViewer } from './presentation.ts';
import { relayLink } from './relay-link.ts';
import { ScreenReceiver } from './screen-receiver.ts';
import { ShareSender } from './share-sender.ts';
import { warmUpCalls } from './warm-up.ts';

/** Who this member is, as far as media goes. */
export interface MediaSelf {
  memberId: string;
  peerId: string;
  token: string;
  role: 'student' | 'supervisor';
}

/**
 * Benchmark-only switch (set by a benchmark's init script, never by the app): the wall asks for
 * what it asked before tiles reported their views, so one run can compare both costs.
 */
function benchmarkTodaysTileCost(): boolean {
  return (globalThis as { __benchTodaysTileCost?: boolean }).__benchTodaysTileCost === true;
}

const NO_SCREEN: Screen = Object.freeze({ stream: null, state: 'none', surface: null });
/** Low enough that every member is back within a few seconds of a restarted server answering. */
const MAX_BACKOFF_MS = 3_000;

/**
 * What the media layer tells the server of its connections: one that never came up (with a member
 * id or "relay"), so the server can reroute it; a direct call that came up while the room races its
 * paths, which ends the race; and a connection with the relay that came up after failures were
 * reported with it, which the server then forgets (relay-link.ts).
 */
export type ConnectionReport = (outcome: 'failed' | 'direct-up' | 'relay-up', withId: string) => void;

/** Starts the media layer for one member of one room; `report` hears how its connections fare. */
export function createPeerMedia(self: MediaSelf, config: ClientConfig, report: ConnectionReport): MediaLayer {
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of listeners) listener();
  };

  let share: ShareState = { status: 'idle', surface: null, error: null, viewers: [] };
  let signalling: SignallingState = 'connecting';
  let capture: Capture | null = null;
  /** What the calls carry while the picker is open; stopped once no call can carry it any more. */
  let standIn: MediaStream | null = null;
  const stopStandIn = () => {
    for (const track of standIn?.getTracks() ?? []) track.stop();
    standIn = null;
  };
  let closed = false;
  let backoffMs = 500;
  let retry: ReturnType<typeof setTimeout> | undefined;

  // The first call's negotiation is slow in a fresh page: warm it up while the room renders.
  setTimeout(warmUpCalls, 0);
  const secure = location.protocol === 'https:';
  const peer = new Peer(self.peerId, {
    host: location.hostname,
    port: Number(location.port) || (secure ? 443 : 80),
    secure,
    path: config.peer.path,
    key: config.peer.key,
    token: self.token,
    config: { iceServers: config.iceServers },
    debug: 0,
  });

  const setSignalling = (next: SignallingState) => {
    if (signalling === next) return;
    signalling = next;
    changed();
  };
  const reconnectSoon = () => {
    if (closed || peer.destroyed || retry) return;
    setSignalling('reconnecting');
    retry = setTimeout(() => {
      retry = undefined;
      if (closed || peer.destroyed || !peer.disconnected) return;
      peer.reconnect();
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  };
  // Without signalling no connection can come up, so failures then say nothing about the path.
  const failed = (withId: string) => {
    if (!peer.disconnected) report('failed', withId);
  };
  const onRelay = relayLink((outcome) => (outcome === 'failed' ? failed('relay') : report('relay-up', 'relay')));
  const sender =
    self.role === 'student'
      ? new ShareSender(
          peer,
          self.memberId,
          () => updateViewers(),
          failed,
          (withId) => report('direct-up', withId),
          onRelay,
        )
      : null;
  // The screen shown to the class: a presenting supervisor forwards what its receiver gets.
  let members: readonly MemberView[] = [];
  let routes: Routes | null = null;
  let shown: PresentationView | null = null;
  let classCapture: Capture | null = null;
  let presentation: PresentationMedia = { capturing: false, error: null, stream: null };
  let codec: VideoCodec = 'VP8';
  const presenter = self.role === 'supervisor' ? new PresentationSender(peer) : null;
  const viewer =
    self.role === 'student'
      ? new PresentationViewer(() => {
          presentation = { ...presentation, stream: viewer!.stream };
          changed();
        })
      : null;
  const syncPresentation = () => {
    if (!presenter) return;
    // Through the relay: one call to it, and direct calls to the students who cannot reach it. In a
    // room with a stage, a standing call to the relay carries whatever this supervisor shows, kept
    // through a moment with nobody on the stage (everyone reconnecting after a restart).
    const viaRelay = routes && presentsThroughRelay(routes, self.memberId) ? routes.relayPeerId : null;
    presenter.standBy(viaRelay, routes !== null && stageAudience(members, routes).length > 0);
    const mine = shown?.presenterId === self.memberId ? shown : null;
    receiver?.setForwarded(mine?.studentId ?? null);
    if (!shown || !mine) return presenter.update(null, null, []);
    const forwarded = shown.studentId ? receiver?.screen(shown.studentId) : undefined;
    const stream = shown.source === 'supervisor' ? (classCapture?.stream ?? null) : (forwarded?.stream ?? null);
    const { direct } = presentationAudience(shown, members, routes);
    presenter.update({ presentationId: shown.id, name: shown.name }, stream, [
      ...(viaRelay ? [viaRelay] : []),
      ...direct.map((m) => m.peerId!),
    ]);
  };
  const receiver =
    self.role === 'supervisor'
      ? new ScreenReceiver(
          () => {
            syncPresentation();
            changed();
          },
          onRelay,
          !benchmarkTodaysTileCost(),
        )
      : null;
  // H.264 where this device decodes it in hardware and VP8 not (an iPad); asked once, in milliseconds.
  void receiveCodec().then((chosen) => {
    codec = chosen;
    receiver?.setCodec(chosen);
  });
  // A wall in a background tab, or behind a closed tablet cover, is seen by nobody.
  const onVisibility = () => receiver?.setPageVisible(document.visibilityState === 'visible');
  if (receiver) {
    onVisibility();
    document.addEventListener('visibilitychange', onVisibility);
  }
  const updateViewers = () => {
    const viewers = sender?.viewers() ?? [];
    if (viewers.join() === share.viewers.join()) return;
    share = { ...share, viewers };
    changed();
  };

  peer.on('open', () => {
    backoffMs = 500;
    setSignalling('connected');
    sender?.resume();
    syncPresentation();
  });
  peer.on('call', (call) => {
    if (receiver) return receiver.onCall(call);
    // A student takes calls only of the screen shown to the class; their own screen they send.
    const metadata = parsePresentationCallMetadata(call.metadata);
    if (viewer && metadata) return viewer.onCall(call, codec, metadata.standing === true);
    call.close();
  });
  peer.on('disconnected', reconnectSoon);
  // Network, server and socket errors all leave the peer disconnected; reconnect the same way.
  peer.on('error', () => {
    if (peer.disconnected) reconnectSoon();
  });

  const stopCapture = () => {
    if (!capture) return;
    for (const track of capture.stream.getTracks()) track.stop();
    capture = null;
    sender?.setCapture(null);
    stopStandIn();
    share = { ...share, status: 'idle', surface: null, viewers: [] };
    changed();
  };

  const releaseClassCapture = () => {
    if (!classCapture) return;
    for (const track of classCapture.stream.getTracks()) track.stop();
    classCapture = null;
    presentation = { ...presentation, capturing: false };
    syncPresentation();
    changed();
  };

  return {
    get share() {
      return share;
    },
    get presentation() {
      return presentation;
    },
    async captureForClass() {
      if (self.role !== 'supervisor') return false;
      releaseClassCapture();
      try {
        classCapture = await captureScreen();
      } catch (error) {
        presentation = { ...presentation, error: error instanceof CaptureFailure ? error.kind : 'capture-failed' };
        changed();
        return false;
      }
      // The browser's own "Stop sharing" bar ends the track: the room controller then stops the presentation.
      classCapture.track.addEventListener('ended', releaseClassCapture);
      presentation = { ...presentation, capturing: true, error: null };
      changed();
      return true;
    },
    releaseClassCapture,
    setPresentation(view) {
      const wasMine = shown?.presenterId === self.memberId;
      shown = view;
      if (wasMine && view?.presenterId !== self.memberId) releaseClassCapture();
      if (!view) viewer?.close();
      syncPresentation();
    },
    get signalling() {
      return signalling;
    },
    screen: (studentId) => receiver?.screen(studentId) ?? NO_SCREEN,
    async startShare() {
      if (self.role !== 'student' || share.status !== 'idle') return;
      share = { ...share, status: 'starting', error: null };
      changed();
      // The picker first, while the tap still counts; the calls come up while the student chooses.
      const picked = captureScreen();
      standIn = placeholderStream();
      if (standIn) sender?.prepare(standIn);
      try {
        capture = await picked;
      } catch (error) {
        sender?.setCapture(null);
        stopStandIn();
        share = { ...share, status: 'idle', error: error instanceof CaptureFailure ? error.kind : 'capture-failed' };
        changed();
        return;
      }
      // The browser's own "Stop sharing" bar, or the screen going away, ends the track.
      capture.track.addEventListener('ended', stopCapture);
      share = { ...share, status: 'sharing', surface: capture.surface };
      sender?.setCapture(capture);
      changed();
    },
    stopShare: stopCapture,
    focus: (studentId) => receiver?.focus(studentId),
    setTileView: (studentId, view) => receiver?.setTileView(studentId, view),
    watchPresentation: (on) => viewer?.watching(on),
    setMembers(next: readonly MemberView[]) {
      members = next;
      sender?.setMembers(next);
      receiver?.setMembers(next);
      syncPresentation();
    },
    setIceServers(iceServers) {
      setCallIceServers(peer, iceServers);
    },
    serverBack() {
      // A reconnect already under way has cleared `disconnected` (PeerJS sets it on reconnect()).
      if (closed || peer.destroyed || !peer.disconnected) return;
      clearTimeout(retry);
      retry = undefined;
      backoffMs = 500;
      peer.reconnect();
    },
    setRoutes(next) {
      routes = next;
      sender?.setRoutes(next);
      receiver?.setRelayPeerId(next.relayPeerId);
      receiver?.setRelayCarries((studentId) => relayCarries(next, studentId, self.memberId), next.racing);
      syncPresentation();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(retry);
      document.removeEventListener('visibilitychange', onVisibility);
      stopCapture();
      presenter?.close();
      viewer?.leave();
      releaseClassCapture();
      sender?.close();
      receiver?.close();
      peer.destroy();
      listeners.clear();
    },
  };
}
