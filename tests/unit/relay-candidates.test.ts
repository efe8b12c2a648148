import { describe, expect, it } from 'vitest';
import {
  asDtlsServer,
  isMdnsCandidate,
  liteAtSessionLevel,
  relayPeerConnection,
  START_BITRATE_KBPS,
  toInit,
  withStartBitrate,
} from '../../server/relay/worker/peer-connection.ts';

describe('the relay’s ICE candidates', () => {
  it('skips a browser’s mDNS names, which only a DNS timeout would answer, and keeps addresses', () => {
    const mdns = 'candidate:1 1 udp 2122260223 3b1f0d6e-9a51-4c1e-8d2a-5d3c9b0e7f11.local 54321 typ host generation 0';
    const srflx = 'candidate:2 1 udp 1686052607 198.51.100.21 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0';
    const host = 'candidate:3 1 udp 2122260223 203.0.113.10 40000 typ host generation 0';
    expect(isMdnsCandidate(mdns)).toBe(true);
    expect(isMdnsCandidate(mdns.replace('.local', '.LOCAL'))).toBe(true);
    expect(isMdnsCandidate(srflx)).toBe(false);
    expect(isMdnsCandidate(host)).toBe(false);
    expect(isMdnsCandidate('')).toBe(false);
    expect(isMdnsCandidate(undefined)).toBe(false);
  });
});

describe('the relay’s session descriptions', () => {
  const options = { announcedIps: [], portRange: null, stunUrl: 'stun:127.0.0.1:9' };
  /** Where `a=ice-lite` stands in `sdp`: its line numbers, and the first media section's. */
  const lite = (sdp: string) => {
    const lines = sdp.split('\r\n');
    return {
      at: lines.flatMap((line, i) => (line === 'a=ice-lite' ? [i] : [])),
      firstMedia: lines.findIndex((line) => line.startsWith('m=')),
    };
  };

  it('say once, at session level, that the relay is an ICE lite agent, in its offers and its answers', async () => {
    // A real offer as the relay makes one to a viewer (video and a data channel), and its answer to
    // a call placed with such an offer.
    const relay = relayPeerConnection(['VP8', 'H264'], options);
    const answering = relayPeerConnection(['VP8'], options);
    try {
      relay.addTransceiver('video', { direction: 'sendonly' });
      relay.createDataChannel('relay');
      await relay.setLocalDescription(await relay.createOffer());
      const offer = toInit(relay.localDescription!);
      await answering.setRemoteDescription({ type: 'offer', sdp: relay.localDescription!.sdp });
      await answering.setLocalDescription(asDtlsServer(await answering.createAnswer()));
      const answer = toInit(answering.localDescription!);
      for (const { sdp } of [offer, answer]) {
        const { at, firstMedia } = lite(sdp);
        expect(at).toHaveLength(1);
        expect(at[0]).toBeGreaterThan(0);
        expect(at[0]).toBeLessThan(firstMedia);
      }
      // In its answers the relay is the DTLS server: the browser starts the handshake.
      expect(answer.sdp).toMatch(/^a=setup:passive\r$/m);
      expect(answer.sdp).not.toMatch(/^a=setup:active\r$/m);
    } finally {
      await relay.close();
      await answering.close();
    }
  });

  it('leave a description that says nothing of ice-lite as it is', () => {
    const full = 'v=0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n';
    expect(liteAtSessionLevel(full)).toBe(full);
    expect(liteAtSessionLevel(full.replace('a=mid:0', 'a=ice-lite\r\na=mid:0'))).toBe(
      'v=0\r\ns=-\r\na=ice-lite\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n',
    );
  });

  it('tell a browser sending to the relay to start its estimate higher, on each video format', async () => {
    // werift's answer keeps only the offer's format parameters: the start bitrate is added on the way out.
    const relay = relayPeerConnection(['VP8', 'H264'], options);
    const browser = relayPeerConnection(['VP8', 'H264'], options);
    try {
      browser.addTransceiver('video', { direction: 'sendonly' });
      await browser.setLocalDescription(await browser.createOffer());
      await relay.setRemoteDescription({ type: 'offer', sdp: browser.localDescription!.sdp });
      await relay.setLocalDescription(asDtlsServer(await relay.createAnswer()));
      const sdp = withStartBitrate(toInit(relay.localDescription!).sdp);
      const formats = (codec: string) =>
        [...sdp.matchAll(new RegExp(`^a=rtpmap:(\\d+) ${codec}/`, 'gm'))].map((m) => m[1]);
      const fmtp = (pt: string | undefined) => sdp.split('\r\n').filter((l) => l.startsWith(`a=fmtp:${pt} `));
      const [vp8] = formats('VP8');
      const [h264] = formats('H264');
      expect(fmtp(vp8)).toEqual([`a=fmtp:${vp8} x-google-start-bitrate=${START_BITRATE_KBPS}`]);
      // H.264's own parameters stay, in one line.
      expect(fmtp(h264)).toHaveLength(1);
      expect(fmtp(h264)[0]).toMatch(new RegExp(`packetization-mode=1.*;x-google-start-bitrate=${START_BITRATE_KBPS}$`));
    } finally {
      await relay.close();
      await browser.close();
    }
  });
});
