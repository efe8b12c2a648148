import { describe, expect, it } from 'vitest';
import { surfaceFrom, surfaceWarning } from '../../src/client/state/surface.ts';

describe('the shared surface', () => {
  it('reads what Chromium reports, and Firefox’s missing displaySurface as unknown', () => {
    expect(surfaceFrom({ displaySurface: 'monitor' })).toBe('monitor');
    expect(surfaceFrom({ displaySurface: 'window' })).toBe('window');
    expect(surfaceFrom({ displaySurface: 'browser' })).toBe('browser');
    // Firefox: no displaySurface at all in MediaTrackSettings.
    expect(surfaceFrom({})).toBeNull();
    expect(surfaceFrom({ displaySurface: 'application' })).toBeNull();
  });

  it('warns only about a window or a tab, never about a whole or unknown surface', () => {
    expect(surfaceWarning(surfaceFrom({}))).toBeNull();
    expect(surfaceWarning('monitor')).toBeNull();
    expect(surfaceWarning('window')).toMatch(/^You are sharing a window, not your whole screen\./);
    expect(surfaceWarning('browser')).toMatch(/^You are sharing a browser tab, not your whole screen\./);
  });
});
