import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RETRY_FIRST_MS, ShareSync } from '../../src/client/room/share-sync.ts';

/** A fake server: records each request and answers with the next scripted result. */
function fakeServer(results: ('ok' | 'fail')[] = []) {
  const sent: { sharing: boolean; keepalive: boolean }[] = [];
  const send = (sharing: boolean, keepalive: boolean) => {
    sent.push({ sharing, keepalive });
    return (results.shift() ?? 'ok') === 'ok' ? Promise.resolve() : Promise.reject(new Error('offline'));
  };
  return { sent, send };
}

describe('ShareSync, the one owner of the sharing flag', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends nothing while the server already agrees with the capture', async () => {
    const server = fakeServer();
    const sync = new ShareSync(server.send);
    sync.setServer(false);
    sync.setCapture(false);
    await vi.runAllTimersAsync();
    expect(server.sent).toEqual([]);
    expect(sync.settled).toBe(true);
  });

  it('retries a lost update with backoff until the server agrees with the capture', async () => {
    const server = fakeServer(['fail', 'fail', 'ok']);
    const sync = new ShareSync(server.send);
    sync.setServer(false);
    sync.setCapture(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(server.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(RETRY_FIRST_MS);
    expect(server.sent).toHaveLength(2);
    // The second wait is twice the first.
    await vi.advanceTimersByTimeAsync(RETRY_FIRST_MS);
    expect(server.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(RETRY_FIRST_MS);
    expect(server.sent).toEqual([
      { sharing: true, keepalive: false },
      { sharing: true, keepalive: false },
      { sharing: true, keepalive: false },
    ]);
    expect(sync.settled).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sent).toHaveLength(3);
  });

  it('sends the capture’s latest state when it changed while a request was on its way', async () => {
    const server = fakeServer();
    const sync = new ShareSync(server.send);
    sync.setServer(false);
    sync.setCapture(true);
    sync.setCapture(false);
    sync.setCapture(true);
    await vi.runAllTimersAsync();
    expect(server.sent.map((s) => s.sharing)).toEqual([true]);
    sync.setCapture(false);
    await vi.runAllTimersAsync();
    expect(server.sent.map((s) => s.sharing)).toEqual([true, false]);
  });

  it('corrects a server that disagrees after a reconnect (a snapshot says sharing, the capture is gone)', async () => {
    const server = fakeServer();
    const sync = new ShareSync(server.send);
    sync.setCapture(false);
    sync.setServer(true);
    await vi.runAllTimersAsync();
    expect(server.sent).toEqual([{ sharing: false, keepalive: false }]);
  });

  it('says "stopped" with a keepalive request when the page goes away while sharing', async () => {
    const server = fakeServer();
    const sync = new ShareSync(server.send);
    sync.setServer(true);
    sync.setCapture(true);
    sync.pageHide();
    await vi.runAllTimersAsync();
    expect(server.sent).toEqual([{ sharing: false, keepalive: true }]);
    // Nothing is sent for a page that was not sharing.
    const idle = fakeServer();
    const other = new ShareSync(idle.send);
    other.setServer(false);
    other.setCapture(false);
    other.pageHide();
    expect(idle.sent).toEqual([]);
  });

  it('does not take a dying capture’s last reports as sharing again after the page is hidden', async () => {
    const server = fakeServer();
    const sync = new ShareSync(server.send);
    sync.setServer(true);
    sync.setCapture(true);
    sync.pageHide();
    // The server's "stopped" event, then the media layer still reporting the old capture as connections close.
    sync.setServer(false);
    sync.setCapture(true);
    await vi.runAllTimersAsync();
    expect(server.sent).toEqual([{ sharing: false, keepalive: true }]);
    // Back from the back/forward cache with the capture still running: sharing again.
    sync.pageShow(true);
    await vi.runAllTimersAsync();
    expect(server.sent.at(-1)).toEqual({ sharing: true, keepalive: false });
  });

  it('stops retrying once disposed', async () => {
    const server = fakeServer(['fail', 'fail', 'fail']);
    const sync = new ShareSync(server.send);
    sync.setServer(false);
    sync.setCapture(true);
    await vi.advanceTimersByTimeAsync(0);
    sync.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.sent).toHaveLength(1);
  });
});
