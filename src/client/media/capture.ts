/**
 * Screen capture: asks for the whole screen, tuned for legible text, and says what was picked.
 */
import type { CaptureError, Surface } from './media.ts';
import { surfaceFrom } from '../state/surface.ts';

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
      video: { displaySurface: 'monitor', frameRate: { ideal: 15, max: 30 } },
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
 * What a student's calls carry while the browser's picker is open: a video track that never
 * delivers a frame (a canvas captured at 0 fps and never asked for one). The calls connect while
 * the student chooses, and the chosen screen then takes its place on each, so the first frame waits
 * for no handshake. Nothing can be sent before the choice: there is no frame to send. Null where the
 * browser cannot make one (the calls then wait for the capture, as before).
 */
export function placeholderStream(): MediaStream | null {
  const canvas = document.createElement('canvas');
  if (typeof canvas.captureStream !== 'function') return null;
  canvas.width = 16;
  canvas.height = 9;
  // Firefox captures a canvas only once it has a context.
  canvas.getContext('2d');
  const stream = canvas.captureStream(0);
  const track = stream.getVideoTracks()[0];
  if (!track) return null;
  // As the screen's: the encoder is set up to keep resolution from the start.
  track.contentHint = 'detail';
  return stream;
}
