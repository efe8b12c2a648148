/**
 * Screen capture: asks for the whole screen, tuned for legible text, and says what was picked.
 */
import type { CaptureError, Surface } from './media.ts';
import { surfaceFrom } from '../state/surface.ts';
import { CAPTURE_MAX_FPS } from './quality.ts';

/** A running capture. */
export interface Capture {
  stream: MediaStream;
  track: MediaStreamTrack;
  surface: Surface | null;
}

/** Thrown when capture cannot start; `kind` says why. */
export class CaptureFailure extends Error {
  constructor(readonly kind: CaptureError) {
    super(kind);
    this.name = 'CaptureFailure';
  }
}

/** Asks the browser for the entire screen. */
export async function captureScreen(): Promise<Capture> {
  if (!window.isSecureContext) throw new CaptureFailure('insecure-context');
  if (!navigator.mediaDevices?.getDisplayMedia) throw new CaptureFailure('capture-unsupported');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({
      // Offer the whole screen first and leave this app's own tab out of the picker.
      video: { displaySurface: 'monitor', frameRate: { ideal: 15, max: CAPTURE_MAX_FPS } },
      audio: false,
      selfBrowserSurface: 'exclude',
      surfaceSwitching: 'exclude',
      monitorTypeSurfaces: 'include',
    } as DisplayMediaStreamOptions);
  } catch (error) {
    const name = (error as DOMException).name;
    throw new CaptureFailure(name === 'NotAllowedError' ? 'capture-denied' : 'capture-failed');
  }
  const track = stream.getVideoTracks()[0];
  if (!track) throw new CaptureFailure('capture-failed');
  // 'detail' makes the encoder keep resolution (sharp text) and drop frames instead.
  track.contentHint = 'detail';
  return { stream, track, surface: surfaceFrom(track.getSettings()) };
}

/**
 * What a student's calls carry while the browser's picker is open: a black picture the size of the
 * student's screen, captured from a canvas at 0 fps and asked for one frame, at once, before any
 * call can be connected. The calls connect while the student chooses, and the chosen screen then
 * takes its place on each, so the first frame waits for no handshake. Each call's encoder is set
 * for the stand-in's size before the choice (`ShareSender`), so a whole screen's first frame needs
 * no setting changed: 0.08–0.09 s from the choice to the teacher's first frame on loopback, against
 * 0.10 s before (`bench/results/first-frame.json`, `findings.encoderBeforeChoice`). The one frame is not what sets the
 * encoder up: in Chromium's WebRTC log no call's encoder receives it (it comes before any call is
 * answered), and without it the figures were the same within their spread. Null where the browser
 * cannot make one (the calls then wait for the capture).
 */
export function placeholderStream(): MediaStream | null {
  const canvas = document.createElement('canvas');
  if (typeof canvas.captureStream !== 'function') return null;
  canvas.width = Math.max(16, Math.round(screen.width * devicePixelRatio));
  canvas.height = Math.max(9, Math.round(screen.height * devicePixelRatio));
  const context = canvas.getContext('2d');
  if (!context) return null;
  context.fillRect(0, 0, canvas.width, canvas.height);
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0] as CanvasCaptureMediaStreamTrack | undefined;
  if (!track) return null;
  // As the screen's: the encoder is set up to keep resolution from the start.
  track.contentHint = 'detail';
  // After the calls have it (they are placed in this task), long before any can connect.
  setTimeout(() => track.requestFrame(), 0);
  return stream;
}
