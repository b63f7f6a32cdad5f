// The node's control face: the ControlSource interface, the standalone source, and the shard
// sync that follows either.
export type { ClassState, ControlSnapshot, ControlListener, ControlSource } from './types.js';
export { StandaloneControl, type StandaloneOptions } from './standalone.js';
export { ShardSync } from './shard-sync.js';
export { indexConfigOf } from './index-config.js';
