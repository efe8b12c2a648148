/**
 * The school's own STUN server: answers RFC 5389 Binding requests on a UDP port with the address a
 * request came from, so two browsers whose mDNS `.local` names do not resolve (multicast filtered)
 * still learn each other's LAN address. Binding only: no TURN, no authentication, nothing stored.
 * A hand-written responder rather than a package: the npm STUN servers are unmaintained (`stun`,
 * last release 2020) or would load werift's whole ICE stack into the signalling process.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { crc32 } from 'node:zlib';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const SOFTWARE = 0x8022;
const FINGERPRINT = 0x8028;
const FINGERPRINT_XOR = 0x5354554e;
const HEADER_BYTES = 20;

/**
 * The Binding success response to `request` from `from`, or null when `request` is not a Binding
 * request (anything else on the port is ignored, as RFC 5389 §7.3 allows).
 */
export function bindingResponse(request: Uint8Array, from: Pick<RemoteInfo, 'address' | 'port' | 'family'>) {
  const message = Buffer.from(request.buffer, request.byteOffset, request.byteLength);
  if (message.length < HEADER_BYTES || (message[0]! & 0xc0) !== 0) return null;
  if (message.readUInt16BE(0) !== BINDING_REQUEST || message.readUInt32BE(4) !== MAGIC_COOKIE) return null;
  if (message.readUInt16BE(2) !== message.length - HEADER_BYTES) return null;
  const transactionId = message.subarray(8, HEADER_BYTES);

  const ipv6 = from.family === 'IPv6';
  const address = ipv6 ? ipv6Bytes(from.address) : Buffer.from(from.address.split('.').map(Number));
  if (!address) return null;
  // XOR-MAPPED-ADDRESS: the port with the cookie's top half, the address with the cookie (and, for
  // IPv6, the transaction id), so middleboxes that rewrite addresses in payloads leave it alone.
  const key = Buffer.concat([Buffer.from([0x21, 0x12, 0xa4, 0x42]), transactionId]);
  const mapped = Buffer.alloc(4 + address.length);
  mapped.writeUInt8(ipv6 ? 0x02 : 0x01, 1);
  mapped.writeUInt16BE(from.port ^ (MAGIC_COOKIE >>> 16), 2);
  for (let i = 0; i < address.length; i++) mapped[4 + i] = address[i]! ^ key[i]!;

  const attributes = [attribute(XOR_MAPPED_ADDRESS, mapped), attribute(SOFTWARE, Buffer.from('classroom-screens'))];
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(BINDING_SUCCESS, 0);
  header.writeUInt16BE(body.length + 8, 2); // the length counts the FINGERPRINT that follows
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  const unsigned = Buffer.concat([header, body]);
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE((crc32(unsigned) ^ FINGERPRINT_XOR) >>> 0);
  return Buffer.concat([unsigned, attribute(FINGERPRINT, fingerprint)]);
}

/** A running responder. */
export interface StunResponder {
  /** The UDP port it answers on (useful when started on port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Answers Binding requests on `port` (0: a free one) at `host`. */
export async function startStunResponder(options: {
  port: number;
  host: string;
  log: { warn(obj: object, msg: string): void };
}): Promise<StunResponder> {
  const socket: Socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
  socket.on('message', (request, from) => {
    const response = bindingResponse(request, from);
    if (response) socket.send(response, from.port, from.address);
  });
  // A stray ICMP error or a full send buffer must not take the server down.
  socket.on('error', (err) => options.log.warn({ err }, 'STUN responder error'));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/** The 16 bytes of an IPv6 address (with `::` shorthand, or an IPv4-mapped tail). */
function ipv6Bytes(text: string): Buffer | null {
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let address = text;
  if (mapped) {
    const [a, b, c, d] = mapped[2]!.split('.').map(Number) as [number, number, number, number];
    address = `${mapped[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return null;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16) || 0, i * 2));
  return bytes;
}
