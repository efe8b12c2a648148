import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../server/core/secrets.ts';
import { NODE_FILE, openNodeFile } from '../../server/relay/host/node-file.ts';
import { workerIdentities } from '../../server/relay/host/relay-host.ts';
import { WORKER_FILE, openWorkerFile, processAlive } from '../../server/relay/host/worker-file.ts';
import { RELAY_PROTOCOL, parseFromRelayNode } from '../../server/relay/messages.ts';

// A stand-in for a worker that outlived its server: a process whose command line names the worker's entry.
const standIn = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'server/relay/worker/main.js']);
afterAll(() => void standIn.kill('SIGKILL'));

describe('the local workers’ file', () => {
  it('keeps its secret and the pids across opens, 0600, and starts afresh from a damaged file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-file-'));
    const first = await openWorkerFile(dir);
    first.record('relayA', 123);
    first.record('relayB', 456);
    first.keepOnly(['relayA']);
    const again = await openWorkerFile(dir);
    expect(again.secret).toBe(first.secret);
    expect(again.secret.length).toBeGreaterThanOrEqual(32);
    expect([again.pidOf('relayA'), again.pidOf('relayB')]).toEqual([123, null]);
    expect(statSync(join(dir, WORKER_FILE)).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, WORKER_FILE), '{"secret": "half-writ');
    const fresh = await openWorkerFile(dir);
    expect(fresh.secret).not.toBe(first.secret);
    expect(fresh.pidOf('relayA')).toBeNull();
    expect(JSON.parse(readFileSync(join(dir, WORKER_FILE), 'utf8'))).toEqual({ secret: fresh.secret, pids: {} });
  });

  it('counts a running worker process as alive, and neither another program nor a pid that is gone', () => {
    expect(processAlive(standIn.pid!)).toBe(true);
    expect(processAlive(process.pid)).toBe(false);
    expect(processAlive(2 ** 22 + 1)).toBe(false);
  });

  it('gives a worker its saved peer id only while its process outlived the server, else a new one', async () => {
    const file = await openWorkerFile(mkdtempSync(join(tmpdir(), 'relay-file-')));
    file.record('relaySurvived', standIn.pid!);
    file.record('relayDied', 2 ** 22 + 1);
    file.record('relayNoLongerConfigured', standIn.pid!);
    const [survived, died, added] = workerIdentities(3, ['relaySurvived', 'relayDied'], file);
    expect(survived!.peerId).toBe('relaySurvived');
    expect(died!.peerId).toMatch(/^relay[0-9a-f]{24}$/);
    expect(added!.peerId).toMatch(/^relay[0-9a-f]{24}$/);
    expect(file.pidOf('relaySurvived')).toBe(standIn.pid);
    expect([file.pidOf('relayDied'), file.pidOf('relayNoLongerConfigured')]).toEqual([null, null]);
  });
});

describe('a relay’s hello', () => {
  it('names a local worker with its identity, pid, protocol and version, and a node with none', () => {
    const worker = { peerId: 'relayA', pid: 42, protocol: RELAY_PROTOCOL, version: '0.1.0' };
    const hello = { type: 'hello', name: '0', cores: 2, portRange: [40000, 40099] };
    expect(parseFromRelayNode(JSON.stringify({ ...hello, worker }))).toEqual({ ...hello, worker });
    expect(parseFromRelayNode(JSON.stringify(hello))).toEqual(hello);
    // A claim missing a part is no claim: the socket is treated as a node's (and a local secret's is sent away).
    expect(parseFromRelayNode(JSON.stringify({ ...hello, worker: { peerId: 'relayA', pid: 42 } }))).toEqual(hello);
  });

  it('names a node’s previous identity when it has one, and a malformed one is no claim', () => {
    const hello = { type: 'hello', name: 'node-a', cores: 8, portRange: null };
    const previous = { peerId: 'relayB', token: 'b'.repeat(43) };
    expect(parseFromRelayNode(JSON.stringify({ ...hello, previous }))).toEqual({ ...hello, previous });
    for (const bad of [
      { peerId: 'relayB' },
      { peerId: 7, token: 'x' },
      { peerId: '', token: 'x' },
      { peerId: 'relayB', token: 'x'.repeat(129) },
      'relayB',
      null,
    ])
      expect(parseFromRelayNode(JSON.stringify({ ...hello, previous: bad }))).toEqual(hello);
  });
});

describe('the relay nodes’ file', () => {
  it('keeps each identity with its token’s hash only, 0600, across opens, and starts afresh from a damaged file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-nodes-'));
    const first = await openNodeFile(dir);
    expect(first.saved).toEqual([]);
    const token = 'a-secret-token-of-the-node-0123456789abcdef';
    first.record({ peerId: 'relayN1', tokenHash: hashToken(token), name: 'lab-pc' });
    first.record({ peerId: 'relayN2', tokenHash: hashToken('other'), name: 'lab-pc-2' });
    first.forget('relayN2');
    const text = readFileSync(join(dir, NODE_FILE), 'utf8');
    expect(text).not.toContain(token);
    expect(statSync(join(dir, NODE_FILE)).mode & 0o777).toBe(0o600);
    expect((await openNodeFile(dir)).saved).toEqual([
      { peerId: 'relayN1', tokenHash: hashToken(token), name: 'lab-pc' },
    ]);
    writeFileSync(join(dir, NODE_FILE), '{"nodes": [{"peerId": "relayN1", "tok');
    expect((await openNodeFile(dir)).saved).toEqual([]);
  });
});
