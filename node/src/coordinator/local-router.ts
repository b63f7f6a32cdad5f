// Finds the local shard of an object (class -> sharding state -> physical shard by the id's
// token) and the local shards of a class. Errors name the class and the shard.
import { physicalShardOf } from '../../../api/index.js';
import type { ControlSource, ClassState } from '../control/types.js';
import type { Shard, ShardRegistry } from '../shards/types.js';
import { unavailable } from './errors.js';
import { routableClass } from '../control/routable.js';

export class LocalRouter {
  constructor(
    private readonly control: ControlSource,
    private readonly registry: ShardRegistry,
  ) {}

  classState(className: string): ClassState {
    return routableClass(this.control.snapshot(), className);
  }

  classNames(): string[] {
    return [...this.control.snapshot().classes.keys()].sort();
  }

  /** The shard holding `id`, loaded. */
  async shardOf(className: string, id: string): Promise<Shard> {
    const cls = this.classState(className);
    const shard = this.open(className, physicalShardOf(cls.sharding, id));
    await shard.loaded;
    return shard;
  }

  /** Synchronous variant for batches that group ids first; the caller awaits `loaded`. */
  shardNameOf(className: string, id: string): string {
    return physicalShardOf(this.classState(className).sharding, id);
  }

  open(className: string, shardName: string): Shard {
    const shard = this.registry.get(className, shardName);
    if (!shard) throw unavailable(`shard ${shardName} of class ${className} is not open on this node; retry shortly`);
    return shard;
  }

  /** Every local shard of a class, loaded. */
  async shardsOf(className: string): Promise<Shard[]> {
    const cls = this.classState(className);
    const shards = this.control.localShards(cls).map((name) => this.open(className, name));
    await Promise.all(shards.map((s) => s.loaded));
    return shards;
  }
}
