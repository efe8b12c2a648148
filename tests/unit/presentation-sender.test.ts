import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresentationSender, PresentationViewer } from '../../src/client/media/presentation.ts';
import { parseSupervisorMessage } from '../../src/shared/protocol.ts';
import { FakeCall, fakePeer } from '../helpers/fake-calls.ts';

const RELAY = 'relay-peer';
const SHOWN = { presentationId: 'pr1', name: 'Ms Lee' };
const STANDING = { presentationId: 'standby', name: '', standing: true };

/** Ms Lee's presentation sender, with the calls it places, her screen, and the stand-ins it stopped. */
function presenter() {
  const { peer, calls } = fakePeer();
  const stopped: unknown[] = [];
  const standIn = () => {
    const track = { kind: 'video', stop: () => stopped.push(track) };
    return { track, getTracks: () => [track] } as unknown as MediaStream;
  };
  const sender = new PresentationSender(peer, standIn);
  const screenTrack = { kind: 'video', contentHint: 'detail', getSettings: () => ({ width: 1280, height: 720 }) };
  const screen = { getVideoTracks: () => [screenTrack] } as unknown as MediaStream;
  const open = (peerId: string) => calls.filter((c) => c.peer === peerId && !c.closed);
  return { sender, calls, open, screen, screenTrack, stopped };
}

describe('a supervisor’s standing call to the relay', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('is placed before anything is shown, sends nothing, and carries what she shows with no call placed', () => {
    const { sender, calls, open, screen, screenTrack } = presenter();
    sender.standBy(RELAY);
    expect(calls.map((c) => [c.peer, c.metadata])).toEqual([[RELAY, STANDING]]);
    const [standing] = calls;
    const standIn = standing!.track;
    standing!.connect();
    expect(standing!.track).toBe(standIn);

    // A student who cannot reach the relay is called directly; the relay gets the screen on the standing call.
    sender.update(SHOWN, screen, [RELAY, 'peer-bo']);
    expect(calls.slice(1).map((c) => [c.peer, c.metadata])).toEqual([['peer-bo', SHOWN]]);
    expect(standing!.track).toBe(screenTrack);

    sender.update(null, null, []);
    expect(standing!.track).toBeNull();
    expect(open(RELAY)).toEqual([standing]);
    expect(open('peer-bo')).toEqual([]);
    sender.close();
  });

  it('is not used for a presentation that started before it was up, which keeps a call of its own', () => {
    const { sender, calls, open, screen, screenTrack } = presenter();
    sender.standBy(RELAY);
    const [standing] = calls;
    sender.update(SHOWN, screen, [RELAY]);
    const own = calls[1];
    expect([own?.peer, own?.metadata]).toEqual([RELAY, SHOWN]);
    standing!.connect();
    expect(standing!.track).not.toBe(screenTrack);
    expect(open(RELAY)).toEqual([standing, own]);
    sender.close();
  });

  it('dropping mid-presentation, hands the screen to a call of its own at once, and is placed again after a pause', async () => {
    const { sender, calls, open, screen, stopped } = presenter();
    sender.standBy(RELAY);
    const [standing] = calls;
    const standIn = standing!.track;
    standing!.connect();
    sender.update(SHOWN, screen, [RELAY]);
    standing!.end();
    expect(stopped).toEqual([standIn]);
    expect(open(RELAY).map((c) => c.metadata)).toEqual([SHOWN]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(open(RELAY).map((c) => c.metadata)).toEqual([SHOWN, STANDING]);
    sender.close();
  });

  it('is kept, but not placed, while the room has nobody on its stage a moment', () => {
    const { sender, calls, open } = presenter();
    sender.standBy(RELAY, false);
    expect(calls).toEqual([]);
    sender.standBy(RELAY);
    calls[0]!.connect();
    // Every member reconnecting after an app server restart: nobody on the stage until they are back.
    sender.standBy(RELAY, false);
    expect(open(RELAY)).toEqual([calls[0]]);
    sender.close();
  });

  it('is hung up when the room no longer shows through the relay, and its stand-in stopped', () => {
    const { sender, calls, open, stopped } = presenter();
    sender.standBy(RELAY);
    sender.standBy(null);
    expect(open(RELAY)).toEqual([]);
    expect(stopped).toEqual([calls[0]!.track]);
  });
});

describe('the shown screen’s first frame', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  it('goes on the standing call no larger than a thumbnail, and the screen at full size after it', async () => {
    const { sender, calls, screen, screenTrack } = presenter();
    sender.standBy(RELAY);
    const [standing] = calls;
    standing!.connect();
    // The stand-in once sent a frame: only frames after the screen went on count.
    standing!.framesEncoded = 1;
    sender.update(SHOWN, screen, [RELAY]);
    expect(standing!.track).toBe(screenTrack);
    await vi.waitFor(() =>
      expect(standing!.encodings).toEqual([{ active: true, scaleResolutionDownBy: 2, maxBitrate: 250_000 }]),
    );
    // Five reads of the call's stats have found no frame encoded.
    await vi.advanceTimersByTimeAsync(100);
    expect(standing!.encodings).toHaveLength(1);

    standing!.framesEncoded = 2;
    await vi.waitFor(() => expect(standing!.encodings.at(-1)).toEqual({ active: true, scaleResolutionDownBy: 1 }));
    sender.close();
  });

  it('goes on a call of its own no larger than a thumbnail once negotiated, then at full size', async () => {
    const { sender, calls, screen } = presenter();
    sender.update(SHOWN, screen, ['peer-bo']);
    const [call] = calls;
    call!.negotiate();
    await vi.waitFor(() =>
      expect(call!.encodings).toEqual([{ active: true, scaleResolutionDownBy: 2, maxBitrate: 250_000 }]),
    );
    call!.framesEncoded = 1;
    await vi.waitFor(() => expect(call!.encodings.at(-1)).toEqual({ active: true, scaleResolutionDownBy: 1 }));
    sender.close();
  });
});

describe('a student’s viewer on the relay’s standing call', () => {
  it('tells the relay it shows nothing until the viewer shows the stream, then each change', () => {
    const viewer = new PresentationViewer(() => undefined);
    const call = new FakeCall(RELAY, {});
    viewer.onCall(call.connection(), 'VP8', true);
    viewer.watching(true);
    viewer.watching(true);
    viewer.watching(false);
    expect(call.sent.map((m) => parseSupervisorMessage(m))).toMatchObject([
      { type: 'view', visible: false },
      { type: 'view', visible: true },
      { type: 'view', visible: false },
    ]);
    // A presentation's own call (peer to peer) is told nothing: the presenter sends to each student anyway.
    const own = new FakeCall('peer-lee', {});
    viewer.onCall(own.connection(), 'VP8', false);
    viewer.watching(true);
    expect(own.sent).toEqual([]);
    viewer.leave();
  });
});
