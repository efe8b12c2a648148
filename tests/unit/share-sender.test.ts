import type { MediaConnection, Peer } from 'peerjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capture } from '../../src/client/media/capture.ts';
import { ShareSender } from '../../src/client/media/share-sender.ts';
import { relayNoticeMessage } from '../../src/shared/peer-messages.ts';
import { PEER_TO_PEER_ROUTES, type MemberView, type Routes } from '../../src/shared/protocol.ts';

const RELAY = 'relay-peer';

const supervisor = (id: string): MemberView => ({
  id,
  role: 'supervisor',
  name: id,
  peerId: `peer-${id}`,
  isHost: id === 'lee',
  connected: true,
  share: 'never',
  sharing: false,
  joinedAt: 0,
});

/** A placed call as the sender uses one: its connection state is set by the test, and it hears the other side's messages. */
class FakeCall {
  state: RTCPeerConnectionState = 'new';
  closed = false;
  readonly #stateListeners: (() => void)[] = [];
  readonly #messageListeners: ((event: { data: unknown }) => void)[] = [];
  constructor(readonly peer: string) {}

  connection(): MediaConnection {
    const state = () => this.state;
    const pc = {
      get connectionState() {
        return state();
      },
      addEventListener: (type: string, listener: () => void) => {
        if (type === 'connectionstatechange') this.#stateListeners.push(listener);
      },
      getSenders: () => [],
    };
    return {
      peer: this.peer,
      peerConnection: pc,
      dataChannel: {
        readyState: 'open',
        addEventListener: (type: string, listener: (event: { data: unknown }) => void) => {
          if (type === 'message') this.#messageListeners.push(listener);
        },
        send: () => undefined,
      },
      on: () => undefined,
      close: () => {
        this.closed = true;
      },
    } as unknown as MediaConnection;
  }

  connect(): void {
    this.state = 'connected';
    for (const listener of this.#stateListeners) listener();
  }

  receive(text: string): void {
    for (const listener of this.#messageListeners) listener({ data: text });
  }
}

/** A sender for student Ada, with the calls it places by the peer id called. */
function sender() {
  const calls: FakeCall[] = [];
  const peer = {
    open: true,
    call: (peerId: string) => {
      const call = new FakeCall(peerId);
      calls.push(call);
      return call.connection();
    },
  } as unknown as Peer;
  const share = new ShareSender(
    peer,
    'ada',
    () => undefined,
    () => undefined,
    () => undefined,
  );
  const capture = { stream: {}, track: { getSettings: () => ({}) }, surface: 'monitor' } as unknown as Capture;
  const open = (peerId: string) => calls.filter((c) => c.peer === peerId && !c.closed);
  return { share, capture, open };
}

const relayed: Routes = { ...PEER_TO_PEER_ROUTES, transport: 'relay', relayPeerId: RELAY };

describe('moving a screen to the relay, make before break', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the direct call to a supervisor until the relay reports its own call to them up', async () => {
    const { share, capture, open } = sender();
    share.setMembers([supervisor('lee'), supervisor('ode')]);
    share.setRoutes({ ...PEER_TO_PEER_ROUTES, relayPeerId: RELAY });
    share.setCapture(capture);
    for (const id of ['lee', 'ode']) open(`peer-${id}`)[0]!.connect();

    share.setRoutes(relayed);
    const [toRelay] = open(RELAY);
    toRelay!.connect();
    // Our call to the relay is up, and its call onwards to Mr Ode; its call to Ms Lee is still
    // coming up (a busy relay): her direct call stays, however long that takes.
    toRelay!.receive(relayNoticeMessage({ type: 'viewers', supervisorIds: ['ode'] }));
    await vi.advanceTimersByTimeAsync(3_500);
    expect(open('peer-ode')).toEqual([]);
    expect(open('peer-lee')).toHaveLength(1);
    expect(share.viewers().sort()).toEqual(['lee', 'ode']);

    toRelay!.receive(relayNoticeMessage({ type: 'viewers', supervisorIds: ['ode', 'lee'] }));
    await vi.advanceTimersByTimeAsync(2_500);
    expect(open('peer-lee')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(open('peer-lee')).toEqual([]);
    share.close();
  });

  it('hangs up a direct call at the latest 10 s after the switch, when the relay never reaches that supervisor', async () => {
    const { share, capture, open } = sender();
    share.setMembers([supervisor('lee')]);
    share.setRoutes({ ...PEER_TO_PEER_ROUTES, relayPeerId: RELAY });
    share.setCapture(capture);
    open('peer-lee')[0]!.connect();
    share.setRoutes(relayed);
    open(RELAY)[0]!.connect();
    await vi.advanceTimersByTimeAsync(9_000);
    expect(open('peer-lee')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(open('peer-lee')).toEqual([]);
    share.close();
  });

  it('keeps the relay’s call until every supervisor is called directly again', async () => {
    const { share, capture, open } = sender();
    share.setMembers([supervisor('lee'), supervisor('ode')]);
    share.setRoutes(relayed);
    share.setCapture(capture);
    open(RELAY)[0]!.connect();

    share.setRoutes({ ...PEER_TO_PEER_ROUTES, relayPeerId: RELAY });
    open('peer-ode')[0]!.connect();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(open(RELAY)).toHaveLength(1);
    open('peer-lee')[0]!.connect();
    await vi.advanceTimersByTimeAsync(3_500);
    expect(open(RELAY)).toEqual([]);
    share.close();
  });
});
