import { describe, expect, it } from 'vitest';
import {
  CONNECT_CAP_MS,
  ConnectWatchdog,
  HandshakeQueue,
  STALL_MS,
  type Handshake,
  type Timers,
} from '../../server/relay/worker/handshakes.ts';
import { KEYFRAME_AWAITED_MS, PLI_MIN_INTERVAL_MS, keyframeRequestDue } from '../../server/relay/worker/publisher.ts';
import { RetryBackoff, Subscriber, type SubscriberEvents } from '../../server/relay/worker/subscriber.ts';
import { RTCPeerConnection } from 'werift';

/** Timers on a clock the test moves. */
function manualTimers() {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    setTimeout(run, ms) {
      due.set(++next, { at: now + ms, run });
      return next;
    },
    clearTimeout(timer) {
      due.delete(timer as number);
    },
  };
  /** Moves the clock on by `ms`, running each timer that falls due, in time order. */
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const first = [...due].sort(([, a], [, b]) => a.at - b.at)[0];
      if (!first || first[1].at > until) break;
      due.delete(first[0]);
      now = first[1].at;
      first[1].run();
    }
    now = until;
  };
  return { timers, advance, pending: () => due.size };
}

describe('giving up on a call coming up', () => {
  it('gives up a call that does not advance for STALL_MS', () => {
    const { timers, advance } = manualTimers();
    let givenUp = 0;
    new ConnectWatchdog(() => givenUp++, timers);
    advance(STALL_MS - 1);
    expect(givenUp).toBe(0);
    advance(1);
    expect(givenUp).toBe(1);
  });

  it('waits for a slow handshake as long as each step comes within STALL_MS', () => {
    const { timers, advance } = manualTimers();
    let givenUp = 0;
    const watchdog = new ConnectWatchdog(() => givenUp++, timers);
    // Answer, ICE checking, ICE connected, DTLS connecting: each 8 s after the one before, 24 s in all.
    for (let step = 0; step < 3; step++) {
      advance(8000);
      watchdog.progressed();
    }
    expect(givenUp).toBe(0);
    advance(STALL_MS);
    expect(givenUp).toBe(1);
  });

  it('gives up after CONNECT_CAP_MS however it advances, and only once', () => {
    const { timers, advance } = manualTimers();
    let givenUp = 0;
    const watchdog = new ConnectWatchdog(() => givenUp++, timers);
    for (let at = 0; at < CONNECT_CAP_MS - 1000; at += 1000) {
      advance(1000);
      watchdog.progressed();
    }
    expect(givenUp).toBe(0);
    advance(1000);
    expect(givenUp).toBe(1);
    watchdog.progressed();
    advance(2 * STALL_MS);
    expect(givenUp).toBe(1);
  });

  it('never gives up a call once it came up, and leaves no timer behind', () => {
    const { timers, advance, pending } = manualTimers();
    let givenUp = 0;
    const watchdog = new ConnectWatchdog(() => givenUp++, timers);
    advance(STALL_MS - 1);
    watchdog.stop();
    watchdog.progressed();
    expect(pending()).toBe(0);
    advance(CONNECT_CAP_MS);
    expect(givenUp).toBe(0);
  });
});

/** A handshake that notes when it started, in the order the queue started them. */
function handshake(name: string, started: string[], retries = 0): Handshake & { name: string } {
  return { name, retries, start: () => started.push(name) };
}

describe('handshakes a few at a time', () => {
  it('runs at most `limit` at once and starts the next as each ends', () => {
    const started: string[] = [];
    const queue = new HandshakeQueue(2);
    const calls = ['a', 'b', 'c', 'd'].map((name) => handshake(name, started));
    for (const call of calls) queue.add(call);
    expect(started).toEqual(['a', 'b']);
    expect(queue.sizes).toEqual({ running: 2, waiting: 2 });
    queue.done(calls[1]!);
    expect(started).toEqual(['a', 'b', 'c']);
    queue.done(calls[0]!);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    expect(queue.sizes).toEqual({ running: 2, waiting: 0 });
  });

  it('puts fresh calls before retries, and keeps each kind in the order it came', () => {
    const started: string[] = [];
    const queue = new HandshakeQueue(1);
    const calls = new Map(
      (
        [
          ['first', 0],
          ['retry-twice', 2],
          ['retry-once', 1],
          ['fresh-1', 0],
          ['fresh-2', 0],
          ['retry-once-later', 1],
        ] as const
      ).map(([name, retries]) => [name, handshake(name, started, retries)]),
    );
    for (const call of calls.values()) queue.add(call);
    // One at a time: each ends as soon as it started, and the next starts.
    while (queue.sizes.running > 0) queue.done(calls.get(started.at(-1) as never)!);
    expect(started).toEqual(['first', 'fresh-1', 'fresh-2', 'retry-once', 'retry-once-later', 'retry-twice']);
  });

  it('lets a call hung up while waiting go without ever starting it, and frees a running one’s place', () => {
    const started: string[] = [];
    const queue = new HandshakeQueue(1);
    const [a, b, c] = ['a', 'b', 'c'].map((name) => handshake(name, started));
    queue.add(a!);
    queue.add(b!);
    queue.add(c!);
    queue.done(b!);
    expect(queue.sizes).toEqual({ running: 1, waiting: 1 });
    queue.done(a!);
    expect(started).toEqual(['a', 'c']);
    // Ending one twice, or one it never had, frees nothing more.
    queue.done(a!);
    queue.done(b!);
    expect(queue.sizes).toEqual({ running: 1, waiting: 0 });
  });
});

