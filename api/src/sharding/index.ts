// The sharding model: hashing, virtual shards, placement, movement plans (see README.md).
export * from './token.js';
export * from './state.js';
export * from './balance.js';
export * from './create.js';
export * from './lookup.js';
export * from './codec.js';
export * from './moves.js';
export * from './placement.js';
export * from './plan-pods.js';
export * from './plan-replication.js';
export * from './plan-reshard.js';
