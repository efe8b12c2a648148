import type { MediaConnection } from 'peerjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RelayLinkEvent } from '../../src/client/media/relay-link.ts';
import { ScreenReceiver } from '../../src/client/media/screen-receiver.ts';
import { CONNECT_TIMEOUT_MS } from '../../src/client/media/share-sender.ts';
import { parseSupervisorMessage, surfaceMessage, type MemberView, type TileView } from '../../src/shared/protocol.ts';

const RELAY = 'relay-peer';

const student = (id: string): MemberView => ({
  id,
  role: 'student',
  name: id,
  peerId: `peer-${id}`,
  isHost: false,
  connected: true,
  share: 'sharing',
  sharing: true,
  joinedAt: 0,
});

/** A PeerJS media call from the relay, as far as the receiver uses one; getStats answers after `statsMs`. */
function relayCall(studentId: string, connectionState: RTCPeerConnectionState, statsMs: number): MediaConnection {
  const peerConnection = {
    connectionState,
    addEventListener: () => undefined,
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

  /** A receiver in a room relayed by RELAY with these students, and what it tells of the relay's calls. */
  function relayedReceiver(students: MemberView[]) {
    const events: RelayLinkEvent[] = [];
    const receiver = new ScreenReceiver(
      () => undefined,
      (event) => events.push(event),
    );
    receiver.setRelayPeerId(RELAY);
    receiver.setMembers(students);
    return { receiver, events };
  }

  it('reports a relay call that never connected once, however slow getStats is', async () => {
    const { receiver, events } = relayedReceiver([student('ada'), student('bo')]);
    // Ada's call is up but her stats take a second (a busy tablet), longer than a poll interval;
    // Bo's relayed call never connects. Two overlapping passes would each report Bo's: the
    // server's reroute threshold is two failures.
    receiver.onCall(relayCall('ada', 'connected', 1_000));
    receiver.onCall(relayCall('bo', 'connecting', 10));
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS + 3_000);
    // Ada's call shows the link works, so Bo's is not reported as slow: only its timeout counts.
    expect(events).toEqual(['up', 'failed']);
    receiver.close();
  });

  it('reports the relay’s call slow after 2.5 s while none of its calls is up, and failed at the timeout', async () => {
    const { receiver, events } = relayedReceiver([student('ada')]);
    receiver.onCall(relayCall('ada', 'connecting', 10));
    await vi.advanceTimersByTimeAsync(2_400);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(events).toEqual(['slow']);
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS);
    expect(events).toEqual(['slow', 'failed']);
    receiver.close();
  });
});

/** A direct call from a student whose screen is decoding, recording what the receiver sends it. */
function studentCall(studentId: string, sent: TileView[]): MediaConnection {
  let frames = 0;
  return {
    peer: `peer-${studentId}`,
    metadata: { studentId, surface: 'monitor' },
    peerConnection: {
      connectionState: 'connected',
      addEventListener: () => undefined,
      getStats: async () => new Map([['v', { type: 'inbound-rtp', kind: 'video', framesDecoded: (frames += 5) }]]),
    },
    dataChannel: {
      readyState: 'open',
      addEventListener: () => undefined,
      send: (text: string) => sent.push(parseSupervisorMessage(text) as TileView),
    },
    on: () => undefined,
    answer: () => undefined,
    close: () => undefined,
  } as unknown as MediaConnection;
}

describe('what the receiver tells each student about their tile', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the tile’s size and the tiles shown, nothing once it is off screen or the tab hidden, full when zoomed', async () => {
    const toAda: TileView[] = [];
    const receiver = new ScreenReceiver(
      () => undefined,
      () => undefined,
    );
    receiver.setRelayPeerId(RELAY);
    receiver.setMembers([student('ada'), student('bo')]);
    receiver.setTileView('ada', { visible: false, widthPx: 300, heightPx: 169 });
    receiver.setTileView('bo', { visible: true, widthPx: 300, heightPx: 169 });
    receiver.onCall(studentCall('ada', toAda));
    // Until its first frames decode, a call is seen, so the tile can say truly that it is live.
    expect(toAda.at(-1)).toMatchObject({ level: 'thumbnail', visible: true, widthPx: 300, tilesShown: 1 });
    await vi.advanceTimersByTimeAsync(300);
    expect(toAda.at(-1)).toMatchObject({ visible: false });

    receiver.setTileView('ada', { visible: true, widthPx: 200, heightPx: 113 });
    expect(toAda.at(-1)).toMatchObject({ visible: true, widthPx: 200, tilesShown: 2 });
    receiver.setPageVisible(false);
    expect(toAda.at(-1)).toMatchObject({ visible: false });
    receiver.setPageVisible(true);
    expect(toAda.at(-1)).toMatchObject({ visible: true });

    // Zoomed into from a tile scrolled away: the full view shows it.
    receiver.setTileView('ada', { visible: false, widthPx: 200, heightPx: 113 });
    receiver.focus('ada');
    expect(toAda.at(-1)).toMatchObject({ level: 'full', visible: true });
    receiver.focus(null);
    expect(toAda.at(-1)).toMatchObject({ level: 'thumbnail', visible: false });

    // A student with no tile on the wall (another page of it) is not seen; each change is sent once.
    receiver.setTileView('ada', null);
    const count = toAda.length;
    receiver.setTileView('bo', { visible: true, widthPx: 300, heightPx: 169 });
    expect(toAda.length).toBe(count);
    receiver.close();
  });
});

