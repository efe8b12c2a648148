/**
 * Synthetic members for benchmarks: werift peers in the benchmark's process that signal through the
 * real server's PeerServer as a browser would, so that a class of them does not need a browser each
 * on this machine's two cores. They answer the relay's calls and see its packets at their socket.
 */
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import type { OwnMember } from '../src/shared/protocol.ts';
import { PeerClient, type PeerMessage } from '../server/relay/worker/peer-client.ts';

/** A werift connection offering VP8 with the feedback the relay negotiates. */
export function syntheticPeerConnection(): RTCPeerConnection {
  const codec = new RTCRtpCodecParameters({
    mimeType: 'video/VP8',
    clockRate: 90000,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
  });
  return new RTCPeerConnection({
    codecs: { video: [codec] },
    headerExtensions: { video: [] },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
}

/** The PeerServer socket URL of `member` on the server at `base`. */
export function peerUrl(base: string, member: OwnMember): string {
  return `${base.replace(/^http/, 'ws')}/peerjs/peerjs?key=peerjs&id=${member.peerId}&token=${encodeURIComponent(member.token)}`;
}

/**
 * Connects `member` to PeerServer and answers every call it is offered (receive-only): `created`
 * hears of each connection before its offer is set, `connected` once its ICE is up.
 */
export function answerCalls(
  base: string,
  member: OwnMember,
  hooks: { created?: (pc: RTCPeerConnection) => void; connected?: (pc: RTCPeerConnection) => void },
): { close: () => void } {
  const pcs = new Map<string, RTCPeerConnection>();
  const client = new PeerClient(peerUrl(base, member), (message: PeerMessage) => {
    const { type, src, payload } = message;
    if (type === 'OFFER' && payload?.sdp && payload.connectionId && src) {
      const pc = syntheticPeerConnection();
      pcs.set(payload.connectionId, pc);
      const connectionId = payload.connectionId;
      pc.onIceCandidate.subscribe((c) => {
        if (c)
          client.send({ type: 'CANDIDATE', dst: src, payload: { candidate: c.toJSON(), type: 'media', connectionId } });
      });
      hooks.created?.(pc);
      pc.iceConnectionStateChange.subscribe((state) => state === 'connected' && hooks.connected?.(pc));
      void (async () => {
        await pc.setRemoteDescription(payload.sdp as { type: 'offer'; sdp: string });
        await pc.setLocalDescription(await pc.createAnswer());
        const { type: sdpType, sdp } = pc.localDescription!;
        client.send({
          type: 'ANSWER',
          dst: src,
          payload: { sdp: { type: sdpType, sdp }, type: 'media', connectionId },
        });
      })();
    } else if (type === 'CANDIDATE' && payload?.candidate && payload.connectionId) {
      void pcs
        .get(payload.connectionId)
        ?.addIceCandidate(payload.candidate as never)
        .catch(() => undefined);
    }
  });
  return { close: () => (client.close(), pcs.forEach((pc) => void pc.close())) };
}

/**
 * Calls `listener` with each RTP packet reaching a connected call's socket, and drops it there,
 * undecrypted: decrypting would cost this process as much CPU as the relay spends encrypting, on
 * the same two cores, and the benchmark would measure itself (an SRTP packet's header is in the
 * clear). DTLS, RTCP and STUN go on as usual, and the peer sends receiver reports from the start,
 * as a browser does (werift waits for its first RTP).
 */
export function onRtpAtSocket(pc: RTCPeerConnection, listener: (packet: Buffer) => void): void {
  for (const transceiver of pc.getTransceivers()) void transceiver.receiver.runRtcp();
  for (const ice of pc.iceTransports) {
    const onData = ice.connection.onData;
    const deliver = onData.execute.bind(onData);
    onData.execute = (data: Buffer) => {
      // RFC 5761 demultiplexing: RTP version 2, and not an RTCP packet type (192–223).
      const rtp = data.length > 12 && data[0]! >> 6 === 2 && (data[1]! < 192 || data[1]! > 223);
      if (!rtp) return deliver(data);
      listener(data);
    };
  }
}
