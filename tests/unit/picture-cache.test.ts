import { describe, expect, it } from 'vitest';
import { PictureCache } from '../../server/relay/worker/picture-cache.ts';

/** A packet of `bytes` bytes of the frame at `timestamp`. */
const packet = (timestamp: number, bytes: number, id = `${timestamp}/${bytes}`) => ({
  id,
  payload: { length: bytes },
  header: { timestamp },
});

describe('the picture a relayed leg holds for viewers who start after its keyframe', () => {
  it('holds nothing before a keyframe, then the keyframe and the frames after it', () => {
    const cache = new PictureCache();
    cache.add(packet(100, 500), false);
    expect(cache.packets).toEqual([]);
    const key = [packet(200, 1000, 'k1'), packet(200, 1000, 'k2')];
    cache.add(key[0]!, true);
    cache.add(key[1]!, false);
    const delta = packet(300, 400);
    cache.add(delta, false);
    expect(cache.packets).toEqual([...key, delta]);
  });

  it('starts again at each keyframe', () => {
    const cache = new PictureCache();
    cache.add(packet(1, 1000), true);
    cache.add(packet(2, 100), false);
    const key = packet(3, 900);
    cache.add(key, true);
    expect(cache.packets).toEqual([key]);
  });

  it('lets go once the frames since the keyframe outweigh it, until the next keyframe', () => {
    const cache = new PictureCache();
    cache.add(packet(1, 1000), true);
    cache.add(packet(2, 600), false);
    cache.add(packet(3, 500), false);
    expect(cache.packets).toEqual([]);
    cache.add(packet(4, 10), false);
    expect(cache.packets).toEqual([]);
    const key = packet(5, 800);
    cache.add(key, true);
    expect(cache.packets).toEqual([key]);
  });

  it('never holds more than its cap, however large the keyframe', () => {
    const cache = new PictureCache(4000);
    cache.add(packet(1, 1200), true);
    cache.add(packet(1, 1200), false);
    cache.add(packet(1, 1200), false);
    expect(cache.packets).toHaveLength(3);
    cache.add(packet(1, 1200), false);
    expect(cache.packets).toEqual([]);
  });

  it('holds nothing once cleared, until the next keyframe', () => {
    const cache = new PictureCache();
    cache.add(packet(1, 1000), true);
    cache.clear();
    cache.add(packet(2, 10), false);
    expect(cache.packets).toEqual([]);
  });
});
