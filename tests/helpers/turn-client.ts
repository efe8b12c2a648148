/**
 * A minimal TURN client over UDP (RFC 5766 Allocate and Refresh, RFC 5389 long-term credentials),
 * enough to ask a real coturn whether a credential still opens a relay. One client is one UDP
 * socket, so one 5-tuple and at most one allocation, as one browser ICE candidate has.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

const MAGIC_COOKIE = 0x2112a442;
const ALLOCATE = 0x0003;
const REFRESH = 0x0004;
const SUCCESS = 0x0100;
const ERROR = 0x0110;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
} as const;
/** How long one request waits for its answer (loopback: any answer comes in milliseconds). */
const ANSWER_TIMEOUT_MS = 2_000;

/** What coturn said: 200 for success, otherwise its ERROR-CODE (401 Unauthorized, 438 Stale Nonce...). */
export interface TurnAnswer {
  status: number;
  /** The relayed transport address, on a successful Allocate. */
  relayed?: { address: string; port: number };
  /** The allocation's lifetime in seconds, on success. */
  lifetimeS?: number;
}

/** A TURN user: the username and password the app server handed out. */
export interface TurnCredential {
  username: string;
  credential: string;
}

interface Attribute {
  type: number;
  value: Buffer;
}

/** One UDP socket speaking TURN to `server`. */
export class TurnClient {
  readonly #socket: Socket;
  readonly #server: { host: string; port: number };
  readonly #user: TurnCredential;
  #realm: string | null = null;
  #nonce: string | null = null;

  private constructor(socket: Socket, server: { host: string; port: number }, user: TurnCredential) {
    this.#socket = socket;
    this.#server = server;
    this.#user = user;
  }

  /** Opens a fresh UDP socket on loopback, a new 5-tuple as far as the TURN server can tell. */
  static async open(server: { host: string; port: number }, user: TurnCredential): Promise<TurnClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new TurnClient(socket, server, user);
  }

  /** Asks for a UDP relay: unauthenticated first to learn realm and nonce, then signed. */
  async allocate(): Promise<TurnAnswer> {
    const transport = Buffer.from([17, 0, 0, 0]);
    return this.#signed(ALLOCATE, [{ type: ATTR.requestedTransport, value: transport }]);
  }

  /** Refreshes the allocation on this socket for `lifetimeS` (0 deletes it). */
  async refresh(lifetimeS: number): Promise<TurnAnswer> {
    const lifetime = Buffer.alloc(4);
    lifetime.writeUInt32BE(lifetimeS);
    return this.#signed(REFRESH, [{ type: ATTR.lifetime, value: lifetime }]);
  }

  /** Closes the socket (an allocation left on it dies with its lifetime). */
  close(): void {
    this.#socket.close();
  }

  /**
   * Sends `method` with long-term credentials. Without a nonce yet, or when the server calls ours
   * stale (438) or answers 401 with a new nonce, learns realm and nonce and signs again, once.
   */
  async #signed(method: number, attributes: Attribute[]): Promise<TurnAnswer> {
    let answer = await this.#exchange(method, this.#withCredentials(attributes));
    if ((answer.status === 401 || answer.status === 438) && answer.nonce && answer.nonce !== this.#nonce) {
      this.#realm = answer.realm ?? this.#realm;
      this.#nonce = answer.nonce;
      answer = await this.#exchange(method, this.#withCredentials(attributes));
    }
    return { status: answer.status, relayed: answer.relayed, lifetimeS: answer.lifetimeS };
  }

  #withCredentials(attributes: Attribute[]): { attributes: Attribute[]; key: Buffer | null } {
    if (this.#realm === null || this.#nonce === null) return { attributes, key: null };
    const { username, credential } = this.#user;
    const key = createHash('md5').update(`${username}:${this.#realm}:${credential}`).digest();
    return {
      attributes: [
        { type: ATTR.username, value: Buffer.from(username) },
        { type: ATTR.realm, value: Buffer.from(this.#realm) },
        { type: ATTR.nonce, value: Buffer.from(this.#nonce) },
        ...attributes,
      ],
      key,
    };
  }

  async #exchange(
    method: number,
    request: { attributes: Attribute[]; key: Buffer | null },
  ): Promise<TurnAnswer & { realm?: string; nonce?: string }> {
    const transaction = randomBytes(12);
    const message = encode(method, transaction, request.attributes, request.key);
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#socket.off('message', onMessage);
        reject(new Error(`no TURN answer within ${ANSWER_TIMEOUT_MS} ms`));
      }, ANSWER_TIMEOUT_MS);
      const onMessage = (data: Buffer) => {
        if (data.length < 20 || !data.subarray(8, 20).equals(transaction)) return;
        clearTimeout(timer);
        this.#socket.off('message', onMessage);
        resolve(data);
      };
      this.#socket.on('message', onMessage);
      this.#socket.send(message, this.#server.port, this.#server.host);
    });
    return decode(reply, method);
  }
}

/** A STUN message: header, attributes, and MESSAGE-INTEGRITY (HMAC-SHA1 under `key`) when given. */
function encode(method: number, transaction: Buffer, attributes: Attribute[], key: Buffer | null): Buffer {
  const body = Buffer.concat(attributes.map(encodeAttribute));
  const integrityLength = key ? 24 : 0;
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0);
  // The length covers MESSAGE-INTEGRITY too while it is computed (RFC 5389 §15.4).
  header.writeUInt16BE(body.length + integrityLength, 2);
  header.writeUInt32BE(MAGIC_COOKIE, 4);
  transaction.copy(header, 8);
  if (!key) return Buffer.concat([header, body]);
  const hmac = createHmac('sha1', key).update(header).update(body).digest();
  return Buffer.concat([header, body, encodeAttribute({ type: ATTR.messageIntegrity, value: hmac })]);
}

function encodeAttribute({ type, value }: Attribute): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

function decode(message: Buffer, method: number): TurnAnswer & { realm?: string; nonce?: string } {
  const type = message.readUInt16BE(0);
  const answer: TurnAnswer & { realm?: string; nonce?: string } = { status: 0 };
  if (type === (method | SUCCESS)) answer.status = 200;
  else if (type !== (method | ERROR)) throw new Error(`unexpected STUN message type 0x${type.toString(16)}`);
  let offset = 20;
  while (offset + 4 <= message.length) {
    const attrType = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    const value = message.subarray(offset + 4, offset + 4 + length);
    if (attrType === ATTR.errorCode) answer.status = (value[2]! & 0x07) * 100 + value[3]!;
    if (attrType === ATTR.realm) answer.realm = value.toString('utf8');
    if (attrType === ATTR.nonce) answer.nonce = value.toString('utf8');
    if (attrType === ATTR.lifetime) answer.lifetimeS = value.readUInt32BE(0);
    if (attrType === ATTR.xorRelayedAddress) {
      const cookie = Buffer.alloc(4);
      cookie.writeUInt32BE(MAGIC_COOKIE);
      answer.relayed = {
        port: value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16),
        address: [...value.subarray(4, 8)].map((b, i) => b ^ cookie[i]!).join('.'),
      };
    }
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return answer;
}
