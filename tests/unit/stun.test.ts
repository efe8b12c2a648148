import { describe, expect, it } from 'vitest';
import { bindingResponse } from '../../server/stun/stun-responder.ts';

// RFC 5769 §2.2's sample: transaction id and the XOR-MAPPED-ADDRESS for 192.0.2.1:32853.
const TRANSACTION = Buffer.from('b7e7a701bc34d686fa87dfae', 'hex');
const request = (type = 0x0001, cookie = 0x2112a442) => {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(cookie, 4);
  TRANSACTION.copy(header, 8);
  return header;
};

describe('the STUN binding responder', () => {
  it('answers with the XOR-mapped address of RFC 5769’s test vector', () => {
    const answer = bindingResponse(request(), { address: '192.0.2.1', port: 32853, family: 'IPv4' })!;
    expect(answer.readUInt16BE(0)).toBe(0x0101);
    expect(answer.readUInt16BE(2)).toBe(answer.length - 20);
    expect(answer.subarray(8, 20)).toEqual(TRANSACTION);
    expect(answer.subarray(20, 32).toString('hex')).toBe('002000080001a147e112a643');
  });

  it('answers IPv6 with the address XORed with cookie and transaction id (RFC 5769 §2.3)', () => {
    const from = { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853, family: 'IPv6' } as const;
    const answer = bindingResponse(request(), from)!;
    expect(answer.subarray(20, 44).toString('hex')).toBe('002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9');
  });

  it('ignores anything but a well-formed binding request', () => {
    const from = { address: '192.0.2.1', port: 1, family: 'IPv4' } as const;
    expect(bindingResponse(request(0x0003), from)).toBeNull();
    expect(bindingResponse(request(0x0001, 0x12345678), from)).toBeNull();
    expect(bindingResponse(Buffer.from('GET / HTTP/1.1\r\n\r\n'), from)).toBeNull();
    expect(bindingResponse(request().subarray(0, 12), from)).toBeNull();
  });
});