/** A call whose connection state (reported as it is set) and decoded frames the test sets, and which records being hung up. */
function controlledCall(peer: string, studentId: string) {
  const listeners: (() => void)[] = [];
  let state: RTCPeerConnectionState = 'connecting';
  const control = {
    get state() {
      return state;
    },
    set state(next: RTCPeerConnectionState) {
      state = next;
      for (const listener of listeners) listener();
    },
    frames: 0,
    closed: false,
  };
  const connection = {
    peer,
    metadata: { studentId, surface: 'monitor' },
    peerConnection: {
      get connectionState() {
        return control.state;
      },
      addEventListener: (type: string, listener: () => void) => {
        if (type === 'connectionstatechange') listeners.push(listener);
      },
      getStats: async () => new Map([['v', { type: 'inbound-rtp', kind: 'video', framesDecoded: control.frames }]]),
    },
    dataChannel: undefined,
    on: () => undefined,
    answer: () => undefined,
    close: () => {
      control.closed = true;
    },
  } as unknown as MediaConnection;
  return { connection, control };
}

/** A supervisor's receiver in a room relayed by RELAY, Ada on its roster; `racing`: the room races its paths. */
function raceReceiver(racing: boolean): ScreenReceiver {
  const receiver = new ScreenReceiver(
    () => undefined,
    () => undefined,
  );
  receiver.setRelayPeerId(RELAY);
  receiver.setRelayCarries(() => racing, racing);
  receiver.setMembers([student('ada')]);
  return receiver;
}

/** Ada's direct call arrives and decodes: the call, and the screen the receiver then shows for her. */
async function directDecodes(receiver: ScreenReceiver) {
  const direct = controlledCall('peer-ada', 'ada');
  receiver.onCall(direct.connection);
  [direct.control.state, direct.control.frames] = ['connected', 5];
  await vi.advanceTimersByTimeAsync(300);
  return { direct, directScreen: receiver.screen('ada') };
}

/** Ada's direct call arrives first and keeps trying; the relay's call of her screen decodes. */
async function relayDecodesFirst() {
  const receiver = raceReceiver(true);
  const direct = controlledCall('peer-ada', 'ada');
  const relayed = controlledCall(RELAY, 'ada');
  receiver.onCall(direct.connection);
  receiver.onCall(relayed.connection);
  [relayed.control.state, relayed.control.frames] = ['connected', 5];
  await vi.advanceTimersByTimeAsync(300);
  return { receiver, direct, relayed };
}

