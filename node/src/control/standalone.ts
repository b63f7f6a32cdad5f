// The standalone control source: one node, every shard local, schema and sharding state kept in
// `<dataDir>/control/schema.json` and replaced atomically on every change. Changes are
// serialised through one queue, so two requests never interleave read-modify-write.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  parseClass, parseShardingState, createShardingState,
  type ClassDefinition, type PropertyDefinition,
} from '../../../api/index.js';
import type { Logger } from '../log.js';
import { conflict, invalid, notFound } from '../coordinator/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import type { ClassState, ControlListener, ControlSnapshot, ControlSource } from './types.js';

export interface StandaloneOptions {
  dataDir: string;
  nodeName: string;
  log: Logger;
  /** Randomness for shard names and placement (tests pass a seeded one). */
  random?: () => number;
}

const FORMAT = 1;

type Classes = Map<string, ClassState>;
interface Change<T> {
  result: T;
  /** False when nothing changed (nothing to persist, no listener to call). */
  changed: boolean;
}

export class StandaloneControl implements ControlSource {
  readonly kind = 'standalone';
  /** True when start() found a schema file (so shards on disk without a class are leftovers). */
  foundStateOnDisk = false;
  private current: ControlSnapshot = { version: 0, classes: new Map() };
  private readonly listeners = new Set<ControlListener>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly file: string;

  constructor(private readonly opts: StandaloneOptions) {
    this.file = join(opts.dataDir, 'control', 'schema.json');
  }

  async start(): Promise<void> {
    const text = await readFile(this.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return;
    this.current = decodeState(text, this.file);
    this.foundStateOnDisk = true;
    this.opts.log.info('schema loaded', { file: this.file, classes: this.current.classes.size, version: this.current.version });
  }

  snapshot(): ControlSnapshot {
    return this.current;
  }

  localShards(cls: ClassState): string[] {
    // Every shard is on this node, whatever name the node had when the class was created.
    return cls.sharding.physical.map((p) => p.name);
  }

  createClass(definition: ClassDefinition): Promise<ClassState> {
    return this.mutate((classes) => {
      const taken = findIgnoringCase(classes, definition.class);
      if (taken) throw conflict(`class ${JSON.stringify(definition.class)} already exists${taken !== definition.class ? ` (as ${JSON.stringify(taken)})` : ''}`);
      const state: ClassState = { definition, sharding: this.place(definition) };
      classes.set(definition.class, state);
      return { result: state, changed: true };
    });
  }

  deleteClass(name: string): Promise<boolean> {
    return this.mutate((classes) => {
      const existed = classes.delete(name);
      return { result: existed, changed: existed };
    });
  }

  addProperty(className: string, property: PropertyDefinition): Promise<ClassState> {
    return this.mutate((classes) => {
      const cls = requireClass(classes, className);
      const clash = cls.definition.properties.find((p) => p.name.toLowerCase() === property.name.toLowerCase());
      if (clash) throw conflict(`class ${className} already has a property ${JSON.stringify(clash.name)}`);
      const next = { ...cls, definition: { ...cls.definition, properties: [...cls.definition.properties, property] } };
      classes.set(className, next);
      return { result: next, changed: true };
    });
  }

  fixDimensions(className: string, dimensions: number): Promise<number> {
    const known = this.current.classes.get(className)?.definition.vectorIndexConfig.dimensions;
    if (known !== undefined) return Promise.resolve(known);
    return this.mutate((classes) => {
      const cls = requireClass(classes, className);
      const existing = cls.definition.vectorIndexConfig.dimensions;
      if (existing !== undefined) return { result: existing, changed: false };
      const vectorIndexConfig = { ...cls.definition.vectorIndexConfig, dimensions };
      classes.set(className, { ...cls, definition: { ...cls.definition, vectorIndexConfig } });
      return { result: dimensions, changed: true };
    });
  }

  subscribe(listener: ControlListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.listeners.clear();
  }

  private place(def: ClassDefinition) {
    const config = {
      desiredCount: def.shardingConfig.desiredCount,
      virtualPerPhysical: def.shardingConfig.virtualPerPhysical,
      replicationFactor: def.replicationConfig.factor,
    };
    if (config.replicationFactor > 1)
      throw invalid(`replicationConfig.factor is ${config.replicationFactor}, but a standalone node holds one replica of every shard; use 1 (or run a cluster)`);
    try {
      return createShardingState(config, [{ name: this.opts.nodeName }], this.opts.random ?? Math.random);
    } catch (e) {
      throw invalid((e as Error).message);
    }
  }

  /** Run one change at a time: copy, change, persist, publish, notify. */
  private mutate<T>(change: (classes: Classes) => Change<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const previous = this.current;
      const classes: Classes = new Map(previous.classes);
      const { result, changed } = change(classes);
      if (!changed) return result;
      const next: ControlSnapshot = { version: previous.version + 1, classes };
      await writeFileAtomic(this.file, encodeState(next));
      this.current = next;
      await this.notify(next, previous);
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async notify(next: ControlSnapshot, previous: ControlSnapshot): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(next, previous);
      } catch (e) {
        this.opts.log.error('control listener failed', { error: e as Error, version: next.version });
      }
    }
  }
}

function findIgnoringCase(classes: Classes, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const existing of classes.keys()) if (existing.toLowerCase() === lower) return existing;
  return undefined;
}

function requireClass(classes: Classes, name: string): ClassState {
  const cls = classes.get(name);
  if (!cls) throw notFound(`class ${JSON.stringify(name)} does not exist`);
  return cls;
}

function encodeState(snap: ControlSnapshot): string {
  const classes = [...snap.classes.values()].map((c) => ({ definition: c.definition, sharding: c.sharding }));
  return JSON.stringify({ format: FORMAT, version: snap.version, classes }, null, 1) + '\n';
}

/** Parse and re-validate the stored state; a damaged file stops the node instead of losing classes. */
function decodeState(text: string, file: string): ControlSnapshot {
  const fail = (why: string): never => {
    throw new Error(`cannot read the schema in ${file}: ${why}. Restore it from a backup, or move the data directory away to start empty`);
  };
  let raw: { format?: unknown; version?: unknown; classes?: unknown };
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (raw.format !== FORMAT) fail(`format must be ${FORMAT}, found ${JSON.stringify(raw.format)}`);
  if (typeof raw.version !== 'number' || !Array.isArray(raw.classes)) fail('version or classes missing');
  const classes: Classes = new Map();
  (raw.classes as Array<{ definition: unknown; sharding: unknown }>).forEach((c, i) => {
    try {
      const definition = parseClass(c.definition, `classes[${i}].definition`);
      classes.set(definition.class, { definition, sharding: parseShardingState(c.sharding) });
    } catch (e) {
      fail((e as Error).message);
    }
  });
  return { version: raw.version as number, classes };
}
