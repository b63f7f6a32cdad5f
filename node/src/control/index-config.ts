// A class's vectorIndexConfig as the storage engine takes it.
import type { ClassDefinition } from '../../../api/index.js';
import type { IndexConfig } from '../shards/types.js';

export function indexConfigOf(def: ClassDefinition): IndexConfig {
  const v = def.vectorIndexConfig;
  return {
    distance: v.distance,
    efConstruction: v.efConstruction,
    maxConnections: v.maxConnections,
    ef: v.ef,
    dynamicEfMin: v.dynamicEfMin,
    dynamicEfMax: v.dynamicEfMax,
    dynamicEfFactor: v.dynamicEfFactor,
    flatSearchCutoff: v.flatSearchCutoff,
    ...(v.dimensions !== undefined ? { dimensions: v.dimensions } : {}),
  };
}
