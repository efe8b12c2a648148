/**
 * werift peer connections as the relay makes them: the video formats it negotiates, its own STUN
 * server, and the ICE candidates it ignores. No calls, no routes: relay.ts places and answers them.
 */
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import type { VideoCodec } from '../../../src/shared/protocol.ts';
import { H264_FMTP } from './legs.ts';

/** Where the relay's connections gather ICE candidates. */
export interface PeerConnectionOptions {
  /** Addresses offered to browsers besides the machine's interfaces. */
  announcedIps: string[];
  /** UDP ports for media, or null for any. */
  portRange: [number, number] | null;
  /** A STUN server of our own (see run-relay.ts): werift would otherwise ask stun.l.google.com. */
  stunUrl: string;
}

/** A peer connection for video in `codecs` (a student's leg: its one codec; a viewer: both). */
export function relayPeerConnection(codecs: readonly VideoCodec[], options: PeerConnectionOptions): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: { video: relayVideoCodecs(codecs) },
    headerExtensions: { video: [] },
    // Without a STUN server werift uses Google's, from the school's server, and where DNS or
    // that server does not answer every call waits 5 s for it before its offer or answer.
    iceServers: [{ urls: options.stunUrl }],
    // ICE lite, as servers with reachable addresses are (RFC 8445 §2.5): the relay answers the
    // browsers' checks and makes none, and gathers no server-reflexive candidate, whose query to
    // its own STUN server each call waited for before its offer or answer (0.3–0.8 s under load).
    iceLite: true,
    iceAdditionalHostAddresses: options.announcedIps,
    icePortRange: options.portRange ?? undefined,
  });
}

/** The video formats the relay negotiates, in `codecs`' order, as werift takes them. */
export function relayVideoCodecs(codecs: readonly VideoCodec[]): RTCRtpCodecParameters[] {
  return codecs.map(
    (codec) =>
      new RTCRtpCodecParameters({
        mimeType: `video/${codec}`,
        clockRate: 90000,
        ...(codec === 'H264' ? { parameters: H264_FMTP } : {}),
        // REMB, not transport-cc: with transport-cc Chrome's estimate toward werift stays at
        // 100–300 kbps; with REMB it ramps normally.
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
      }),
  );
}

/**
 * Calls `listener` for each packet other than STUN that reaches the connection (while it comes up,
 * the viewer's DTLS handshake records) until the returned function is called. werift tells of no
 * step inside its DTLS handshake, which on a busy core can take seconds: a record arriving is the
 * sign it is still under way. Subscribe once ICE is connected (werift makes its transports then).
 */
export function onIncomingPackets(pc: RTCPeerConnection, listener: () => void): () => void {
  const subscriptions = pc.iceTransports.map((transport) => transport.connection.onData.subscribe(() => listener()));
  return () => {
    for (const subscription of subscriptions) subscription.unSubscribe();
  };
}

/**
 * A session description as PeerJS sends it (werift's object carries more), saying once, at session
 * level, that the relay is an ICE lite agent: RFC 8839 puts `a=ice-lite` there, and browsers read it
 * only there (werift writes it in each media section). Where they did not read it:
 * - On a call the relay places, the browser answered as the controlled side and took control only
 *   after the relay refused its checks (487, role conflict): 30–60 ms more before each call was up.
 * - On a call a browser places, Chrome nominated as it does with a full agent. Where the call had
 *   more than one working pair (a device or server with two networks), its DTLS handshake never
 *   finished, and the call was given up after 10 s.
 */
export function toInit(description: { type: string; sdp: string }): { type: string; sdp: string } {
  return { type: description.type, sdp: liteAtSessionLevel(description.sdp) };
}

/** `sdp` with its `a=ice-lite` lines (werift's, one per media section) made one at session level. */
export function liteAtSessionLevel(sdp: string): string {
  const lines = sdp.split('\r\n');
  if (!lines.includes('a=ice-lite')) return sdp;
  const others = lines.filter((line) => line !== 'a=ice-lite');
  const firstMedia = others.findIndex((line) => line.startsWith('m='));
  if (firstMedia < 0) return sdp;
  return [...others.slice(0, firstMedia), 'a=ice-lite', ...others.slice(firstMedia)].join('\r\n');
}

/**
 * The relay's answer to a browser's call, with the relay as the DTLS server (`a=setup:passive`;
 * werift answers as the client). A browser starts the handshake as soon as its checks are answered;
 * werift, as client, only once the browser has nominated the pair, which with a lite agent comes a
 * check later: a student's call to the relay was up about 135 ms after its offer rather than 200
 * (loopback, bench/relay-media.ts).
 */
export function asDtlsServer(answer: { type: string; sdp: string }): { type: 'answer'; sdp: string } {
  return { type: 'answer', sdp: answer.sdp.replace(/^a=setup:active\r$/gm, 'a=setup:passive\r') };
}

/**
 * The bandwidth estimate a browser's sender starts at toward the relay, in kbps. The relay sends no
 * estimate back (werift has neither REMB nor transport-cc of its own), so Chrome's stays at its
 * default start of 300 kbps for seconds and paces every packet at 2.5 times that: the first
 * keyframe of a shown screen (18 kB at thumbnail size, then ~50 kB sharp) took 0.2 s and 0.5 s to
 * reach the relay. The relay is on the school's network, a hop from every browser; the sender's
 * loss-based estimate still falls from here where packets are lost.
 */
export const START_BITRATE_KBPS = 1500;

/**
 * `sdp` (the relay's answer to a browser's call) with `x-google-start-bitrate` on each video
 * format, which Chrome's sender starts its estimate at (werift's answer keeps only the offer's
 * format parameters, so this is added on the way out). Other browsers ignore it.
 */
export function withStartBitrate(sdp: string, kbps = START_BITRATE_KBPS): string {
  const lines = sdp.split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    const rtpmap = /^a=rtpmap:(\d+) (VP8|VP9|H264|AV1)\//.exec(line);
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp && lines.some((l) => l.startsWith(`a=rtpmap:${fmtp[1]} `) && /(VP8|VP9|H264|AV1)\//.test(l))) {
      out.push(`${line};x-google-start-bitrate=${kbps}`);
      continue;
    }
    out.push(line);
    if (rtpmap && !lines.some((l) => l.startsWith(`a=fmtp:${rtpmap[1]} `)))
      out.push(`a=fmtp:${rtpmap[1]} x-google-start-bitrate=${kbps}`);
  }
  return out.join('\r\n');
}

/** Whether an ICE candidate line names its address by an mDNS `.local` name rather than an IP. */
export function isMdnsCandidate(line: string | undefined): boolean {
  // candidate:<foundation> <component> <protocol> <priority> <address> <port> typ …
  return /\.local$/i.test(line?.split(' ')[4] ?? '');
}
