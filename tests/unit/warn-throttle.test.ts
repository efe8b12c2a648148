import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_THROTTLED_KEYS, OTHER_KEYS, WarnThrottle } from '../../server/warn-throttle.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('WarnThrottle', () => {
  it('writes the first warning of a key at once and the count of the rest when the interval ends', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: [string, number][] = [];
    const throttle = new WarnThrottle(60_000, (key, count) => lines.push([key, count]));
    for (let i = 0; i < 4000; i++) throttle.warn('198.51.100.7');
    throttle.warn('198.51.100.8');
    expect(lines).toEqual([
      ['198.51.100.7', 1],
      ['198.51.100.8', 1],
    ]);
    vi.advanceTimersByTime(60_000);
    expect(lines.slice(2)).toEqual([['198.51.100.7', 3999]]);
    // A new interval starts with the next warning, written at once again.
    throttle.warn('198.51.100.7');
    expect(lines.slice(3)).toEqual([['198.51.100.7', 1]]);
    throttle.close();
  });

  it('counts keys past MAX_THROTTLED_KEYS together, so a flood from many addresses is still a few lines', () => {
    vi.useFakeTimers({ now: 0 });
    const lines: [string, number][] = [];
    const throttle = new WarnThrottle(60_000, (key, count) => lines.push([key, count]));
    for (let i = 0; i < MAX_THROTTLED_KEYS + 500; i++) throttle.warn(`2001:db8::${i.toString(16)}`);
    expect(lines).toHaveLength(MAX_THROTTLED_KEYS + 1);
    expect(lines.at(-1)).toEqual([OTHER_KEYS, 1]);
    vi.advanceTimersByTime(60_000);
    expect(lines.at(-1)).toEqual([OTHER_KEYS, 499]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
