import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IceRenewal, RENEW_MIN_MS, renewalDelayMs } from '../../src/client/room/ice-renewal.ts';
import type { IceServersResponse } from '../../src/shared/protocol.ts';

const TTL_S = 600;

/** A reply with TURN credentials numbered `n`, valid for `expiresInS`. */
function reply(n: number, expiresInS: number | null = TTL_S): IceServersResponse {
  return { iceServers: [{ urls: 'turn:turn.school.example:3478', username: `u${n}`, credential: 'c' }], expiresInS };
}

/** A fake server: answers each fetch with the next scripted result and records when it was asked. */
function fakeServer(results: (IceServersResponse | null | 'offline')[]) {
  const askedAtMs: number[] = [];
  const fetch = () => {
    askedAtMs.push(Date.now());
    const next = results.length > 0 ? results.shift()! : 'offline';
    return next === 'offline' ? Promise.reject(new Error('offline')) : Promise.resolve(next);
  };
  return { askedAtMs, fetch };
}

describe('renewalDelayMs, when to fetch TURN credentials again', () => {
  it('waits half the time they have left', () => {
    expect(renewalDelayMs(1_000_000 + TTL_S * 1000, 1_000_000)).toBe(300_000);
    expect(renewalDelayMs(1_000_000 + 300_000, 1_000_000)).toBe(150_000);
  });

  it('never asks more often than RENEW_MIN_MS, even once they have expired', () => {
    expect(renewalDelayMs(1_000_000 + 15_000, 1_000_000)).toBe(RENEW_MIN_MS);
    expect(renewalDelayMs(1_000_000, 1_000_000)).toBe(RENEW_MIN_MS);
    expect(renewalDelayMs(1_000_000, 5_000_000)).toBe(RENEW_MIN_MS);
  });
});

describe('IceRenewal, the member’s ICE servers while the seat lasts', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('fetches again halfway to each expiry and hands every new set to the media layer', async () => {
    const server = fakeServer([reply(1), reply(2), reply(3)]);
    const renewed: string[] = [];
    const renewal = new IceRenewal(
      server.fetch,
      (s) => renewed.push(s[0]!.username!),
      () => undefined,
    );
    expect((await renewal.start())?.[0]?.username).toBe('u1');
    await vi.advanceTimersByTimeAsync(300_000 - 1);
    expect(renewed).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(renewed).toEqual(['u2']);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(renewed).toEqual(['u2', 'u3']);
    expect(server.askedAtMs).toEqual([1_000_000, 1_300_000, 1_600_000]);
    expect(renewal.current?.[0]?.username).toBe('u3');
    renewal.stop();
  });

  it('retries a failed renewal in halving steps that all fall before the credentials expire', async () => {
    const server = fakeServer([reply(1), 'offline', 'offline', reply(2)]);
    const renewed: string[] = [];
    const renewal = new IceRenewal(
      server.fetch,
      (s) => renewed.push(s[0]!.username!),
      () => undefined,
    );
    await renewal.start();
    await vi.advanceTimersByTimeAsync(600_000);
    // 300 s in (300 s left), then 150 s later (150 left), then 75 s later: renewed with 75 s to spare.
    expect(server.askedAtMs.map((t) => (t - 1_000_000) / 1000)).toEqual([0, 300, 450, 525]);
    expect(renewed).toEqual(['u2']);
    renewal.stop();
  });

  it('starts media with null when the first fetch fails, and renews soon after', async () => {
    const server = fakeServer(['offline', reply(1)]);
    const renewed: string[] = [];
    const renewal = new IceRenewal(
      server.fetch,
      (s) => renewed.push(s[0]!.username!),
      () => undefined,
    );
    expect(await renewal.start()).toBeNull();
    await vi.advanceTimersByTimeAsync(RENEW_MIN_MS);
    expect(renewed).toEqual(['u1']);
    renewal.stop();
  });

  it('stops, and says so, once the seat is gone', async () => {
    const server = fakeServer([reply(1), null, reply(2)]);
    let gone = 0;
    const renewal = new IceRenewal(
      server.fetch,
      () => undefined,
      () => gone++,
    );
    await renewal.start();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(gone).toBe(1);
    expect(server.askedAtMs).toHaveLength(2);
  });

  it('asks nothing more when nothing expires (no TURN), and nothing after stop', async () => {
    const noTurn = fakeServer([reply(1, null)]);
    await new IceRenewal(
      noTurn.fetch,
      () => undefined,
      () => undefined,
    ).start();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(noTurn.askedAtMs).toHaveLength(1);

    const stopped = fakeServer([reply(1), reply(2)]);
    const renewal = new IceRenewal(
      stopped.fetch,
      () => undefined,
      () => undefined,
    );
    await renewal.start();
    renewal.stop();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(stopped.askedAtMs).toHaveLength(1);
  });

  it('counts expiry by this device’s clock from when it asked, since the credentials cannot be older', async () => {
    // The reply takes 20 s: the 600 s count from the request, so 580 s are left at the reply and
    // renewal comes halfway through them, 290 s after it.
    const slow = () => new Promise<IceServersResponse>((resolve) => setTimeout(() => resolve(reply(1)), 20_000));
    let asked = 0;
    const renewal = new IceRenewal(
      () => (asked++ === 0 ? slow() : Promise.resolve(reply(2))),
      () => undefined,
      () => undefined,
    );
    const first = renewal.start();
    await vi.advanceTimersByTimeAsync(20_000);
    await first;
    await vi.advanceTimersByTimeAsync(290_000 - 1);
    expect(asked).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toBe(2);
    renewal.stop();
  });
});
