// Protocol messages, as the core produces and consumes them. codec.ts turns them into bytes.
// Numeric type codes are part of the wire format: append only.

export const enum MsgType {
  Ping = 1,
  PingReq = 2,
  Ack = 3,
  Nack = 4,
  Suspect = 5,
  Alive = 6,
  Dead = 7,
  PushPull = 16,
  StreamPing = 17,
  StreamAck = 18,
  StreamError = 19,
}

/** Direct probe. `target` guards against a reused address answering for someone else. */
export interface PingMsg {
  t: MsgType.Ping;
  seq: number;
  target: string;
  from: string;
  /** Sender's membership digest (members.ts) and whether its broadcast queue is empty. */
  digest: number;
  quiet: boolean;
}

/** Ask a helper to ping `target` at `targetAddr` and relay the ack (or a nack). */
export interface PingReqMsg {
  t: MsgType.PingReq;
  seq: number;
  target: string;
  targetAddr: string;
  nack: boolean;
}

/** Answer to a ping. Relayed acks carry no digest (hasDigest false). */
export interface AckMsg {
  t: MsgType.Ack;
  seq: number;
  hasDigest: boolean;
  digest: number;
  quiet: boolean;
}

/** A helper's "I tried and the target did not answer" (Lifeguard). */
export interface NackMsg {
  t: MsgType.Nack;
  seq: number;
}

export interface SuspectMsg {
  t: MsgType.Suspect;
  inc: number;
  node: string;
  from: string;
}

/** Join, refutation and metadata update. */
export interface AliveMsg {
  t: MsgType.Alive;
  inc: number;
  node: string;
  addr: string;
  meta: Uint8Array;
}

/** A failure (from != node) or a graceful leave (from == node). */
export interface DeadMsg {
  t: MsgType.Dead;
  inc: number;
  node: string;
  from: string;
}

/** Anything that travels in a UDP datagram (several per datagram). */
export type Message = PingMsg | PingReqMsg | AckMsg | NackMsg | SuspectMsg | AliveMsg | DeadMsg;

/** Messages that are disseminated by gossip (the broadcast queue holds only these). */
export type BroadcastMsg = SuspectMsg | AliveMsg | DeadMsg;

/** One member in a full-state exchange. */
export interface PushEntry {
  name: string;
  addr: string;
  inc: number;
  state: import('./types.js').MemberState;
  meta: Uint8Array;
}

export interface PushPullMsg {
  t: MsgType.PushPull;
  join: boolean;
  from: string;
  entries: PushEntry[];
}

/** TCP fallback ping and its answer. */
export interface StreamPingMsg {
  t: MsgType.StreamPing;
  seq: number;
  target: string;
  from: string;
}

export interface StreamAckMsg {
  t: MsgType.StreamAck;
  seq: number;
}

export interface StreamErrorMsg {
  t: MsgType.StreamError;
  reason: string;
}

/** Anything that travels as one framed TCP request or response. */
export type StreamMessage = PushPullMsg | StreamPingMsg | StreamAckMsg | StreamErrorMsg;

/** Metric label of each type. */
export function msgTypeName(t: MsgType): string {
  switch (t) {
    case MsgType.Ping: return 'ping';
    case MsgType.PingReq: return 'ping_req';
    case MsgType.Ack: return 'ack';
    case MsgType.Nack: return 'nack';
    case MsgType.Suspect: return 'suspect';
    case MsgType.Alive: return 'alive';
    case MsgType.Dead: return 'dead';
    case MsgType.PushPull: return 'push_pull';
    case MsgType.StreamPing: return 'tcp_ping';
    case MsgType.StreamAck: return 'tcp_ack';
    case MsgType.StreamError: return 'error';
  }
}
