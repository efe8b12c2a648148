import { describe, expect, it } from 'vitest';
import { isMdnsCandidate } from '../../server/relay/worker/peer-connection.ts';

describe('the relay’s ICE candidates', () => {
  it('skips a browser’s mDNS names, which only a DNS timeout would answer, and keeps addresses', () => {
    const mdns = 'candidate:1 1 udp 2122260223 3b1f0d6e-9a51-4c1e-8d2a-5d3c9b0e7f11.local 54321 typ host generation 0';
    const srflx = 'candidate:2 1 udp 1686052607 198.51.100.21 54321 typ srflx raddr 0.0.0.0 rport 0 generation 0';
    const host = 'candidate:3 1 udp 2122260223 203.0.113.10 40000 typ host generation 0';
    expect(isMdnsCandidate(mdns)).toBe(true);
    expect(isMdnsCandidate(mdns.replace('.local', '.LOCAL'))).toBe(true);
    expect(isMdnsCandidate(srflx)).toBe(false);
    expect(isMdnsCandidate(host)).toBe(false);
    expect(isMdnsCandidate('')).toBe(false);
    expect(isMdnsCandidate(undefined)).toBe(false);
  });
});
