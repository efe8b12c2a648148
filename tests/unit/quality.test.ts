import { describe, expect, it } from 'vitest';
import { encodingFor, firstFrameEncoding, framerateForTiles } from '../../src/client/media/quality.ts';
import {
  legForView,
  parseCallMetadata,
  parseRelayNotice,
  parseSupervisorMessage,
  qualityMessage,
  viewMessage,
  type TileView,
} from '../../src/shared/protocol.ts';

const HD = { width: 1280, height: 720 };
const tile = (view: Partial<TileView>): TileView => ({
  type: 'view',
  level: 'thumbnail',
  visible: true,
  widthPx: 320,
  heightPx: 180,
  tilesShown: 30,
  ...view,
});

describe('what a bare quality request (the first protocol) still means', () => {
  it('sends wall tiles at 360 lines at most, cheap and slow, always on', () => {
    expect(encodingFor({ type: 'quality', level: 'thumbnail' }, HD)).toEqual({
      active: true,
      scaleResolutionDownBy: 2,
      maxBitrate: 250_000,
      maxFramerate: 5,
    });
    expect(encodingFor({ type: 'quality', level: 'thumbnail' }, { width: 1920, height: 1080 })).toMatchObject({
      scaleResolutionDownBy: 3,
    });
    // A small screen is never scaled up.
    expect(
      encodingFor({ type: 'quality', level: 'thumbnail' }, { width: 400, height: 300 }).scaleResolutionDownBy,
    ).toBe(1);
  });

  it('sends a zoomed screen at the capture’s own resolution', () => {
    expect(encodingFor({ type: 'quality', level: 'full' }, { width: 2560, height: 1440 })).toEqual({
      active: true,
      scaleResolutionDownBy: 1,
      maxBitrate: 2_500_000,
      maxFramerate: 15,
    });
  });
});

describe('cost follows what the teacher sees', () => {
  it('sends a tile no wider than the next step up from its shown width', () => {
    const width = (widthPx: number) =>
      HD.width / encodingFor(tile({ widthPx, heightPx: 2000 }), HD).scaleResolutionDownBy;
    expect(width(100)).toBe(160);
    expect(width(160)).toBe(160);
    expect(width(161)).toBe(320);
    expect(width(316)).toBe(320);
    expect(width(500)).toBe(640);
    expect(width(640)).toBe(640);
  });

  it('caps each step’s bitrate, smaller tiles cheaper', () => {
    const bitrate = (widthPx: number) => encodingFor(tile({ widthPx, heightPx: 2000 }), HD).maxBitrate;
    expect(bitrate(150)).toBe(40_000);
    expect(bitrate(300)).toBe(90_000);
    expect(bitrate(600)).toBe(250_000);
  });

  it('counts only the picture’s shown width in a tile of another shape (letterboxed)', () => {
    // A 16:9 screen in a tall 600×200 box is shown 356 px wide.
    expect(encodingFor(tile({ widthPx: 600, heightPx: 200 }), HD).scaleResolutionDownBy).toBe(2);
    // A 4:3 screen in a 16:9 box of 320×180 is shown 240 px wide.
    expect(encodingFor(tile({ widthPx: 320, heightPx: 180 }), { width: 1024, height: 768 }).scaleResolutionDownBy).toBe(
      3.2,
    );
  });

  it('never scales a small screen up', () => {
    expect(encodingFor(tile({ widthPx: 640, heightPx: 360 }), { width: 500, height: 300 }).scaleResolutionDownBy).toBe(
      1,
    );
  });

  it('shares the wall’s frame budget among the tiles shown', () => {
    expect([0, 1, 6, 7, 8, 10, 11, 15, 16, 30, 60].map(framerateForTiles)).toEqual([5, 5, 5, 4, 3, 3, 2, 2, 1, 1, 1]);
    // A wall of 30 decodes 30 frames a second in all, not 150.
    expect(encodingFor(tile({ tilesShown: 30 }), HD).maxFramerate).toBe(1);
    expect(encodingFor(tile({ tilesShown: 2 }), HD).maxFramerate).toBe(5);
  });

  it('sends nothing for a tile nobody can see, whatever its size or level', () => {
    expect(encodingFor(tile({ visible: false }), HD).active).toBe(false);
    expect(encodingFor(tile({ visible: false, level: 'full' }), HD).active).toBe(false);
    expect(encodingFor(tile({ visible: true }), HD).active).toBe(true);
  });

  it('gives the zoomed screen, and a tile shown larger than a thumbnail, full quality', () => {
    expect(encodingFor(tile({ level: 'full' }), HD)).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 15 });
    expect(encodingFor(tile({ widthPx: 900, heightPx: 506 }), HD)).toMatchObject({ scaleResolutionDownBy: 1 });
    expect(legForView({ level: 'thumbnail', widthPx: 640 })).toBe('thumbnail');
    expect(legForView({ level: 'thumbnail', widthPx: 641 })).toBe('full');
    expect(legForView({ level: 'full', widthPx: 100 })).toBe('full');
  });
});

