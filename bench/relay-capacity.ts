/**
 * Relay capacity: synthetic publishers and viewers (werift peers in this process, so browsers do
 * not eat the two cores) signal through the real server and relay; publishers send 300 kbps of
 * VP8-shaped RTP each. Measures forwarded packets per second, loss, and the relay process's CPU.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import type { CreateRoomResponse, JoinRoomResponse, OwnMember } from '../src/shared/protocol.ts';
import { PeerClient } from '../server/relay/worker/peer-client.ts';
import { call } from '../tests/helpers/client.ts';
import { childrenOf, cpuSeconds } from '../tests/helpers/procfs.ts';
import { saveResult, startBuiltServer } from './lib.ts';
import { answerCalls, onRtpAtSocket, peerUrl, syntheticPeerConnection } from './synthetic-peers.ts';

/** Publishers × viewers per step: the number of forwarded viewer-streams grows step by step. */
const STEPS: [number, number][] = [
  [2, 10],
  [5, 20],
  [10, 20],
  [10, 30],
  [10, 50],
  [10, 60],
];
const PACKETS_PER_SECOND = 30;
const PAYLOAD_BYTES = 1200;
const MEASURE_MS = 8000;

/** A supervisor that answers the relay's calls and counts what arrives. */
function viewer(base: string, member: OwnMember) {
  const stats = { packets: 0, streams: 0, delivering: 0 };
  const peer = answerCalls(base, member, {
    created: (pc) => pc.onTrack.subscribe(() => stats.streams++),
    // Counted once ICE is up: werift's own DTLS client sometimes fails on a retransmitted
    // HelloVerifyRequest under load (a quirk of werift talking to werift; browsers do not send
    // one), while the relay's side completes and sends; what reaches the socket is what counts.
    connected: (pc) => {
      let first = true;
      onRtpAtSocket(pc, () => {
        stats.packets++;
        if (first) stats.delivering++;
        first = false;
      });
    },
  });
  return { stats, close: peer.close };
}

/** A student that calls the relay and sends synthetic VP8 packets at a steady rate. */
async function publisher(base: string, member: OwnMember, relayPeerId: string) {
  const pc = syntheticPeerConnection();
  const track = new MediaStreamTrack({ kind: 'video' });
  pc.addTransceiver(track, { direction: 'sendonly' });
  const connectionId = `mc_${randomBytes(6).toString('hex')}`;
  const client = new PeerClient(
    peerUrl(base, member),
    (message) => {
      if (message.payload?.connectionId !== connectionId) return;
      if (message.type === 'ANSWER' && message.payload.sdp) void pc.setRemoteDescription(message.payload.sdp as never);
      if (message.type === 'CANDIDATE' && message.payload.candidate)
        void pc.addIceCandidate(message.payload.candidate as never).catch(() => undefined);
    },
    () => void offer(),
  );
  pc.onIceCandidate.subscribe((c) => {
    if (c)
      client.send({
        type: 'CANDIDATE',
        dst: relayPeerId,
        payload: { candidate: c.toJSON(), type: 'media', connectionId },
      });
  });
  const offer = async () => {
    await pc.setLocalDescription(await pc.createOffer());
    const { type, sdp } = pc.localDescription!;
    client.send({
      type: 'OFFER',
      dst: relayPeerId,
      payload: { sdp: { type, sdp }, type: 'media', connectionId, metadata: { studentId: member.id } },
    });
  };
  let sequenceNumber = 0;
  let timestamp = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    connected: () => pc.connectionState === 'connected',
    start() {
      timer = setInterval(() => {
        // A VP8 payload descriptor (start of partition 0), a frame header (a keyframe once a
        // second, delta frames otherwise), then filler: the relay never looks further.
        const frameHeader = sequenceNumber % PACKETS_PER_SECOND === 0 ? 0x00 : 0x01;
        const payload = Buffer.concat([Buffer.from([0x10, frameHeader]), randomBytes(PAYLOAD_BYTES - 2)]);
        const header = new RtpHeader({ payloadType: 96, sequenceNumber, timestamp, marker: true });
        track.writeRtp(new RtpPacket(header, payload));
        sequenceNumber = (sequenceNumber + 1) & 0xffff;
        timestamp = (timestamp + 3000) >>> 0;
      }, 1000 / PACKETS_PER_SECOND);
    },
    close() {
      clearInterval(timer);
      client.close();
      void pc.close();
    },
  };
}

const until = async (check: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return check();
};

/** The steps compared with one and two workers (two, to fit the run on a shared machine). */
export const WORKER_STEPS: [number, number][] = [
  [10, 20],
  [10, 40],
];

/**
 * Relay capacity with one worker and with two, side by side in one run on the same machine (one
 * result file), so the gain of a second worker is measured rather than assumed.
 */
export async function benchRelayWorkers() {
  const one = await benchRelayCapacity(1, WORKER_STEPS, 'relay-workers-1');
  const two = await benchRelayCapacity(2, WORKER_STEPS, 'relay-workers-2');
  const row = (r: typeof one) => ({
    maxViewerStreamsUnder1PercentLoss: r.maxViewerStreamsUnder1PercentLoss,
    bestPacketsPerSecondPerCore: r.bestPacketsPerSecondPerCore,
    steps: r.steps.map((s) => ({
      viewerStreams: s.viewerStreams,
      lossPercent: s.lossPercent,
      forwardedPacketsPerSecond: s.forwardedPacketsPerSecond,
      relayCpuPercentOfCore: s.relayCpuPercentOfCore,
      benchProcessCpuPercentOfCore: s.benchProcessCpuPercentOfCore,
    })),
  });
  const result = {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    loadAverageAtEnd: loadavg().map((n) => Math.round(n * 10) / 10),
    note: 'Both runs on this machine, one after the other; the synthetic peers share one benchmark process, so its CPU bounds both.',
    oneWorker: row(one),
    twoWorkers: row(two),
  };
  saveResult('relay-workers', result);
  return result;
}

