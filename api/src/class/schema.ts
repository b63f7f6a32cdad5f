// The class schema: the JSON a client POSTs to /v1/schema and the `class` of a VectorClass
// resource. One declaration gives the TypeScript type, the validator (with Weaviate's defaults)
// and the OpenAPI schema the CRD is generated from, so API and CRD cannot drift apart.
// Fields Weaviate clients send that Shoal has no use for are accepted and kept or ignored, never
// rejected: a schema written for Weaviate loads unchanged unless it asks for a feature Shoal lacks.
import { s, Schema, SchemaIssue, OpenApi, Infer } from '../schema/index.js';
import { CLASS_NAME_PATTERN, PROPERTY_NAME_PATTERN, RESERVED_CLASS_NAMES, isReservedPropertyName } from './names.js';
import {
  DataType, DATA_TYPES, DATA_TYPE_ALIASES, TOKENIZATIONS, isDataType, isTextType, unsupportedDataTypeReason,
} from './data-types.js';

/** One entry of `dataType`: a Shoal data type, with Weaviate's deprecated aliases rewritten. */
export class DataTypeSchema extends Schema<DataType> {
  check(v: unknown, path: string, issues: SchemaIssue[]): DataType | undefined {
    if (typeof v !== 'string') return void issues.push({ path, message: `must be a string, got ${JSON.stringify(v)}` });
    const type = DATA_TYPE_ALIASES[v] ?? v;
    if (!isDataType(type)) return void issues.push({ path, message: unsupportedDataTypeReason(v) });
    return type;
  }
  protected baseOpenApi(): OpenApi {
    return { type: 'string', enum: [...DATA_TYPES, ...Object.keys(DATA_TYPE_ALIASES)] };
  }
}

/** Rejects a field when present (features Shoal does not have), naming the reason. */
function unsupported(reason: string) {
  return s.any().refine((v) => v === undefined || v === null || v === false, reason).optional();
}

/** Compression settings (`pq`, `bq`, `sq`, `rq`): accepted only when disabled. */
const compression = s
  .object({ enabled: s.boolean().default(false).refine((v) => !v, 'vector compression is not supported; leave it disabled') }, { ignoreUnknown: true })
  .describe('Accepted for Weaviate compatibility; Shoal does not compress vectors, so enabled must be false.')
  .optional();

export const vectorIndexConfigSchema = s
  .object(
    {
      distance: s.enum(['cosine', 'l2-squared', 'dot'] as const).default('cosine')
        .describe('Distance metric: cosine (1 - cosine similarity), l2-squared (squared Euclidean) or dot (negative dot product). Immutable.'),
      efConstruction: s.integer({ minimum: 4, maximum: 4096 }).default(128)
        .describe('Size of the candidate list while inserting: higher builds a better graph, more slowly.'),
      maxConnections: s.integer({ minimum: 2, maximum: 512 }).default(32)
        .describe('Graph links per node and layer (hnswlib M; layer 0 keeps twice as many). 32 like current Weaviate: 64 (Weaviate 1.8) doubles link memory for little recall at common dimensions.'),
      ef: s.integer({ minimum: -1, maximum: 100000 }).default(-1).refine((v) => v !== 0, 'must be -1 (automatic) or >= 1')
        .describe('Size of the candidate list while searching; -1 picks clamp(limit * dynamicEfFactor, dynamicEfMin, dynamicEfMax). Never below the limit.'),
      dynamicEfMin: s.integer({ minimum: 1 }).default(100).describe('Lower bound of the automatic ef.'),
      dynamicEfMax: s.integer({ minimum: 1 }).default(500).describe('Upper bound of the automatic ef.'),
      dynamicEfFactor: s.integer({ minimum: 1 }).default(8).describe('Automatic ef is limit times this factor, within the bounds.'),
      flatSearchCutoff: s.integer({ minimum: 0 }).default(40000)
        .describe('A filtered search whose filter matches at most this many objects scans them exactly instead of walking the graph.'),
      dimensions: s.integer({ minimum: 1, maximum: 65536 }).describe('Vector length. When absent, the first vector stored fixes it. Immutable once set.').optional(),
      vectorCacheMaxObjects: s.integer({ minimum: 0 }).default(1e12).describe('Accepted for Weaviate compatibility; Shoal keeps every vector in memory.'),
      cleanupIntervalSeconds: s.integer({ minimum: 0 }).default(300).describe('Accepted for Weaviate compatibility; deleted slots are reused on insert.'),
      skip: s.boolean().default(false).refine((v) => !v, 'skipping the vector index is not supported')
        .describe('Accepted for Weaviate compatibility; must be false.'),
      pq: compression,
      bq: compression,
      sq: compression,
      rq: compression,
    },
    { ignoreUnknown: true },
  )
  .refine((c) => c.dynamicEfMin <= c.dynamicEfMax, 'dynamicEfMin must not exceed dynamicEfMax')
  .describe('HNSW index settings, with Weaviate\'s names and defaults.');

export const shardingConfigSchema = s
  .object(
    {
      desiredCount: s.integer({ minimum: 1, maximum: 1024 }).default(1)
        .describe('Number of physical shards. A standalone node holds them all. Immutable.'),
      virtualPerPhysical: s.integer({ minimum: 1, maximum: 4096 }).default(128)
        .describe('Virtual shards per physical shard: the unit moved when the cluster rebalances. Immutable.'),
      key: s.enum(['_id'] as const).default('_id').describe('Sharding key: always the object id.'),
      strategy: s.enum(['hash'] as const).default('hash').describe('Sharding strategy: always hash.'),
      function: s.enum(['murmur3'] as const).default('murmur3').describe('Hash function: MurmurHash3 x64 128 over the 16 bytes of the id.'),
    },
    // actualCount, desiredVirtualCount, actualVirtualCount are outputs; clients echo them back.
    { ignoreUnknown: true },
  )
  .describe('How objects are spread over physical shards.');