describe('the first frame of a call', () => {
  it('is sent no larger than a thumbnail, and at once whatever rate the wall asked for', () => {
    // A wall of 30 asks for 1 frame a second: the first frame must not wait out the second.
    expect(firstFrameEncoding(encodingFor(tile({ tilesShown: 30 }), HD), HD)).toEqual({
      active: true,
      scaleResolutionDownBy: 4,
      maxBitrate: 90_000,
      maxFramerate: 30,
    });
    expect(firstFrameEncoding(encodingFor(tile({ level: 'full' }), HD), HD)).toEqual({
      active: true,
      scaleResolutionDownBy: 2,
      maxBitrate: 250_000,
      maxFramerate: 30,
    });
  });

  it('leaves a call with no rate limit (a presentation) without one', () => {
    expect(firstFrameEncoding({}, HD)).toEqual({ scaleResolutionDownBy: 2, maxBitrate: 250_000 });
  });
});

describe('supervisor messages', () => {
  it('reads back tile views and bare quality requests', () => {
    const view = { level: 'thumbnail', visible: false, widthPx: 316, heightPx: 178, tilesShown: 30 } as const;
    expect(parseSupervisorMessage(viewMessage(view))).toEqual({ type: 'view', ...view });
    expect(parseSupervisorMessage(qualityMessage('full'))).toEqual({ type: 'quality', level: 'full' });
  });

  it('reads nothing else', () => {
    for (const junk of [
      '',
      '{',
      'null',
      '[]',
      '{"type":"quality","level":"ultra"}',
      '{"type":"other","level":"full"}',
      '{"type":"view","level":"thumbnail","visible":"yes","widthPx":1,"heightPx":1,"tilesShown":1}',
      '{"type":"view","level":"thumbnail","visible":true,"widthPx":-1,"heightPx":1,"tilesShown":1}',
      '{"type":"view","level":"thumbnail","visible":true,"widthPx":1,"tilesShown":1}',
      42,
      new ArrayBuffer(2),
    ]) {
      expect(parseSupervisorMessage(junk)).toBeNull();
    }
  });
});

describe('call metadata', () => {
  it('reads a student’s call, a relay leg and a relayed call', () => {
    expect(parseCallMetadata({ studentId: 's1', surface: 'monitor' })).toEqual({ studentId: 's1', surface: 'monitor' });
    expect(parseCallMetadata({ studentId: 's1', surface: null, leg: 'full' })).toEqual({
      studentId: 's1',
      surface: null,
      leg: 'full',
    });
    expect(parseCallMetadata({ studentId: 's1', surface: 'window', relayed: true })).toEqual({
      studentId: 's1',
      surface: 'window',
      relayed: true,
    });
    expect(parseCallMetadata({ studentId: 's1', surface: null, leg: 'full', codec: 'H264' })).toEqual({
      studentId: 's1',
      surface: null,
      leg: 'full',
      codec: 'H264',
    });
  });

  it('drops what it does not know, and refuses a call without a student', () => {
    expect(
      parseCallMetadata({ studentId: 's1', surface: 'hologram', leg: 'half', codec: 'VP9', relayed: 'yes' }),
    ).toEqual({
      studentId: 's1',
      surface: null,
    });
    for (const junk of [undefined, null, 'x', 7, {}, { studentId: 7 }, { studentId: '' }])
      expect(parseCallMetadata(junk)).toBeNull();
  });
});

describe('relay notices', () => {
  it('reads who watches and whether a full leg is wanted, and nothing else', () => {
    expect(parseRelayNotice('{"type":"viewers","supervisorIds":["a",7,"b"]}')).toEqual({
      type: 'viewers',
      supervisorIds: ['a', 'b'],
    });
    expect(parseRelayNotice('{"type":"full-leg","wanted":true}')).toEqual({ type: 'full-leg', wanted: true });
    for (const junk of ['{"type":"full-leg","wanted":"yes"}', '{"type":"viewers"}', '{"type":"legs"}', 'x', null])
      expect(parseRelayNotice(junk)).toBeNull();
  });

  it('reads the legs wanted, dropping any it does not know', () => {
    const legs = [
      { level: 'thumbnail', codec: 'H264' },
      { level: 'full', codec: 'VP8' },
      { level: 'full', codec: 'AV1' },
      { level: 'huge', codec: 'VP8' },
      null,
    ];
    expect(parseRelayNotice(JSON.stringify({ type: 'legs', legs }))).toEqual({
      type: 'legs',
      legs: [
        { level: 'thumbnail', codec: 'H264' },
        { level: 'full', codec: 'VP8' },
      ],
    });
    expect(parseRelayNotice('{"type":"legs","legs":[]}')).toEqual({ type: 'legs', legs: [] });
  });
});
