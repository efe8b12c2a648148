/**
 * Which video codec a supervisor asks students for: H.264 where this device decodes it in hardware
 * and VP8 not (iPads above all: a wall of 30 software-decoded tiles drains a battery), else VP8.
 * The receiver states it by the order of codecs in its answer, which the sender follows (JSEP,
 * RFC 8829 section 5.3.1), so a student may send H.264 to one teacher and VP8 to another.
 * Pure, except `receiveCodec`, which asks the browser.
 */

import type { VideoCodec } from '../../shared/protocol.ts';

/** The codecs a screen is sent in (shared with the relay, which forwards each viewer's). */
export type { VideoCodec };

/** What `MediaCapabilities.decodingInfo` says of one codec. */
export interface DecodeSupport {
  readonly supported: boolean;
  readonly powerEfficient: boolean;
}

/** The codec to receive screens in, from what the device says of each and whether it is Apple's WebKit. */
export function chooseReceiveCodec(
  h264: DecodeSupport | null,
  vp8: DecodeSupport | null,
  appleWebKit: boolean,
): VideoCodec {
  // Safari and every iPadOS browser decode H.264 in hardware, and VP8 in software only.
  if (appleWebKit) return 'H264';
  return h264?.supported && h264.powerEfficient && !vp8?.powerEfficient ? 'H264' : 'VP8';
}

/** Whether a user agent string is Apple's WebKit: Safari, or any browser on iPadOS and iOS. */
export function isAppleWebKit(userAgent: string): boolean {
  return /AppleWebKit/.test(userAgent) && !/Chrome\/|Chromium\/|Edg\/|Android/.test(userAgent);
}

/** A thumbnail as the decoder sees it, for asking about decoding cost. */
const PROBE = { width: 640, height: 360, bitrate: 250_000, framerate: 5 };

/** The codec this browser should receive screens in (VP8 where it cannot tell). */
export async function receiveCodec(): Promise<VideoCodec> {
  const ask = async (contentType: string): Promise<DecodeSupport | null> => {
    try {
      return await navigator.mediaCapabilities.decodingInfo({ type: 'webrtc', video: { contentType, ...PROBE } });
    } catch {
      return null; // No MediaCapabilities, or no 'webrtc' type in it (Firefox before 127).
    }
  };
  const [h264, vp8] = await Promise.all([
    ask('video/H264;profile-level-id=42e01f;packetization-mode=1'),
    ask('video/VP8'),
  ]);
  return chooseReceiveCodec(h264, vp8, isAppleWebKit(navigator.userAgent));
}

/**
 * An SDP with `codec` first in every video section that offers it: for H.264, packetization mode 1
 * (what browsers send) before mode 0, constrained baseline (42e01f, what hardware decodes) first;
 * each preferred codec's retransmission format follows it. Sections without the codec stay as they are.
 */
export function preferCodec(sdp: string, codec: VideoCodec): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const sectionStarts = lines.flatMap((line, i) => (line.startsWith('m=') ? [i] : []));
  for (const [n, start] of sectionStarts.entries()) {
    const end = sectionStarts[n + 1] ?? lines.length;
    const mLine = lines[start]!.split(' ');
    if (mLine[0] !== 'm=video') continue;
    const section = lines.slice(start + 1, end);
    const names = new Map<string, string>();
    const fmtp = new Map<string, string>();
    for (const line of section) {
      const rtpmap = /^a=rtpmap:(\d+) ([^/]+)\//.exec(line);
      if (rtpmap) names.set(rtpmap[1]!, rtpmap[2]!.toUpperCase());
      const params = /^a=fmtp:(\d+) (.*)$/.exec(line);
      if (params) fmtp.set(params[1]!, params[2]!);
    }
    const formats = mLine.slice(3);
    const wanted = formats.filter((pt) => names.get(pt) === codec);
    if (wanted.length === 0) continue;
    wanted.sort((a, b) => h264Rank(fmtp.get(a)) - h264Rank(fmtp.get(b)));
    const rtxOf = (pt: string) =>
      formats.filter((rtx) => names.get(rtx) === 'RTX' && fmtp.get(rtx)?.split(';').includes(`apt=${pt}`));
    const first = wanted.flatMap((pt) => [pt, ...rtxOf(pt)]);
    lines[start] = [...mLine.slice(0, 3), ...first, ...formats.filter((pt) => !first.includes(pt))].join(' ');
  }
  return lines.join(eol);
}

/** Lower is better: packetization mode 1 and constrained baseline first. */
function h264Rank(params = ''): number {
  const fields = new Map(params.split(';').map((kv) => kv.trim().split('=') as [string, string]));
  const mode1 = fields.get('packetization-mode') === '1' ? 0 : 2;
  const baseline = fields.get('profile-level-id')?.toLowerCase().startsWith('42e0') ? 0 : 1;
  return mode1 + baseline;
}
