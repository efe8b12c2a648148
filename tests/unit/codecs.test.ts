import { describe, expect, it } from 'vitest';
import { chooseReceiveCodec, isAppleWebKit, preferCodec } from '../../src/client/media/codecs.ts';

const efficient = { supported: true, powerEfficient: true };
const software = { supported: true, powerEfficient: false };

describe('chooseReceiveCodec', () => {
  it('asks for H.264 where only H.264 decodes in hardware', () => {
    expect(chooseReceiveCodec(efficient, software, false)).toBe('H264');
  });

  it('keeps VP8 where both, neither, or only VP8 decode in hardware, or the browser cannot tell', () => {
    expect(chooseReceiveCodec(efficient, efficient, false)).toBe('VP8');
    expect(chooseReceiveCodec(software, software, false)).toBe('VP8');
    expect(chooseReceiveCodec(software, efficient, false)).toBe('VP8');
    expect(chooseReceiveCodec(null, null, false)).toBe('VP8');
    expect(chooseReceiveCodec({ supported: false, powerEfficient: true }, software, false)).toBe('VP8');
  });

  it('asks for H.264 on Apple WebKit whatever it reports', () => {
    expect(chooseReceiveCodec(null, null, true)).toBe('H264');
  });
});

describe('isAppleWebKit', () => {
  const agents = {
    ipad: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    ipadChrome:
      'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
    macSafari:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
    chromeOs:
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
    android:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
    firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  };

  it('is true for Safari and every iPadOS browser, false for Chromium and Firefox', () => {
    expect(isAppleWebKit(agents.ipad)).toBe(true);
    expect(isAppleWebKit(agents.ipadChrome)).toBe(true);
    expect(isAppleWebKit(agents.macSafari)).toBe(true);
    expect(isAppleWebKit(agents.chromeOs)).toBe(false);
    expect(isAppleWebKit(agents.edge)).toBe(false);
    expect(isAppleWebKit(agents.android)).toBe(false);
    expect(isAppleWebKit(agents.firefox)).toBe(false);
  });
});

/** The video section of an answer as Chromium writes it (trimmed to what matters here). */
const answer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 45',
  'a=mid:0',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=rtpmap:104 H264/90000',
  'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
  'a=rtpmap:105 rtx/90000',
  'a=fmtp:105 apt=104',
  'a=rtpmap:106 H264/90000',
  'a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:107 rtx/90000',
  'a=fmtp:107 apt=106',
  'a=rtpmap:45 AV1/90000',
  '',
].join('\r\n');

const videoFormats = (sdp: string) =>
  sdp
    .split('\r\n')
    .find((l) => l.startsWith('m=video'))!
    .split(' ')
    .slice(3);

describe('preferCodec', () => {
  it('puts H.264 first, mode 1 constrained baseline before the rest, each with its retransmission format', () => {
    expect(videoFormats(preferCodec(answer, 'H264'))).toEqual([
      '106',
      '107',
      '102',
      '103',
      '104',
      '105',
      '96',
      '97',
      '45',
    ]);
  });

  it('puts VP8 first when asked, and changes nothing but the order of the video formats', () => {
    const h264First = answer.replace('SAVPF 96 97 102 103 104 105', 'SAVPF 102 103 104 105 96 97');
    expect(videoFormats(preferCodec(h264First, 'VP8'))).toEqual([
      '96',
      '97',
      '102',
      '103',
      '104',
      '105',
      '106',
      '107',
      '45',
    ]);
    const out = preferCodec(answer, 'H264').split('\r\n');
    const before = answer.split('\r\n');
    expect(out.filter((l) => !l.startsWith('m=video'))).toEqual(before.filter((l) => !l.startsWith('m=video')));
    expect(out.find((l) => l.startsWith('m=audio'))).toBe('m=audio 9 UDP/TLS/RTP/SAVPF 111');
  });

  it('leaves a section without the codec as it is (the relay offers VP8 alone)', () => {
    const vp8Only = answer.replace(
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 105 106 107 45',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
    );
    expect(preferCodec(vp8Only, 'H264')).toBe(vp8Only);
  });
});
