import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BASE_LEG,
  answerCodecs,
  isKeyframeStart,
  keepCodec,
  targetLeg,
  wantedLegs,
  type Leg,
  type LegViewer,
} from '../../server/relay/worker/legs.ts';
import { isVp8KeyframeStart } from '../../server/relay/worker/vp8.ts';

/** Real SDP from Chromium (scripts/capture-sdp.ts): a student's offer, and viewers' answers to the relay. */
const sdp = JSON.parse(readFileSync('tests/fixtures/relay-sdp.json', 'utf8')) as {
  studentOffer: string;
  relayOffer: string;
  viewerAnswers: Record<'VP8' | 'H264', string>;
};

/** The payload types and codec lines of the first video section. */
function videoSection(text: string): { formats: string[]; rtpmaps: string[]; fmtps: string[] } {
  const lines = text.split('\r\n');
  const start = lines.findIndex((l) => l.startsWith('m=video'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('m='));
  const section = lines.slice(start + 1, end < 0 ? undefined : end);
  return {
    formats: lines[start]!.split(' ').slice(3),
    rtpmaps: section.filter((l) => l.startsWith('a=rtpmap:')),
    fmtps: section.filter((l) => l.startsWith('a=fmtp:')),
  };
}

describe('what the relay takes from a student', () => {
  it('keeps only constrained baseline H.264 in packetization mode 1 from a real Chromium offer', () => {
    // Chromium offers baseline (42001f) first: werift, matching by name, would have answered with it.
    const firstH264 = videoSection(sdp.studentOffer).fmtps.find((l) => l.includes('profile-level-id'));
    expect(firstH264).toContain('profile-level-id=42001f');
    const h264 = videoSection(keepCodec(sdp.studentOffer, 'H264')!);
    expect(h264.formats).toHaveLength(1);
    expect(h264.rtpmaps).toEqual([`a=rtpmap:${h264.formats[0]} H264/90000`]);
    expect(h264.fmtps).toEqual([
      `a=fmtp:${h264.formats[0]} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f`,
    ]);
  });

  it('keeps only VP8 for a VP8 leg, and the rest of the offer as it was', () => {
    const vp8 = keepCodec(sdp.studentOffer, 'VP8')!;
    expect(videoSection(vp8).rtpmaps).toEqual(['a=rtpmap:96 VP8/90000']);
    expect(vp8).toContain('a=rtcp-fb:96 nack pli');
    expect(vp8).not.toContain('a=rtcp-fb:102 ');
    expect(vp8).toContain('m=application 9 UDP/DTLS/SCTP webrtc-datachannel');
    const dropped = (text: string) => text.split('\r\n').filter((l) => !/^a=(rtpmap|fmtp|rtcp-fb):/.test(l));
    expect(dropped(vp8).filter((l) => !l.startsWith('m=video'))).toEqual(
      dropped(sdp.studentOffer).filter((l) => !l.startsWith('m=video')),
    );
  });

  it('says a browser that offers no usable H.264 cannot send it', () => {
    const withoutH264 = keepCodec(sdp.studentOffer, 'VP8')!;
    expect(keepCodec(withoutH264, 'H264')).toBeNull();
    const modeZeroOnly = sdp.studentOffer.replace(/packetization-mode=1/g, 'packetization-mode=0');
    expect(keepCodec(modeZeroOnly, 'H264')).toBeNull();
  });
});

describe('what a viewer asked the relay for', () => {
  it('reads the preferred codec first from real Chromium answers, with the relay offer’s payload types', () => {
    const offered = videoSection(sdp.relayOffer);
    const pt = (codec: string) => Number(offered.rtpmaps.find((l) => l.includes(` ${codec}/`))!.split(/[: ]/)[1]);
    expect([...answerCodecs(sdp.viewerAnswers.H264)]).toEqual([
      ['H264', pt('H264')],
      ['VP8', pt('VP8')],
    ]);
    expect([...answerCodecs(sdp.viewerAnswers.VP8)]).toEqual([
      ['VP8', pt('VP8')],
      ['H264', pt('H264')],
    ]);
    // The answer's codec lines list VP8 first either way: only the format order says what is preferred.
    expect(videoSection(sdp.viewerAnswers.H264).rtpmaps[0]).toContain('VP8');
  });

  it('finds nothing in an answer without video', () => {
    expect(answerCodecs('v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n').size).toBe(0);
  });
});

describe('legs per viewer', () => {
  const up = (...legs: Leg[]) => new Set<Leg>([BASE_LEG, ...legs]);
  const pad: LegViewer = { wants: 'thumbnail', visible: true, codecs: ['H264', 'VP8'] };
  const laptop: LegViewer = { wants: 'thumbnail', visible: true, codecs: ['VP8', 'H264'] };

  it('gives each viewer its own codec once that leg is up, and the base leg until then', () => {
    expect(targetLeg(pad, up())).toBe('thumbnail/VP8');
    expect(targetLeg(pad, up('thumbnail/H264'))).toBe('thumbnail/H264');
    expect(targetLeg(laptop, up('thumbnail/H264'))).toBe('thumbnail/VP8');
  });

  it('prefers the level a tile needs over the codec', () => {
    const zoomingPad = { ...pad, wants: 'full' as const };
    expect(targetLeg(zoomingPad, up('thumbnail/H264', 'full/H264', 'full/VP8'))).toBe('full/H264');
    expect(targetLeg(zoomingPad, up('thumbnail/H264', 'full/VP8'))).toBe('full/VP8');
    expect(targetLeg(zoomingPad, up('thumbnail/H264'))).toBe('thumbnail/H264');
    // A viewer that accepted VP8 alone never gets H.264.
    expect(targetLeg({ wants: 'full', codecs: ['VP8'] }, up('full/H264', 'thumbnail/H264'))).toBe(BASE_LEG);
  });

  it('asks for H.264 legs only while a viewer prefers H.264, and only of a student who can send it', () => {
    expect(wantedLegs([laptop], new Set(['VP8', 'H264']))).toEqual([]);
    expect(wantedLegs([laptop, pad], new Set(['VP8', 'H264']))).toEqual([{ level: 'thumbnail', codec: 'H264' }]);
    expect(wantedLegs([laptop, pad], new Set(['VP8']))).toEqual([]);
  });

  it('asks for a full leg in the codec of each visible viewer that wants one', () => {
    const both = new Set(['VP8', 'H264'] as const);
    expect(
      wantedLegs(
        [
          { ...laptop, wants: 'full' },
          { ...pad, wants: 'full' },
        ],
        both,
      ),
    ).toEqual([
      { level: 'thumbnail', codec: 'H264' },
      { level: 'full', codec: 'VP8' },
      { level: 'full', codec: 'H264' },
    ]);
    // Unseen: no full leg, but an unseen H.264 viewer keeps its (idle) thumbnail leg.
    expect(wantedLegs([{ ...pad, wants: 'full', visible: false }], both)).toEqual([
      { level: 'thumbnail', codec: 'H264' },
    ]);
  });
});

describe('keyframes per codec', () => {
  const takes = JSON.parse(readFileSync('tests/fixtures/h264-rtp.json', 'utf8')) as Record<
    string,
    { keyframeTimestamps: number[]; packets: { timestamp: number; payload: string }[] }
  >;

  it('reads H.264 packets with the H.264 parser and VP8 packets with the VP8 one', () => {
    const take = takes.large!;
    const keyframe = take.packets.find((p) => p.timestamp === take.keyframeTimestamps[0])!;
    const idr = Buffer.from(keyframe.payload, 'base64');
    expect(isKeyframeStart('H264', idr)).toBe(true);
    // A VP8 keyframe's first packet: descriptor with S set and partition 0, then the P bit clear.
    const vp8Key = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]);
    const vp8Delta = Buffer.from([0x10, 0x01, 0x00, 0x00]);
    expect(isKeyframeStart('VP8', vp8Key)).toBe(true);
    expect(isKeyframeStart('VP8', vp8Delta)).toBe(false);
    expect(isVp8KeyframeStart(vp8Key)).toBe(true);
    // The codecs are not interchangeable: an H.264 parameter-set packet is not a VP8 keyframe.
    expect(isKeyframeStart('VP8', idr)).toBe(isVp8KeyframeStart(idr));
  });
});
