import { describe, expect, it } from 'vitest';
import { loopbackPeerUrl, publicUrl, requestOrigin } from '../../server/http/urls.ts';

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

describe('the origin a request was sent to', () => {
  it('is the scheme and host the client used, without a default port', () => {
    expect(requestOrigin({ protocol: 'https', host: 'Screens.School.example' })).toBe('https://screens.school.example');
    expect(requestOrigin({ protocol: 'https', host: 'screens.school.example:443' })).toBe(
      'https://screens.school.example',
    );
    expect(requestOrigin({ protocol: 'http', host: '127.0.0.1:3000' })).toBe('http://127.0.0.1:3000');
    expect(requestOrigin({ protocol: 'http', host: '[::1]:3000' })).toBe('http://[::1]:3000');
  });

  it('is nothing for a host that carries more than a host', () => {
    for (const host of ['evil.example/path', 'user@screens.example', 'a b', 'screens.example:99999', '', 'x?y']) {
      expect(requestOrigin({ protocol: 'https', host }), host).toBeNull();
    }
    expect(requestOrigin({ protocol: 'https', host: undefined })).toBeNull();
    expect(requestOrigin({ protocol: 'ftp', host: 'screens.example' })).toBeNull();
  });
});