/** Runs the steps with `workers` relay workers and returns the figures (saved under `name`). */
export async function benchRelayCapacity(workers = 1, steps_: [number, number][] = STEPS, name = 'relay-capacity') {
  const server = await startBuiltServer({
    RELAY_MODE: 'always',
    RELAY_WORKERS: String(workers),
    RELAY_ANNOUNCED_IPS: '127.0.0.1',
    MAX_MEMBERS_PER_ROOM: '1000',
    RECONNECT_GRACE_S: '3600',
  });
  const steps = [];
  try {
    await until(() => childrenOf(server.pid).length >= workers, 5000);
    for (const [publishers, viewers] of steps_) {
      // One room per worker (placement puts each new room on the emptiest worker), the publishers
      // shared out, every room with all the viewers: publishers × viewers streams in all.
      const rooms = [];
      for (let r = 0; r < workers; r++) {
        const created = (
          await call<CreateRoomResponse>(server.url, 'POST', '/api/rooms', {
            body: { name: `Load ${publishers}x${viewers} ${r}`, hostName: 'Load' },
          })
        ).body;
        rooms.push(created);
      }
      const placedOn = new Set(rooms.map((r) => r.room.routes.relayPeerId));
      const watchers: ReturnType<typeof viewer>[] = [];
      const senders: Awaited<ReturnType<typeof publisher>>[] = [];
      const joinsOf = rooms.map(
        (created) => async (name: string, role: 'student' | 'supervisor') =>
          (
            await call<JoinRoomResponse>(server.url, 'POST', `/api/rooms/${created.room.code}/members`, {
              body: { name, role, ...(role === 'supervisor' ? { supervisorKey: created.supervisorKey } : {}) },
            })
          ).body.member,
      );
      for (const join of joinsOf)
        for (let i = 0; i < viewers; i++) watchers.push(viewer(server.url, await join(`V${i}`, 'supervisor')));
      await new Promise((r) => setTimeout(r, 1000));
      for (let i = 0; i < publishers; i++) {
        const r = i % workers;
        senders.push(
          await publisher(server.url, await joinsOf[r]!(`P${i}`, 'student'), rooms[r]!.room.routes.relayPeerId!),
        );
      }
      const streams = publishers * viewers;
      // Set-up ends when every viewer-stream delivers packets (calls that failed placed again).
      const setupStarted = Date.now();
      let ready = await until(() => senders.every((s) => s.connected()), 120_000);
      for (const s of senders) s.start();
      ready &&= await until(() => watchers.reduce((n, w) => n + w.stats.delivering, 0) >= streams, 120_000);
      const setupS = (Date.now() - setupStarted) / 1000;
      await new Promise((r) => setTimeout(r, 2000));
      const relayPids = childrenOf(server.pid);
      const relayCpu = () => relayPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
      const before = {
        packets: watchers.reduce((n, w) => n + w.stats.packets, 0),
        cpu: relayCpu(),
        own: process.cpuUsage(),
        at: Date.now(),
      };
      await new Promise((r) => setTimeout(r, MEASURE_MS));
      const after = {
        packets: watchers.reduce((n, w) => n + w.stats.packets, 0),
        cpu: relayCpu(),
        at: Date.now(),
      };
      const own = process.cpuUsage(before.own);
      const seconds = (after.at - before.at) / 1000;
      const forwardedPps = (after.packets - before.packets) / seconds;
      const expectedPps = streams * PACKETS_PER_SECOND;
      const relayCpuPercent = ((after.cpu - before.cpu) / seconds) * 100;
      steps.push({
        workers,
        workersUsed: placedOn.size,
        publishers,
        viewers,
        viewerStreams: streams,
        allConnected: ready,
        setupSeconds: Math.round(setupS * 10) / 10,
        forwardedPacketsPerSecond: Math.round(forwardedPps),
        lossPercent: Math.round(Math.max(0, 1 - forwardedPps / expectedPps) * 1000) / 10,
        // Summed over the relay processes: 150 means one and a half cores.
        relayCpuPercentOfCore: Math.round(relayCpuPercent),
        packetsPerSecondPerCore: Math.round(forwardedPps / Math.max(relayCpuPercent / 100, 0.01)),
        // The synthetic peers share this process: when it is near a full core, loss may be theirs.
        benchProcessCpuPercentOfCore: Math.round(((own.user + own.system) / 1e6 / seconds) * 100),
      });
      console.error(JSON.stringify(steps.at(-1)));
      for (const s of senders) s.close();
      for (const w of watchers) w.close();
      for (const created of rooms)
        await call(server.url, 'DELETE', `/api/rooms/${created.room.code}`, { token: created.member.token });
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    await server.stop();
  }
  const sustained = steps.filter((s) => s.allConnected && s.lossPercent < 1);
  const result = {
    date: new Date().toISOString(),
    workers,
    note: `werift publishers and viewers in the benchmark process, the relay in its own process, loopback; ${PACKETS_PER_SECOND} packets/s of ${PAYLOAD_BYTES} bytes per publisher (about 300 kbps); viewers count SRTP packets at their sockets without decrypting them.`,
    steps,
    maxViewerStreamsUnder1PercentLoss: Math.max(0, ...sustained.map((s) => s.viewerStreams)),
    bestPacketsPerSecondPerCore: Math.max(0, ...steps.map((s) => s.packetsPerSecondPerCore)),
    targets: { packetsPerSecondPerCore: 15000, viewerStreams: 500 },
  };
  saveResult(name, result);
  return result;
}
