// The import and query workload the node and cluster benches share, so that their figures compare:
// the seeded data set's size (SHOAL_BENCH_N, SHOAL_BENCH_QUERIES for quick runs), k, the batch
// size and import concurrency, and the HNSW settings (also given to raw hnswlib in the node bench).
export const N = Number(process.env.SHOAL_BENCH_N ?? 100_000);
export const QUERIES = Number(process.env.SHOAL_BENCH_QUERIES ?? 1_000);
export const K = 10;
export const BATCH = 100;
export const IMPORT_CONCURRENCY = 4;
/** As a class's vectorIndexConfig holds them. */
export const INDEX = { efConstruction: 128, maxConnections: 16, ef: 64 } as const;
