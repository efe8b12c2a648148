import { describe, expect, it } from 'vitest';
import { encodingFor } from '../../src/client/media/quality.ts';
import { parseQualityMessage, parseRelayNotice, qualityMessage } from '../../src/shared/protocol.ts';

describe('adaptive quality', () => {
  it('sends wall tiles at 360 lines at most, cheap and slow', () => {
    expect(encodingFor('thumbnail', 720)).toEqual({ scaleResolutionDownBy: 2, maxBitrate: 250_000, maxFramerate: 5 });
    expect(encodingFor('thumbnail', 1080)).toEqual({ scaleResolutionDownBy: 3, maxBitrate: 250_000, maxFramerate: 5 });
    // A small screen is never scaled up.
    expect(encodingFor('thumbnail', 300).scaleResolutionDownBy).toBe(1);
  });

  it('sends a zoomed screen at the capture’s own resolution', () => {
    expect(encodingFor('full', 1440)).toEqual({ scaleResolutionDownBy: 1, maxBitrate: 2_500_000, maxFramerate: 15 });
  });

  it('reads back only well-formed requests', () => {
    expect(parseQualityMessage(qualityMessage('full'))).toEqual({ type: 'quality', level: 'full' });
    for (const junk of [
      '',
      '{',
      'null',
      '{"type":"quality","level":"ultra"}',
      '{"type":"other"}',
      42,
      new ArrayBuffer(2),
    ]) {
      expect(parseQualityMessage(junk)).toBeNull();
    }
  });
});

describe('relay notices', () => {
  it('reads who watches and whether a full leg is wanted, and nothing else', () => {
    expect(parseRelayNotice('{"type":"viewers","supervisorIds":["a",7,"b"]}')).toEqual({
      type: 'viewers',
      supervisorIds: ['a', 'b'],
    });
    expect(parseRelayNotice('{"type":"full-leg","wanted":true}')).toEqual({ type: 'full-leg', wanted: true });
    for (const junk of ['{"type":"full-leg","wanted":"yes"}', '{"type":"viewers"}', 'x', null])
      expect(parseRelayNotice(junk)).toBeNull();
  });
});
