// Internal RPC between data-plane pods, on the data port (SHOAL_DATA_PORT, default 7001).
// Protocol: README.md. Transport: frame.ts (framing), handshake.ts (authentication),
// connection.ts / pool.ts / client.ts (calling side), server.ts (serving side). The replica
// methods (apply, get, search, list, scan, count, digest, entries, shard infos) are in replica/.
//
// Typical use in the node:
//
//   const config = rpcConfigFromEnv();
//   const rpc = await startRpc({ config, nodeName, registry, clock, log });
//   membership.updateMeta({ dataAddr: `${advertiseAddr}:${rpc.server.port}` });
//   const replica = new RemoteReplica(rpc.client, { name: 'pod-1', addr: '10.0.0.2:7001' });
//   ...
//   await rpc.close();
import type { HybridClock } from '../objects/hlc.js';
import type { ShardRegistry } from '../shards/types.js';
import type { Logger } from '../log.js';
import { RpcClient } from './client.js';
import { RpcServer } from './server.js';
import type { RpcConfig } from './env.js';
import { LocalReplica } from './replica/local.js';
import { replicaHandlers } from './replica/service.js';

export { RpcClient, DEFAULT_CALL_TIMEOUT_MS, type Peer, type RpcClientOptions, type CallOptions } from './client.js';
export { RpcServer, type Handler, type HandlerReply, type RpcServerOptions } from './server.js';
export { RpcError, isRpcError, toLocalError, failureReason, type RpcFailure } from './errors.js';
export { rpcConfigFromEnv, type RpcConfig } from './env.js';
export { DEFAULT_MAX_FRAME_BYTES } from './frame.js';
export { LocalReplica } from './replica/local.js';
export { RemoteReplica, DEFAULT_TIMEOUTS, type RemoteTimeouts } from './replica/remote.js';
export { replicaHandlers } from './replica/service.js';
export * from './replica/ops.js';
export { DEFAULT_DIGEST_BITS, bucketOf, digestOf, differingBuckets, digestRoot, emptyDigest, addEntry } from './replica/digest.js';

export interface RunningRpc {
  server: RpcServer;
  client: RpcClient;
  /** This pod's replicas, as the service runs them for other pods. */
  local: LocalReplica;
  close(): Promise<void>;
}

export interface StartRpcOptions {
  config: RpcConfig;
  nodeName: string;
  registry: ShardRegistry;
  clock?: HybridClock;
  log: Logger;
}

/** Listen on the data port and serve this pod's replicas; the client calls other pods. */
export async function startRpc(opts: StartRpcOptions): Promise<RunningRpc> {
  const { config, nodeName, log } = opts;
  const local = new LocalReplica({ registry: opts.registry, nodeName, clock: opts.clock });
  const server = await RpcServer.listen({
    node: nodeName, cluster: config.cluster, secret: config.secret, host: config.bindAddr, port: config.port,
    handlers: replicaHandlers(local), log: log.child({ component: 'rpc-server' }), maxFrameBytes: config.maxFrameBytes,
  });
  const client = new RpcClient({
    node: nodeName, cluster: config.cluster, secret: config.secret, maxFrameBytes: config.maxFrameBytes,
    connectionsPerPeer: config.connectionsPerPeer, defaultTimeoutMs: config.callTimeoutMs,
  });
  log.info('data port listening', { host: config.bindAddr, port: server.port, cluster: config.cluster, authenticated: config.secret !== undefined });
  return {
    server, client, local,
    close: async () => {
      client.close();
      await server.close();
    },
  };
}
