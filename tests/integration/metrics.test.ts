import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createRoom, join } from '../helpers/client.ts';
import { connectPeer, type PeerSocket } from '../helpers/peer.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const TOKEN = 'metrics-token-for-the-test-0001';
let server: TestServer;
const sockets: PeerSocket[] = [];

beforeAll(async () => {
  server = await startTestServer({
    METRICS_TOKEN: TOKEN,
    RELAY_MODE: 'always',
    RELAY_WORKERS: '2',
    RELAY_ANNOUNCED_IPS: '127.0.0.1',
    STORE_URL: '',
    DATA_DIR: mkdtempSync(joinPath(tmpdir(), 'classroom-metrics-')),
  });
  for (let i = 0; i < 150 && !server.relay?.up; i++) await new Promise((r) => setTimeout(r, 100));
}, 30_000);
afterAll(async () => {
  for (const s of sockets) s.ws.close();
  await server.close();
});

const scrape = (authorization?: string) =>
  fetch(`${server.url}/metrics`, authorization ? { headers: { authorization } } : {});

/** The value of one sample line, e.g. `classroom_relay_rooms{worker="0"}`. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('GET /metrics', () => {
  it('refuses a scraper without the token, or with another, saying what to send', async () => {
    for (const res of [await scrape(), await scrape(`Bearer ${TOKEN}x`), await scrape(TOKEN)]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: 'unauthorized',
        message: 'Send the METRICS_TOKEN as a bearer token (Authorization: Bearer …).',
      });
    }
  });

  it('is not there at all without METRICS_TOKEN', async () => {
    const off = await startTestServer({ RELAY_MODE: 'off' });
    try {
      expect((await fetch(`${off.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('counts rooms, members, relayed streams per worker, joins and saves after a class joins', async () => {
    const { room, member: host } = await createRoom(server.url);
    const students = [];
    for (let i = 0; i < 30; i++) students.push(await join(server.url, room.code, `S${i}`));
    for (const m of [host, ...students.slice(0, 3)]) {
      const socket = await connectPeer(server.url, m.peerId, m.token);
      await socket.waitFor('OPEN');
      sockets.push(socket);
    }
    for (const s of students.slice(0, 3))
      await call(server.url, 'PUT', `/api/rooms/${room.code}/members/me/share`, {
        token: s.token,
        body: { sharing: true },
      });
    // Saves trail changes (by 100 ms, longer on a busy machine): scrape until one is counted.
    let text = '';
    await expect
      .poll(
        async () => {
          const res = await scrape(`Bearer ${TOKEN}`);
          expect(res.status).toBe(200);
          expect(res.headers.get('content-type')).toContain('text/plain');
          text = await res.text();
          return sample(text, 'classroom_store_save_duration_seconds_count');
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(0);
    expect(sample(text, 'classroom_rooms')).toBe(1);
    expect(sample(text, 'classroom_members{role="student",connected="true"}')).toBe(3);
    expect(sample(text, 'classroom_members{role="student",connected="false"}')).toBe(27);
    expect(sample(text, 'classroom_members{role="supervisor",connected="true"}')).toBe(1);
    // The first room goes to worker 0: three sharing students, one supervisor receiving them through it.
    expect(sample(text, 'classroom_relay_rooms{worker="0"}')).toBe(1);
    expect(sample(text, 'classroom_relay_rooms{worker="1"}')).toBe(0);
    expect(sample(text, 'classroom_relay_streams{worker="0"}')).toBe(3);
    expect(sample(text, 'classroom_relay_streams{worker="1"}')).toBe(0);
    expect(sample(text, 'classroom_relay_worker_up{worker="0"}')).toBe(1);
    expect(sample(text, 'classroom_relay_worker_up{worker="1"}')).toBe(1);
    expect(sample(text, 'classroom_join_duration_seconds_count')).toBe(30);
    for (const name of [
      'classroom_relay_forwarded_packets_total{worker="0"}',
      'classroom_relay_forwarded_packets_per_second{worker="1"}',
      'classroom_relay_cpu_ratio{worker="0"}',
    ])
      expect(sample(text, name), name).toBeGreaterThanOrEqual(0);
    // The relay processes report their CPU once a second: something above nothing.
    for (let i = 0; i < 50 && !server.relay!.workers.every((w) => w.stats.cpuSeconds > 0); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(server.relay!.workers.map((w) => w.stats.cpuSeconds > 0)).toEqual([true, true]);
  });
});
