/**
 * PeerJS as the media layer's senders use it, for unit tests: a peer whose placed calls the test
 * connects, ends and speaks on, and whose video sender records the track it carries and each
 * encoder setting made.
 */
import type { MediaConnection, Peer } from 'peerjs';

/** A placed call as the sender uses one: its connection state is set by the test, and it hears the other side's messages. */
export class FakeCall {
  state: RTCPeerConnectionState = 'new';
  closed = false;
  /** What the call's video sender sends now; `failReplace` makes replacing it fail. */
  track: unknown;
  failReplace = false;
  /** Each encoding the video sender was set to, in order (it starts with one, as after negotiation). */
  readonly encodings: RTCRtpEncodingParameters[] = [];
  /** Frames the call's encoder has encoded, as its stats report them. */
  framesEncoded = 0;
  /** Messages sent to the other side. */
  readonly sent: string[] = [];
  /** Metadata the call was placed with. */
  metadata: unknown;
  readonly #stateListeners: (() => void)[] = [];
  readonly #signalingListeners: (() => void)[] = [];
  readonly #closeListeners: (() => void)[] = [];
  readonly #messageListeners: ((event: { data: unknown }) => void)[] = [];
  constructor(
    readonly peer: string,
    readonly stream: unknown,
  ) {
    this.track = (stream as { track?: unknown }).track;
  }

  connection(): MediaConnection {
    const state = () => this.state;
    const pc = {
      get connectionState() {
        return state();
      },
      addEventListener: (type: string, listener: () => void) => {
        if (type === 'connectionstatechange') this.#stateListeners.push(listener);
        if (type === 'signalingstatechange') this.#signalingListeners.push(listener);
      },
      getStats: async () => [{ type: 'outbound-rtp', kind: 'video', framesEncoded: this.framesEncoded }],
      getSenders: () => [
        {
          track: { kind: 'video' },
          getParameters: () => ({ encodings: [{ ...(this.encodings.at(-1) ?? { active: true }) }] }),
          setParameters: async (parameters: RTCRtpSendParameters) => {
            this.encodings.push({ ...parameters.encodings[0] });
          },
          replaceTrack: async (track: unknown) => {
            if (this.failReplace) throw new Error('InvalidStateError');
            this.track = track;
          },
        },
      ],
    };
    return {
      peer: this.peer,
      peerConnection: pc,
      dataChannel: {
        readyState: 'open',
        addEventListener: (type: string, listener: (event: { data: unknown }) => void) => {
          if (type === 'message') this.#messageListeners.push(listener);
        },
        send: (text: string) => this.sent.push(text),
      },
      on: (event: string, listener: () => void) => {
        if (event === 'close') this.#closeListeners.push(listener);
      },
      answer: () => undefined,
      close: () => {
        this.closed = true;
      },
    } as unknown as MediaConnection;
  }

  /** Offer and answer are done: encodings exist to be set. */
  negotiate(): void {
    for (const listener of this.#signalingListeners) listener();
  }

  connect(): void {
    this.state = 'connected';
    for (const listener of this.#stateListeners) listener();
  }

  receive(text: string): void {
    for (const listener of this.#messageListeners) listener({ data: text });
  }

  /** The call ends from the far side (hung up, or failed): PeerJS reports it closed. */
  end(): void {
    this.closed = true;
    for (const listener of this.#closeListeners) listener();
  }
}

/** A peer whose `call` records each call placed, in order, in `calls`. */
export function fakePeer(): { peer: Peer; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const peer = {
    open: true,
    call: (peerId: string, stream: unknown, options?: { metadata?: unknown }) => {
      const call = new FakeCall(peerId, stream);
      call.metadata = options?.metadata;
      calls.push(call);
      return call.connection();
    },
  } as unknown as Peer;
  return { peer, calls };
}
