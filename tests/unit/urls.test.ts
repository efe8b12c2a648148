import { describe, expect, it } from 'vitest';
import { loopbackPeerUrl, publicUrl } from '../../server/http/urls.ts';

const tls = { certFile: 'c', keyFile: 'k' };

describe('server URLs', () => {
  it('shows an any-interface bind as localhost, and dials it on 127.0.0.1', () => {
    expect(publicUrl({ host: '0.0.0.0', tls: null }, 3000)).toBe('http://localhost:3000');
    expect(publicUrl({ host: '::', tls }, 443)).toBe('https://localhost:443');
    expect(loopbackPeerUrl({ host: '::', tls: null }, 3000)).toBe('ws://127.0.0.1:3000');
    expect(loopbackPeerUrl({ host: '0.0.0.0', tls }, 3000)).toBe('wss://127.0.0.1:3000');
  });

  it('keeps one address, with an IPv6 one in brackets', () => {
    expect(publicUrl({ host: '192.168.1.5', tls: null }, 80)).toBe('http://192.168.1.5:80');
    expect(publicUrl({ host: '::1', tls: null }, 3000)).toBe('http://[::1]:3000');
    expect(loopbackPeerUrl({ host: '::1', tls }, 3000)).toBe('wss://[::1]:3000');
  });
});
