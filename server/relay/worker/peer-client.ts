/**
 * A PeerServer client speaking PeerJS's websocket protocol (OPEN, HEARTBEAT, OFFER, ANSWER,
 * CANDIDATE, LEAVE, EXPIRE), so the relay is an ordinary peer to browsers. Reconnects with backoff.
 */
import WebSocket from 'ws';
import { parseJson } from '../messages.ts';

/** A signalling message as PeerServer relays it. */
export interface PeerMessage {
  type: string;
  src?: string;
  dst?: string;
  payload?: {
    sdp?: { type: string; sdp: string };
    candidate?: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null };
    type?: 'media' | 'data';
    connectionId?: string;
    metadata?: unknown;
  };
}

/** PeerJS clients beat every 5 s; PeerServer drops a socket silent for longer than its timeout. */
const HEARTBEAT_MS = 5000;
const MAX_BACKOFF_MS = 5000;

/** Keeps a PeerServer connection for one peer id. */
export class PeerClient {
  #ws: WebSocket | null = null;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #backoffMs = 250;
  #closed = false;

  constructor(
    private readonly url: string,
    private readonly onMessage: (message: PeerMessage) => void,
    private readonly onOpen: () => void = () => undefined,
    /** Whether to check the server's TLS certificate (off only for loopback to our own server). */
    private readonly options: { verifyTls: boolean } = { verifyTls: true },
  ) {
    this.#connect();
  }

  /** Sends a message; dropped while disconnected (PeerJS peers time out and retry). */
  send(message: PeerMessage): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(message));
  }

  /** Leaves PeerServer for good. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#heartbeat);
    this.#ws?.close();
  }

  #connect(): void {
    const ws = new WebSocket(this.url, { rejectUnauthorized: this.options.verifyTls });
    this.#ws = ws;
    ws.on('message', (data) => {
      const message = parseJson(String(data)) as PeerMessage | undefined;
      if (message === undefined) return;
      if (message.type === 'OPEN') {
        this.#backoffMs = 250;
        this.onOpen();
      } else {
        this.onMessage(message);
      }
    });
    ws.on('open', () => {
      clearInterval(this.#heartbeat);
      this.#heartbeat = setInterval(() => this.send({ type: 'HEARTBEAT' }), HEARTBEAT_MS);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearInterval(this.#heartbeat);
      if (this.#closed) return;
      this.#retry = setTimeout(() => this.#connect(), this.#backoffMs);
      this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
    });
  }
}