export const replicationConfigSchema = s
  .object(
    {
      factor: s.integer({ minimum: 1, maximum: 64 }).default(1)
        .describe('Replicas of every physical shard, each on a distinct pod. A standalone node supports 1.'),
      asyncEnabled: s.boolean().describe('Accepted for Weaviate compatibility; Shoal always repairs replicas in the background.').optional(),
      deletionStrategy: s.string().describe('Accepted for Weaviate compatibility; deletes are timestamped tombstones (last write wins).').optional(),
    },
    { ignoreUnknown: true },
  )
  .describe('Replication of the class\'s shards.');

export const propertySchema = s
  .object(
    {
      name: s.string({ pattern: PROPERTY_NAME_PATTERN, patternHint: 'is not a valid property name: letters, digits and _, not starting with a digit, at most 231 characters' })
        .refine((n) => !isReservedPropertyName(n), 'is a reserved name')
        .refine((n) => !n.startsWith('__'), 'must not start with __ (reserved by GraphQL)')
        .describe('Property name: a GraphQL field name, unique within the class ignoring case.'),
      dataType: s.array(new DataTypeSchema(), { minItems: 1, maxItems: 1 })
        .describe('One data type: text, int, number, boolean, date (RFC 3339), uuid, or an array of one of them (text[] ...).'),
      description: s.string().describe('Free text.').optional(),
      tokenization: s.enum(TOKENIZATIONS).describe('How text is split for Equal and Like filters: word (default: alphanumeric runs, lower-cased), lowercase, whitespace or field (the whole trimmed value).').optional(),
      indexFilterable: s.boolean().describe('Accepted for Weaviate compatibility; every property can be filtered.').optional(),
      indexSearchable: s.boolean().describe('Accepted for Weaviate compatibility; Shoal has no keyword search.').optional(),
      indexInverted: s.boolean().describe('Accepted for Weaviate compatibility (deprecated there).').optional(),
      indexRangeFilters: s.boolean().describe('Accepted for Weaviate compatibility.').optional(),
      moduleConfig: s.any().describe('Accepted for Weaviate compatibility; Shoal runs no modules.').optional(),
      nestedProperties: unsupported('nested properties are not supported'),
    },
    { ignoreUnknown: true },
  )
  .refine((p) => p.tokenization === undefined || isTextType(p.dataType[0]), 'tokenization is only allowed on text and text[] properties')
  .describe('A property of the objects of a class.');

export const classSchema = s
  .object(
    {
      class: s.string({ pattern: CLASS_NAME_PATTERN, patternHint: 'is not a valid class name: a letter followed by letters, digits and _, at most 255 characters' })
        .refine((n) => !RESERVED_CLASS_NAMES.includes(n), 'is reserved (a GraphQL built-in type)')
        .describe('Class name; the first letter is capitalised as in Weaviate. Immutable.'),
      description: s.string().describe('Free text.').optional(),
      vectorizer: s.string().default('none')
        .refine((v) => v === 'none', 'Shoal runs no vectorizer modules: use "none" and send a vector with every object')
        .describe('Must be "none": objects carry their own vectors.'),
      vectorIndexType: s.string().default('hnsw').refine((v) => v === 'hnsw', 'only "hnsw" is supported').describe('Must be "hnsw".'),
      vectorIndexConfig: vectorIndexConfigSchema.default({} as Infer<typeof vectorIndexConfigSchema>),
      shardingConfig: shardingConfigSchema.default({} as Infer<typeof shardingConfigSchema>),
      replicationConfig: replicationConfigSchema.default({} as Infer<typeof replicationConfigSchema>),
      properties: s.array(propertySchema).default([]).refine(uniqueNames, 'property names must be unique (ignoring case)')
        .describe('The properties of the objects; more can be added later, none removed.'),
      invertedIndexConfig: s.any().describe('Accepted for Weaviate compatibility and returned as given.').optional(),
      moduleConfig: s.any().describe('Accepted for Weaviate compatibility and returned as given.').optional(),
      multiTenancyConfig: s
        .object({ enabled: s.boolean().default(false).refine((v) => !v, 'multi-tenancy is not supported') }, { ignoreUnknown: true })
        .default({ enabled: false })
        .describe('Accepted for Weaviate compatibility; enabled must be false.'),
      vectorConfig: unsupported('named vectors (vectorConfig) are not supported; use vectorIndexConfig'),
    },
    { ignoreUnknown: true },
  )
  .describe('A collection of objects with vectors, in Weaviate\'s class shape.');

function uniqueNames(props: Array<{ name: string }>): boolean {
  return new Set(props.map((p) => p.name.toLowerCase())).size === props.length;
}

export type ClassDefinition = Infer<typeof classSchema>;
export type PropertyDefinition = Infer<typeof propertySchema>;
export type VectorIndexConfig = Infer<typeof vectorIndexConfigSchema>;
export type ShardingConfigSpec = Infer<typeof shardingConfigSchema>;
export type ReplicationConfigSpec = Infer<typeof replicationConfigSchema>;
