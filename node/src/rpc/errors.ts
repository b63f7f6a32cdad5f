// Errors of a remote call. `reason` is what the caller decides on (retry another replica, hint
// the write, report TIMEOUT) and the label of shoal_rpc_client_errors_total. A failure of the
// method itself on the peer (shard not open, bad request) is 'remote' and carries the peer's
// error kind, so that a domain error (ShoalError kind) survives the trip.
import { ShoalError, type ErrorKind } from '../coordinator/errors.js';

export type RpcFailure =
  | 'timeout' // no answer within the call's deadline (the peer may still have done the work)
  | 'connect' // no connection could be made (refused, unreachable, backing off)
  | 'closed' // the connection dropped while the call was in flight
  | 'auth' // the handshake failed: wrong secret, cluster or pod behind the address
  | 'protocol' // the peer sent something this pod cannot read
  | 'remote'; // the peer ran the method and it failed

export class RpcError extends Error {
  override name = 'RpcError';
  constructor(
    readonly reason: RpcFailure,
    message: string,
    /** For 'remote': the peer's error kind ('internal' when it was not a domain error). */
    readonly remoteKind?: ErrorKind | 'internal',
  ) {
    super(message);
  }

  /** True when the peer may still be fine and another call could succeed (not a request problem). */
  get transient(): boolean {
    return this.reason !== 'remote' || this.remoteKind === 'unavailable' || this.remoteKind === 'timeout' || this.remoteKind === 'internal';
  }
}

export function isRpcError(e: unknown, reason?: RpcFailure): e is RpcError {
  return e instanceof RpcError && (reason === undefined || e.reason === reason);
}

/** The error to raise on this pod for a remote failure: domain errors keep their kind. */
export function toLocalError(e: RpcError): Error {
  if (e.reason === 'remote' && e.remoteKind && e.remoteKind !== 'internal') return new ShoalError(e.remoteKind, e.message);
  return e;
}

/** Short reason of any failure, for metrics and replica lists ("pod-2 timeout"). */
export function failureReason(e: unknown): string {
  if (e instanceof RpcError) return e.reason;
  if (e instanceof ShoalError) return e.kind;
  return 'error';
}
