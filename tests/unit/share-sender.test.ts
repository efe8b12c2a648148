import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capture } from '../../src/client/media/capture.ts';
import type { RelayLinkEvent } from '../../src/client/media/relay-link.ts';
import { ShareSender } from '../../src/client/media/share-sender.ts';
import { fakePeer } from '../helpers/fake-calls.ts';
import { parseSurfaceNotice, relayNoticeMessage } from '../../src/shared/peer-messages.ts';
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

/** A sender for student Ada, with the calls it places by the peer id called. */
function sender() {
  const { peer, calls } = fakePeer();
  const failures: string[] = [];
  const relayEvents: RelayLinkEvent[] = [];
  const share = new ShareSender(
    peer,
    'ada',
    () => undefined,
    (withId) => failures.push(withId),
    () => undefined,
    (event) => relayEvents.push(event),
  );
  const track = { getSettings: () => ({}) };
  const capture = { stream: { track }, track, surface: 'window' } as unknown as Capture;
  const open = (peerId: string) => calls.filter((c) => c.peer === peerId && !c.closed);
  return { share, capture, open, calls, failures, relayEvents };
}

/** What the calls carry while the student chooses: a stream whose one track sends nothing. */
function standIn(settings: MediaTrackSettings = {}): MediaStream {
  const track = { kind: 'video', getSettings: () => settings };
  return { track, getTracks: () => [track], getVideoTracks: () => [track] } as unknown as MediaStream;
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

  it('calls a relay that died and came back afresh, keeping the direct call until the new relay call carries the screen', async () => {
    const { share, capture, open } = sender();
    share.setMembers([supervisor('lee')]);
    share.setRoutes(relayed);
    share.setCapture(capture);
    const [old] = open(RELAY);
    old!.connect();
    old!.receive(relayNoticeMessage({ type: 'viewers', supervisorIds: ['lee'] }));

    // The relay's process dies: peer to peer at once, and the call to it still looks connected.
    share.setRoutes({ ...PEER_TO_PEER_ROUTES, relayPeerId: RELAY });
    open('peer-lee')[0]!.connect();
    // A second later it is back under the same id, before the old call was hung up.
    await vi.advanceTimersByTimeAsync(1_000);
    share.setRoutes(relayed);
    expect(old!.closed).toBe(true);
    const [fresh] = open(RELAY);
    expect(fresh).not.toBe(old);
    fresh!.connect();
    // What the dead relay said about its viewers no longer counts: the direct call stays...
    await vi.advanceTimersByTimeAsync(5_000);
    expect(open('peer-lee')).toHaveLength(1);
    // ...until the new relay's call reaches Ms Lee, plus the overlap.
    fresh!.receive(relayNoticeMessage({ type: 'viewers', supervisorIds: ['lee'] }));
    await vi.advanceTimersByTimeAsync(3_500);
    expect(open('peer-lee')).toEqual([]);
    share.close();
  });
});

describe('calling while the picker is open', () => {
  it('places the calls with the stand-in at Share, names nobody as watching, and hands each the chosen screen', async () => {
    const { share, capture, open, calls } = sender();
    share.setMembers([supervisor('lee'), supervisor('ode')]);
    const placeholder = standIn();
    share.prepare(placeholder);
    expect(calls.map((c) => [c.peer, c.stream])).toEqual([
      ['peer-lee', placeholder],
      ['peer-ode', placeholder],
    ]);
    for (const id of ['lee', 'ode']) open(`peer-${id}`)[0]!.connect();
    // Connected, but there is no screen yet: the student is not told anyone watches.
    expect(share.viewers()).toEqual([]);

    share.setCapture(capture);
    await vi.waitFor(() => expect(calls.map((c) => c.track)).toEqual([capture.track, capture.track]));
    // The same calls, now with the screen, and told what was picked; nobody is called twice.
    expect(calls).toHaveLength(2);
    for (const call of calls)
      expect(call.sent.map((m) => parseSurfaceNotice(m))).toContainEqual({ type: 'surface', surface: 'window' });
    expect(share.viewers()).toEqual(['lee', 'ode']);
    share.close();
  });

  it('hangs the calls up when the student cancels the picker, reporting no failed path', () => {
    const { share, open, failures } = sender();
    share.setMembers([supervisor('lee')]);
    share.prepare(standIn());
    open('peer-lee')[0]!.connect();
    share.setCapture(null);
    expect(open('peer-lee')).toEqual([]);
    expect(failures).toEqual([]);
    share.close();
  });

  it('calls again with the screen where a call cannot take it in place of the stand-in', async () => {
    const { share, capture, open, calls } = sender();
    share.setMembers([supervisor('lee')]);
    share.prepare(standIn());
    calls[0]!.failReplace = true;
    share.setCapture(capture);
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[0]!.closed).toBe(true);
    expect(open('peer-lee').map((c) => c.stream)).toEqual([capture.stream]);
    share.close();
  });
});