describe('a race between the relay and a direct call', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows the relay’s frames first, switches to the direct call once it decodes, then lets the relay go', async () => {
    const { receiver, direct, relayed } = await relayDecodesFirst();
    expect(receiver.screen('ada')?.state).toBe('live');
    // The direct attempt is not hung up for it: it may still come up.
    expect(direct.control.closed).toBe(false);
    const relayScreen = receiver.screen('ada');

    // The direct call decodes: it is shown, and while the routes still have the relay carry Ada
    // (the server has not heard yet), the relay's call stays as a fallback.
    [direct.control.state, direct.control.frames] = ['connected', 5];
    await vi.advanceTimersByTimeAsync(300);
    expect(receiver.screen('ada')?.state).toBe('live');
    expect(receiver.screen('ada')).not.toBe(relayScreen);
    expect(relayed.control.closed).toBe(false);

    // The race is over: the relay's call is hung up, and the direct call stays.
    receiver.setRelayCarries(() => false, false);
    expect(relayed.control.closed).toBe(true);
    expect(direct.control.closed).toBe(false);
    expect(receiver.screen('ada')?.state).toBe('live');
    receiver.close();
  });

  it('keeps the relay’s call where the direct call never comes up', async () => {
    const { relayed, receiver } = await relayDecodesFirst();
    receiver.setRelayCarries(() => false, false);
    expect(relayed.control.closed).toBe(false);
    expect(receiver.screen('ada')?.state).toBe('live');
    receiver.close();
  });

  it('before either decodes, gives the tile the direct call once it is up, and the relay’s where only that is', async () => {
    const receiver = raceReceiver(true);
    const direct = controlledCall('peer-ada', 'ada');
    const relayed = controlledCall(RELAY, 'ada');
    receiver.onCall(direct.connection);
    const directScreen = receiver.screen('ada');
    receiver.onCall(relayed.connection);
    // Only the relay's call is up (as on a network that keeps devices apart): the tile shows it.
    relayed.control.state = 'connected';
    expect(receiver.screen('ada')).not.toBe(directScreen);
    // The direct call comes up too, neither has a frame yet: the direct call's first will be shown, not missed.
    direct.control.state = 'connected';
    expect(receiver.screen('ada')).toBe(directScreen);
    receiver.close();
  });

  it('a relay call that arrives after the race is over is refused, and the direct call kept', async () => {
    // The race is over: Ada's screen reaches this supervisor directly, and her direct call decodes.
    const receiver = raceReceiver(false);
    const { direct, directScreen } = await directDecodes(receiver);
    expect(directScreen?.state).toBe('live');

    // A call the relay placed while the race was on arrives late: hung up at once, not kept open
    // beside the direct call until the relay lets it go.
    const relayed = controlledCall(RELAY, 'ada');
    receiver.onCall(relayed.connection);
    expect(relayed.control.closed).toBe(true);
    [relayed.control.state, relayed.control.frames] = ['connected', 5];
    await vi.advanceTimersByTimeAsync(300);
    expect(direct.control.closed).toBe(false);
    expect(receiver.screen('ada')).toBe(directScreen);
    receiver.close();
  });

  it('a relay call accepted during the race that decodes after it does not replace the direct call', async () => {
    const receiver = raceReceiver(true);
    const relayed = controlledCall(RELAY, 'ada');
    receiver.onCall(relayed.connection);
    // The race ends before the relay's call is up; Ada's direct call decodes.
    receiver.setRelayCarries(() => false, false);
    const { direct, directScreen } = await directDecodes(receiver);
    expect(directScreen?.state).toBe('live');
    // The direct call going live let the relay's go.
    expect(relayed.control.closed).toBe(true);
    expect(direct.control.closed).toBe(false);
    receiver.close();
  });
});

describe('a call placed while the student’s picker was open', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is read seldom until the roster says they share, then live at once, with the surface they picked', async () => {
    let statsRead = 0;
    let frames = 0;
    const messageListeners: ((event: { data: unknown }) => void)[] = [];
    const call = {
      peer: 'peer-ada',
      metadata: { studentId: 'ada', surface: null },
      peerConnection: {
        connectionState: 'connected',
        addEventListener: () => undefined,
        getStats: async () => {
          statsRead++;
          return new Map([['v', { type: 'inbound-rtp', kind: 'video', framesDecoded: frames }]]);
        },
      },
      dataChannel: {
        readyState: 'open',
        addEventListener: (type: string, listener: (event: { data: unknown }) => void) => {
          if (type === 'message') messageListeners.push(listener);
        },
        send: () => undefined,
      },
      on: () => undefined,
      answer: () => undefined,
      close: () => undefined,
    } as unknown as MediaConnection;
    const receiver = new ScreenReceiver(
      () => undefined,
      () => undefined,
    );
    const choosing = { ...student('ada'), share: 'never' as const, sharing: false };
    receiver.setMembers([choosing]);
    receiver.onCall(call);
    // Up, with nothing to show while she chooses: not read at the first-frame pace (every 20 ms).
    await vi.advanceTimersByTimeAsync(1_000);
    expect(statsRead).toBeLessThanOrEqual(5);
    expect(receiver.screen('ada')).toMatchObject({ state: 'connecting', surface: null });

    // She picked a window: her app says so on the call, her frames flow, and the roster follows.
    for (const listener of messageListeners) listener({ data: surfaceMessage('window') });
    frames = 3;
    receiver.setMembers([student('ada')]);
    await vi.advanceTimersByTimeAsync(1);
    expect(receiver.screen('ada')).toMatchObject({ state: 'live', surface: 'window' });
    receiver.close();
  });
});
