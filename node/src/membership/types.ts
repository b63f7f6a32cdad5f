// The vocabulary shared by the protocol core, the simulator and the runtime shell.

/** A member's state in one member's view. `left` is a graceful leave, `dead` a failure. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** Wire codes of MemberState (push-pull entries). Append only. */
export const STATE_CODES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left'];

/**
 * One member as the core records it. `meta` is opaque to the core (the runtime encodes a small
 * key/value map into it, see codec.ts encodeMeta); records are replaced, never mutated, so a
 * record handed out in an event stays valid.
 */
export interface MemberRecord {
  readonly name: string;
  /** Gossip address, "host:port" (UDP and TCP). */
  readonly addr: string;
  readonly meta: Uint8Array;
  /** Owned by the member itself; only it raises it (refute, metadata update, rejoin). */
  readonly incarnation: number;
  readonly state: MemberState;
  /** Core clock (ms) of the last state change, for retention and gossip-to-the-dead. */
  readonly stateChangeMs: number;
}

/** What subscribers hear about. */
export type MemberEventType = 'join' | 'update' | 'suspect' | 'alive' | 'dead' | 'left';

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: MemberRecord;
}

/** Largest encoded metadata, as memberlist's MetaMaxSize. */
export const META_MAX_BYTES = 512;