describe('the call to the relay', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is reported slow after 2.5 s while it keeps trying, failed at the connect timeout, and up when it is', async () => {
    const { share, capture, open, relayEvents } = sender();
    share.setMembers([supervisor('lee')]);
    share.setRoutes(relayed);
    share.setCapture(capture);
    const [first] = open(RELAY);
    await vi.advanceTimersByTimeAsync(2_600);
    expect(relayEvents).toEqual(['slow']);
    expect(open(RELAY)).toEqual([first]);
    await vi.advanceTimersByTimeAsync(7_500);
    expect(relayEvents).toEqual(['slow', 'failed']);
    // Placed again after a backoff; this one comes up at once.
    await vi.advanceTimersByTimeAsync(1_000);
    open(RELAY)[0]!.connect();
    expect(relayEvents).toEqual(['slow', 'failed', 'up']);
    share.close();
  });

  it('is not reported slow when it comes up within 2.5 s', async () => {
    const { share, capture, open, relayEvents } = sender();
    share.setMembers([supervisor('lee')]);
    share.setRoutes(relayed);
    share.setCapture(capture);
    await vi.advanceTimersByTimeAsync(2_000);
    open(RELAY)[0]!.connect();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(relayEvents).toEqual(['up']);
    share.close();
  });
});

describe('the first frame of a call', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const hd = { width: 1280, height: 720 };
  /** Ada's sender with a 1280×720 screen shared, and Ms Lee's call connected. */
  function sharing() {
    const { share, capture, calls } = sender();
    (capture.track as { getSettings: () => object }).getSettings = () => hd;
    share.setMembers([supervisor('lee')]);
    share.setCapture(capture);
    const call = calls[0]!;
    call.connect();
    return { share, call };
  }
  const bigTile = JSON.stringify({
    type: 'view',
    level: 'thumbnail',
    visible: true,
    widthPx: 1280,
    heightPx: 720,
    tilesShown: 1,
  });

  it('is sent no larger than a thumbnail, and the next at the size the supervisor’s tile asks for', async () => {
    const { share, call } = sharing();
    call.receive(bigTile);
    await vi.waitFor(() =>
      expect(call.encodings.at(-1)).toMatchObject({ scaleResolutionDownBy: 2, maxBitrate: 250_000 }),
    );
    // Nothing is raised before the first frame is encoded.
    // Five reads of the call's stats have found no frame encoded.
    await vi.advanceTimersByTimeAsync(100);
    expect(call.encodings.at(-1)).toMatchObject({ active: true, scaleResolutionDownBy: 2 });

    call.framesEncoded = 1;
    await vi.waitFor(() =>
      expect(call.encodings.at(-1)).toMatchObject({ scaleResolutionDownBy: 1, maxBitrate: 2_500_000 }),
    );
    expect(call.encodings.map((e) => e.scaleResolutionDownBy)).toEqual([2, 1]);
    share.close();
  });

  it('on a call up while the picker was open, is the screen’s first, not the stand-in’s', async () => {
    const { share, capture, calls } = sender();
    (capture.track as { getSettings: () => object }).getSettings = () => hd;
    share.setMembers([supervisor('lee')]);
    share.prepare(standIn());
    const call = calls[0]!;
    call.connect();
    call.receive(bigTile);
    // The stand-in's one frame was encoded once the call was up.
    call.framesEncoded = 1;
    share.setCapture(capture);
    await vi.waitFor(() => expect(call.track).toBe(capture.track));
    await vi.waitFor(() => expect(call.encodings.at(-1)).toMatchObject({ scaleResolutionDownBy: 2 }));
    // Five reads of the call's stats have found no frame encoded.
    await vi.advanceTimersByTimeAsync(100);
    expect(call.encodings.at(-1)).toMatchObject({ scaleResolutionDownBy: 2 });

    call.framesEncoded = 2;
    await vi.waitFor(() => expect(call.encodings.at(-1)).toMatchObject({ scaleResolutionDownBy: 1 }));
    share.close();
  });

  it('on a call placed while the picker is open, is set up for the stand-in, the screen’s size, before the choice', async () => {
    const { share, capture, calls } = sender();
    (capture.track as { getSettings: () => object }).getSettings = () => hd;
    share.setMembers([supervisor('lee')]);
    share.prepare(standIn(hd));
    const call = calls[0]!;
    call.negotiate();
    await vi.waitFor(() => expect(call.encodings).toHaveLength(1));
    expect(call.encodings[0]).toMatchObject({ scaleResolutionDownBy: 2, maxFramerate: 30 });
    // The student picks the whole screen: the encoder needs no other setting for its first frame.
    call.connect();
    share.setCapture(capture);
    await vi.waitFor(() => expect(call.track).toBe(capture.track));
    await vi.advanceTimersByTimeAsync(20);
    expect(call.encodings).toHaveLength(1);
    share.close();
  });

  it('is not made larger than a small tile asks for', async () => {
    const { share, call } = sharing();
    call.receive(
      JSON.stringify({ type: 'view', level: 'thumbnail', visible: true, widthPx: 300, heightPx: 169, tilesShown: 12 }),
    );
    await vi.waitFor(() =>
      expect(call.encodings.at(-1)).toMatchObject({ scaleResolutionDownBy: 4, maxBitrate: 90_000 }),
    );
    call.framesEncoded = 1;
    // Five reads of the call's stats have found no frame encoded.
    await vi.advanceTimersByTimeAsync(100);
    expect(call.encodings.at(-1)).toMatchObject({ scaleResolutionDownBy: 4, maxBitrate: 90_000, maxFramerate: 2 });
    share.close();
  });
});