describe('keyframe requests upstream', () => {
  it('asks at once for the first viewer', () => {
    expect(keyframeRequestDue({ urgent: true, nowMs: 0, lastRequestAtMs: null, keyframeSinceRequest: false })).toBe(
      true,
    );
  });

  it('lets viewers that start while a keyframe is on its way wait for it, and asks again if none comes', () => {
    const waiting = { urgent: true, lastRequestAtMs: 10_000, keyframeSinceRequest: false };
    expect(keyframeRequestDue({ ...waiting, nowMs: 10_000 + 300 })).toBe(false);
    expect(keyframeRequestDue({ ...waiting, nowMs: 10_000 + KEYFRAME_AWAITED_MS - 1 })).toBe(false);
    expect(keyframeRequestDue({ ...waiting, nowMs: 10_000 + KEYFRAME_AWAITED_MS })).toBe(true);
  });

  it('asks at once for a viewer that starts after the keyframe asked for arrived', () => {
    expect(
      keyframeRequestDue({ urgent: true, nowMs: 10_050, lastRequestAtMs: 10_000, keyframeSinceRequest: true }),
    ).toBe(true);
  });

  it('passes a viewer’s own requests on at most every PLI_MIN_INTERVAL_MS', () => {
    const own = { urgent: false, lastRequestAtMs: 10_000, keyframeSinceRequest: true };
    expect(keyframeRequestDue({ ...own, nowMs: 10_000 + PLI_MIN_INTERVAL_MS - 1 })).toBe(false);
    expect(keyframeRequestDue({ ...own, nowMs: 10_000 + PLI_MIN_INTERVAL_MS })).toBe(true);
  });
});

describe('retries per pair', () => {
  it('counts the failures of a pair until it comes up', () => {
    const backoff = new RetryBackoff(() => undefined);
    expect(backoff.failures('s1/t1')).toBe(0);
    backoff.failed('s1/t1', 0);
    backoff.failed('s1/t1', 5000);
    expect(backoff.failures('s1/t1')).toBe(2);
    expect(backoff.failures('s2/t1')).toBe(0);
    backoff.forget('s1/t1');
    expect(backoff.failures('s1/t1')).toBe(0);
    backoff.close();
  });
});

describe('a call to a viewer', () => {
  /** A subscriber on a werift connection that is never offered, with what it told the relay. */
  function subscriber(timers: Timers) {
    const told: string[] = [];
    const note = (what: string) => () => {
      told.push(what);
    };
    const events: SubscriberEvents = {
      place: note('place'),
      opened: note('opened'),
      connected: note('connected'),
      failed: note('failed'),
      keyframeNeeded: note('keyframeNeeded'),
      viewChanged: note('viewChanged'),
      closed: note('closed'),
    };
    const want = { sourceId: 'presentation:p1', viewerId: 's1', peerId: 'p-s1', presentation: null };
    const call = new Subscriber('presentation:p1/s1', want, new RTCPeerConnection(), events, 0, timers);
    return { call, told };
  }

  it('is not given up while it waits for its turn, and is offered when its turn comes', () => {
    const { timers, advance } = manualTimers();
    const { call, told } = subscriber(timers);
    advance(CONNECT_CAP_MS);
    expect(told).toEqual([]);
    call.start();
    expect(told).toEqual(['place']);
    call.close();
  });

  it('is given up STALL_MS after its last step forward', () => {
    const { timers, advance } = manualTimers();
    const { call, told } = subscriber(timers);
    call.start();
    advance(STALL_MS - 1000);
    call.candidateArrived();
    advance(STALL_MS - 1000);
    expect(told).toEqual(['place']);
    advance(1000);
    expect(told).toEqual(['place', 'failed']);
    call.close();
  });

  it('hung up while waiting, it is never offered', () => {
    const { timers, advance } = manualTimers();
    const { call, told } = subscriber(timers);
    call.close();
    call.start();
    advance(CONNECT_CAP_MS);
    expect(told).toEqual(['closed']);
  });
});
