/**
 * What this browser can do, asked before a person takes a seat, so they read a clear reason
 * instead of "Connecting…" that never ends. Reads feature presence only; no user-agent sniffing.
 */

/** Whether the browser can receive screens at all (WebRTC turned off by policy, or an old browser). */
export function hasWebRtc(): boolean {
  return typeof globalThis.RTCPeerConnection === 'function';
}

/** What a teacher reads when their browser cannot receive screens, saying what to do next. */
export const NO_WEBRTC_TEXT =
  'This browser cannot show students’ screens: it has no WebRTC (it may be turned off by your school’s settings). ' +
  'Open this page in a current Chrome, Edge, Firefox or Safari.';

/** What a student reads when their browser cannot send a screen, saying which browsers can (docs/browsers.md). */
export const NO_WEBRTC_SHARE_TEXT =
  'This browser cannot share your screen: it has no WebRTC (it may be turned off by your school’s settings). ' +
  'Open this page in a current Chrome, Edge or Firefox on a computer or Chromebook.';

/** What someone in `role` reads when this browser has no WebRTC. */
export function noWebRtcText(role: 'student' | 'supervisor'): string {
  return role === 'student' ? NO_WEBRTC_SHARE_TEXT : NO_WEBRTC_TEXT;
}

/** Whether this device can capture its screen to show the class (tablets and phones cannot). */
export function canCaptureScreen(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** What a teacher reads where their device cannot capture its screen. */
export const NO_SCREEN_CAPTURE_TEXT = 'This device cannot share its screen';
