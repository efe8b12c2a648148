/**
 * The media layer's interface: the only thing views and the room controller know about screens.
 * Views ask for "the screen of student X" and get a MediaStream and a state; whether it came peer
 * to peer or through the relay is hidden behind this interface.
 */
import type { IceServer, MemberView, PresentationView, Routes, Surface } from '../../shared/protocol.ts';

/** Why a share could not start. */
export type CaptureError =
  /** The person (or policy) refused the capture prompt. */
  | 'capture-denied'
  /** This browser cannot capture the screen (most tablets). */
  | 'capture-unsupported'
  /** The page is not served over HTTPS, so the browser hides screen capture. */
  | 'insecure-context'
  /** Capture failed for another reason (no screen, hardware error). */
  | 'capture-failed';

/** What the person picked in the browser's picker. */
export type { Surface } from '../../shared/protocol.ts';

/** A student's own share. */
export interface ShareState {
  status: 'idle' | 'starting' | 'sharing';
  surface: Surface | null;
  error: CaptureError | null;
  /** Member ids of the supervisors receiving the screen right now, from live connections. */
  viewers: string[];
}

/** How a supervisor's view of one student's screen is doing. */
export type ScreenState = 'none' | 'connecting' | 'live' | 'failed';

/** One student's screen as a supervisor receives it. */
export interface Screen {
  stream: MediaStream | null;
  state: ScreenState;
  /** What the student shares, as they reported it. */
  surface: Surface | null;
}

/** How a tile is shown on a supervisor's wall. */
export interface TileShown {
  /** Whether any of it is on screen and not covered (the page's own visibility is the media layer's business). */
  visible: boolean;
  /** Size of the tile's picture box, in device pixels. */
  widthPx: number;
  heightPx: number;
}

/** The screen shown to the class, as this member's media has it. */
export interface PresentationMedia {
  /** Supervisor: whether this browser holds a capture of its own screen for the class. */
  capturing: boolean;
  /** Supervisor: why the last capture for the class failed, or null. */
  error: CaptureError | null;
  /** Student: the shown screen as it arrives, or null. */
  stream: MediaStream | null;
}

/** Whether the connection to the signalling server is up. */
export type SignallingState = 'connecting' | 'connected' | 'reconnecting';

/** Screens for one member in one room. */
export interface MediaLayer {
  readonly share: ShareState;
  readonly signalling: SignallingState;
  /** Supervisor: the screen of a student. */
  screen(studentId: string): Screen;
  /** Student: asks the browser for the whole screen and starts sending it. */
  startShare(): Promise<void>;
  /** Student: stops sending and ends the capture. */
  stopShare(): void;
  /** Supervisor: the student now zoomed (sent at full quality to this supervisor alone), or null. */
  focus(studentId: string | null): void;
  /**
   * Supervisor: how one student's tile is shown right now (null: no tile, e.g. it unmounted). A
   * student is sent no more than this, and nothing while it cannot be seen.
   */
  setTileView(studentId: string, view: TileShown | null): void;
  /** Student: whether their viewer of the screen shown to the class shows its stream now. */
  watchPresentation(on: boolean): void;
  /** The room's members changed: who to call, who to accept calls from. */
  setMembers(members: readonly MemberView[]): void;
  /** Which screens go through the relay changed; each switch is made before the old path breaks. */
  setRoutes(routes: Routes): void;
  /** Renewed ICE servers (fresh TURN credentials) for the calls placed or answered from now on. */
  setIceServers(iceServers: readonly IceServer[]): void;
  /** The server answers again (its event stream is back after a restart): reconnect signalling now, not at the next backoff step. */
  serverBack(): void;
  readonly presentation: PresentationMedia;
  /** Supervisor: asks the browser for this device's screen, to show to the class; false if not given. */
  captureForClass(): Promise<boolean>;
  /** Supervisor: lets go of the screen captured for the class. */
  releaseClassCapture(): void;
  /**
   * The screen shown to the class changed (room state): its presenter calls every student with it,
   * students expect the call; when it ends, calls end and the presenter's capture is let go.
   */
  setPresentation(view: PresentationView | null): void;
  /** Calls `listener` after any change of share, screens, presentation or signalling. */
  subscribe(listener: () => void): () => void;
  /** Hangs up everything and leaves the signalling server. */
  close(): void;
}

/** Text a person reads for a capture error, saying what to do next. */
export function captureErrorText(error: CaptureError): string {
  switch (error) {
    case 'capture-denied':
      return 'Screen sharing was not allowed. Tap “Share my screen” and choose your entire screen.';
    case 'capture-unsupported':
      return 'This browser cannot share its screen. Use a Chromebook or a computer with Chrome, Edge or Firefox.';
    case 'insecure-context':
      return 'Screen sharing needs HTTPS. Open this app with https:// or ask your admin.';
    case 'capture-failed':
      return 'Your screen could not be captured. Try again, or restart the browser.';
  }
}
