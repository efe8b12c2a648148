/**
 * What a student shares (whole screen, a window or a tab) as the browser reports it, and the
 * warning that follows. Pure. Firefox reports no `displaySurface` in a capture's settings: that
 * reads as "unknown", which never warns, rather than as a window.
 */
import { surfaceOf } from '../../shared/protocol.ts';
import type { Surface } from '../media/media.ts';

/** The surface in a capture track's settings; null where the browser does not say (Firefox). */
export function surfaceFrom(settings: { displaySurface?: unknown }): Surface | null {
  return surfaceOf(settings.displaySurface);
}

/** The student's warning when they share less than the whole screen; null when whole or unknown. */
export function surfaceWarning(surface: Surface | null): string | null {
  if (surface === 'window')
    return 'You are sharing a window, not your whole screen. Stop and share again, choosing “Entire screen”.';
  if (surface === 'browser')
    return 'You are sharing a browser tab, not your whole screen. Stop and share again, choosing “Entire screen”.';
  return null;
}
