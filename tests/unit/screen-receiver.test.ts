import type { MediaConnection } from 'peerjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScreenReceiver } from '../../src/client/media/screen-receiver.ts';
import { CONNECT_TIMEOUT_MS } from '../../src/client/media/share-sender.ts';
import type { MemberView } from '../../src/shared/protocol.ts';

const RELAY = 'relay-peer';

const student = (id: string): MemberView => ({
  id,
  role: 'student',
  name: id,
  peerId: `peer-${id}`,
  isHost: false,
  connected: true,
  sharing: true,
  joinedAt: 0,
});

/** A PeerJS media call from the relay, as far as the receiver uses one; getStats answers after `statsMs`. */
function relayCall(studentId: string, connectionState: RTCPeerConnectionState, statsMs: number): MediaConnection {
  const peerConnection = {
    connectionState,
    getStats: () => new Promise((resolve) => setTimeout(() => resolve(new Map()), statsMs)),
  };
  return {
    peer: RELAY,
    metadata: { studentId, surface: 'monitor', relayed: true },
    peerConnection,
    dataChannel: undefined,
    on: () => undefined,
    answer: () => undefined,
    close: () => undefined,
  } as unknown as MediaConnection;
}

describe('the receiver’s stats loop', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports a relay call that never connected once, however slow getStats is', async () => {
    const failures: string[] = [];
    const receiver = new ScreenReceiver(
      RELAY,
      () => undefined,
      (withId) => failures.push(withId),
    );
    receiver.setMembers([student('ada'), student('bo')]);
    // Ada's call is up but her stats take a second (a busy tablet), longer than a poll interval;
    // Bo's relayed call never connects. Two overlapping passes would each report Bo's: the
    // server's reroute threshold is two failures.
    receiver.onCall(relayCall('ada', 'connected', 1_000));
    receiver.onCall(relayCall('bo', 'connecting', 10));
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS + 3_000);
    expect(failures).toEqual(['relay']);
    receiver.close();
  });
});
