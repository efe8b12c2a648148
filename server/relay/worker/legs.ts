/**
 * The one place that knows the codec of each relay leg: which legs to ask a student for, which leg
 * each viewer receives, which formats the relay takes from a student's offer and reads from a
 * viewer's answer, and where a keyframe starts in each codec. Pure: no I/O, no werift objects.
 *
 * A student's first call to the relay is the VP8 thumbnail (the base leg, decodable by every
 * viewer). The relay asks for more legs as its viewers need them: full quality for a zoomed or
 * large tile, and the same in H.264 for viewers that prefer it, so a student's encoder for one
 * teacher may differ from another's through the relay as it does peer to peer.
 */
import type { QualityLevel, RelayLeg, VideoCodec } from '../../../src/shared/protocol.ts';
import { isH264KeyframeStart } from './h264.ts';
import { isVp8KeyframeStart } from './vp8.ts';

/** A leg by name: its quality level and codec. */
export type Leg = `${QualityLevel}/${VideoCodec}`;

/** The student's first call, on which the others are asked for; every browser decodes VP8. */
export const BASE_LEG: Leg = 'thumbnail/VP8';

/** The H.264 format the relay takes and offers: constrained baseline in packetization mode 1, as OpenH264 and hardware encoders send. */
export const H264_FMTP = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

/** A leg's name. */
export function legName(leg: RelayLeg): Leg {
  return `${leg.level}/${leg.codec}`;
}

/** A leg's level and codec. */
export function legParts(leg: Leg): RelayLeg {
  const [level, codec] = leg.split('/') as [QualityLevel, VideoCodec];
  return { level, codec };
}

/** What the relay knows of one viewer when choosing legs for it. */
export interface LegViewer {
  /** The level its tile needs. */
  wants: QualityLevel;
  /** Whether it can see the student at all. */
  visible: boolean;
  /** The codecs its answer accepted, most preferred first. */
  codecs: readonly VideoCodec[];
}

/**
 * The leg a viewer should receive, of the legs that are up: the level it wants in its preferred
 * codec, else that level in another codec it accepted, else a thumbnail likewise, else the base leg.
 * A sharper picture counts for more than the codec: a tablet decodes VP8 too, only at more cost.
 */
export function targetLeg(viewer: Pick<LegViewer, 'wants' | 'codecs'>, up: ReadonlySet<Leg>): Leg {
  const levels: QualityLevel[] = viewer.wants === 'full' ? ['full', 'thumbnail'] : ['thumbnail'];
  for (const level of levels)
    for (const codec of viewer.codecs) {
      const leg = legName({ level, codec });
      if (up.has(leg)) return leg;
    }
  return BASE_LEG;
}

/**
 * The legs to ask a student for besides the base one: a thumbnail in each viewer's preferred codec
 * that the student can send (kept while the viewer is connected, so scrolling back is quick; an
 * unseen leg is sent nothing to and costs nothing), and full quality in it while a visible viewer
 * wants full quality. In a fixed order, so an unchanged set reads the same.
 */
export function wantedLegs(viewers: readonly LegViewer[], sendable: ReadonlySet<VideoCodec>): RelayLeg[] {
  const wanted = new Set<Leg>();
  for (const viewer of viewers) {
    const codec = viewer.codecs.find((c) => sendable.has(c)) ?? 'VP8';
    wanted.add(legName({ level: 'thumbnail', codec }));
    if (viewer.visible && viewer.wants === 'full') wanted.add(legName({ level: 'full', codec }));
  }
  wanted.delete(BASE_LEG);
  const order: Leg[] = ['thumbnail/H264', 'full/VP8', 'full/H264'];
  return order.filter((leg) => wanted.has(leg)).map(legParts);
}

/** Whether an RTP payload in `codec` starts a keyframe (the first packet of it, or one of its parameter sets). */
export function isKeyframeStart(codec: VideoCodec, payload: Uint8Array): boolean {
  return codec === 'H264' ? isH264KeyframeStart(payload) : isVp8KeyframeStart(payload);
}

/**
 * A student's offer with only the formats of `codec` in its video sections (for H.264, only
 * packetization mode 1 constrained baseline: werift matches codecs by name alone, and would
 * otherwise answer with every H.264 profile offered, letting the browser pick one the viewers'
 * offer did not name). Null when no video section offers the codec: this student cannot send it.
 */
export function keepCodec(sdp: string, codec: VideoCodec): string | null {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const out: string[] = [];
  let found = false;
  let section: { formats: Set<string> } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('m=')) {
      section = null;
      const fields = line.split(' ');
      if (fields[0] === 'm=video') {
        const formats = videoFormats(lines, i);
        const kept = fields.slice(3).filter((pt) => accepts(codec, formats.get(pt)));
        section = { formats: new Set(kept) };
        found ||= kept.length > 0;
        out.push([...fields.slice(0, 3), ...kept].join(' '));
        continue;
      }
    }
    const format = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+) /.exec(line)?.[1];
    if (section && format !== undefined && !section.formats.has(format)) continue;
    out.push(line);
  }
  return found ? out.join(eol) : null;
}

/**
 * The codecs a viewer's answer accepted, most preferred first (the order of its first video
 * section's formats, which the viewer sets; see src/client/media/codecs.ts), each with its payload type.
 */
export function answerCodecs(sdp: string): Map<VideoCodec, number> {
  const lines = sdp.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith('m=video'));
  const codecs = new Map<VideoCodec, number>();
  if (start < 0) return codecs;
  const formats = videoFormats(lines, start);
  for (const pt of lines[start]!.split(' ').slice(3)) {
    const format = formats.get(pt);
    if (!format) continue;
    for (const codec of ['VP8', 'H264'] as const)
      if (!codecs.has(codec) && accepts(codec, format)) codecs.set(codec, Number(pt));
  }
  return codecs;
}

/** Each format of the media section starting at line `start`: its codec name and parameters. */
function videoFormats(lines: readonly string[], start: number): Map<string, { name: string; fmtp: string }> {
  const formats = new Map<string, { name: string; fmtp: string }>();
  for (let i = start + 1; i < lines.length && !lines[i]!.startsWith('m='); i++) {
    const rtpmap = /^a=rtpmap:(\d+) ([^/]+)\//.exec(lines[i]!);
    if (rtpmap) formats.set(rtpmap[1]!, { name: rtpmap[2]!.toUpperCase(), fmtp: formats.get(rtpmap[1]!)?.fmtp ?? '' });
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(lines[i]!);
    if (fmtp) formats.set(fmtp[1]!, { name: formats.get(fmtp[1]!)?.name ?? '', fmtp: fmtp[2]! });
  }
  return formats;
}

/** Whether a format is `codec` as the relay forwards it. */
function accepts(codec: VideoCodec, format: { name: string; fmtp: string } | undefined): boolean {
  if (format?.name !== codec) return false;
  if (codec !== 'H264') return true;
  const params = new Map(format.fmtp.split(';').map((kv) => kv.trim().toLowerCase().split('=') as [string, string]));
  return params.get('packetization-mode') === '1' && params.get('profile-level-id')?.startsWith('42e0') === true;
}
