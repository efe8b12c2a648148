/**
 * HTTP hygiene: security headers on every response, no X-Powered-By, PeerServer's CORS same-origin
 * only, requests Node refuses answered as JSON, and the app's files sent compressed.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../src/shared/protocol.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'web-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(webDir, 'assets', 'app.js'), `export const filler = ${JSON.stringify('abc '.repeat(20_000))};`);
  server = await startTestServer({ RELAY_MODE: 'off' }, { webDir });
});
afterAll(async () => {
  await server.close();
  rmSync(webDir, { recursive: true });
});

/** A raw request: status, headers and body as they crossed the wire (no decompression). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(`${server.url}${path}`, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

/** Sends bytes on a fresh TCP connection and returns everything the server answered. */
function rawTcp(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (d) => (answer += String(d)));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('security headers', () => {
  it('are on the app shell, the API and PeerServer, without X-Powered-By', async () => {
    for (const path of ['/', '/join/ABCDEF', '/api/health', '/peerjs', '/api/nope']) {
      const { headers } = await raw(path, { accept: 'text/html' });
      const csp = String(headers['content-security-policy']);
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['referrer-policy'], path).toBe('no-referrer');
      expect(headers['permissions-policy'], path).toContain('display-capture=(self)');
      expect(headers['x-powered-by'], path).toBeUndefined();
    }
  });

  it('keep PeerServer same-origin: no CORS grant for another origin', async () => {
    const plain = await raw('/peerjs/peerjs/id', { origin: 'http://evil.example' });
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw(
      '/peerjs/peerjs/id',
      { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
      'OPTIONS',
    );
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('requests Node refuses', () => {
  it('a URL over 16 KB gets a JSON 431', async () => {
    const reply = await raw(`/api/rooms/${'A'.repeat(17_000)}`);
    expect(reply.status).toBe(431);
    expect(reply.headers['content-type']).toContain('application/json');
    expect((JSON.parse(String(reply.body)) as ErrorBody).error).toBe('headers-too-large');
  });

  it('broken framing gets a JSON 400', async () => {
    const answer = await rawTcp('POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as ErrorBody;
    expect(body).toEqual({ error: 'invalid-request', message: expect.stringContaining('HTTP') });
    // The server is still there.
    expect((await raw('/api/health')).status).toBe(200);
  });
});

describe('the app files', () => {
  it('are sent compressed to browsers that accept it', async () => {
    const reply = await raw('/assets/app.js', { 'accept-encoding': 'br, gzip' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('br');
    expect(reply.body.length).toBeLessThan(80_000 / 10);
  });

  it('are not compressed on the API, where event streams must flow', async () => {
    const reply = await raw('/api/config', { 'accept-encoding': 'br, gzip' });
    expect(reply.headers['content-encoding']).toBeUndefined();
  });
});
