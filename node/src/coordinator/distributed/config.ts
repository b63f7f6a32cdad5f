// Tuning of the distributed data path, with the environment variables that set it. Invalid
// values throw an Error naming the variable, what was found and what is expected.
export interface DistributedConfig {
  /** SHOAL_WRITE_TIMEOUT_MS: deadline of a write to one replica; a replica that misses it is hinted. */
  writeTimeoutMs: number;
  /** SHOAL_READ_TIMEOUT_MS: deadline of a read or search on one replica before trying another. */
  readTimeoutMs: number;
  /** Deadline of the shard-info call per pod behind /v1/nodes (a slow pod shows as TIMEOUT). */
  nodesTimeoutMs: number;
  /**
   * SHOAL_HINT_WINDOW_MS: hints older than this are dropped, not replayed: a replica down longer
   * is brought up to date by anti-entropy alone (Cassandra's max_hint_window, 3 h by default).
   */
  hintWindowMs: number;
  /** SHOAL_HINT_REPLAY_INTERVAL_MS: how often hints are retried besides "replica alive again" events. */
  hintReplayIntervalMs: number;
  /**
   * SHOAL_ANTI_ENTROPY_INTERVAL_MS: pause between two anti-entropy passes over this pod's shards
   * (0 disables). A pass compares each local shard with each peer replica whose pod name sorts
   * after this one's (each pair once), one pair at a time; the cost of a pair is one digest scan
   * of each replica plus the entries of the buckets that differ.
   */
  antiEntropyIntervalMs: number;
  /** Writes stamped less than this ago are left out of a comparison (they are likely in flight). */
  antiEntropySettleMs: number;
  /** At most this many entries are compared per shard pair and pass; the rest waits for the next pass. */
  antiEntropyMaxEntries: number;
  /** Digest buckets = 2^digestBits. */
  digestBits: number;
  /** A replica that failed a call is tried after the others for this long. */
  failureMemoryMs: number;
}

export const DEFAULT_CONFIG: DistributedConfig = {
  writeTimeoutMs: 10_000,
  readTimeoutMs: 10_000,
  nodesTimeoutMs: 2_000,
  hintWindowMs: 3 * 3600_000,
  hintReplayIntervalMs: 10_000,
  antiEntropyIntervalMs: 30_000,
  antiEntropySettleMs: 5_000,
  antiEntropyMaxEntries: 50_000,
  digestBits: 10,
  failureMemoryMs: 5_000,
};

type Env = Record<string, string | undefined>;

const VARIABLES: Array<[keyof DistributedConfig, string, number, number]> = [
  ['writeTimeoutMs', 'SHOAL_WRITE_TIMEOUT_MS', 10, 600_000],
  ['readTimeoutMs', 'SHOAL_READ_TIMEOUT_MS', 10, 600_000],
  ['hintWindowMs', 'SHOAL_HINT_WINDOW_MS', 0, 30 * 24 * 3600_000],
  ['hintReplayIntervalMs', 'SHOAL_HINT_REPLAY_INTERVAL_MS', 100, 3600_000],
  ['antiEntropyIntervalMs', 'SHOAL_ANTI_ENTROPY_INTERVAL_MS', 0, 24 * 3600_000],
];

export function distributedConfigFromEnv(env: Env = process.env): DistributedConfig {
  const out = { ...DEFAULT_CONFIG };
  for (const [field, name, min, max] of VARIABLES) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name}: expected milliseconds from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    out[field] = n;
  }
  return out;
}
