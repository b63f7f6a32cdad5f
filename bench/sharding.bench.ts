// Routing throughput: UUID string -> physical shard name (parse, MurmurHash3 token, virtual
// shard, physical shard), as a ratio against computing the MurmurHash3 x64 128 hash alone over
// the same UUIDs' bytes, both measured in this run. Goal: ratio >= 0.5 (routing costs at most
// twice the hash). Also shows the straightforward implementation (regex, parseInt per byte,
// bigint token, bigint binary search) for comparison.
// Standalone: `node dist/bench/sharding.bench.js [uuids] [rounds]`.
import murmur from 'murmurhash3js-revisited';
import { createShardingState, physicalShardOf, uuidBytes, virtualUpperBound, ShardingState, seededRandom } from '../api/index.js';

const count = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 7);

const seeded = seededRandom;

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

function randomUuid(random: () => number): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[Math.floor(random() * 256)];
  }
  return s;
}

// The straightforward version, for comparison only.
const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
function naiveRouter(state: ShardingState): (uuid: string) => string {
  const bounds = Array.from({ length: state.virtualCount }, (_, i) => virtualUpperBound(i, state.virtualCount));
  return (uuid) => {
    if (!UUID_RE.test(uuid)) throw new Error('not a UUID');
    const hex = uuid.replace(/-/g, '');
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    const token = BigInt('0x' + murmur.x64.hash128(bytes).slice(0, 16));
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid] < token) lo = mid + 1;
      else hi = mid;
    }
    return state.physical[state.assignment[lo === bounds.length ? 0 : lo]].name;
  };
}

/**
 * Nanoseconds per item of the fastest of `rounds` passes of each function, the passes of all
 * functions interleaved so that load from other processes falls on all of them alike.
 */
function measure(fns: Record<string, () => number>): Record<string, number> {
  const best: Record<string, number> = {};
  for (let r = 0; r < rounds; r++)
    for (const [name, fn] of Object.entries(fns)) {
      const start = process.hrtime.bigint();
      fn();
      best[name] = Math.min(best[name] ?? Infinity, Number(process.hrtime.bigint() - start) / count);
    }
  return best;
}

const random = seeded(42);
const uuids = Array.from({ length: count }, () => randomUuid(random));
const bytes = uuids.map(uuidBytes);
const pods = Array.from({ length: 64 }, (_, i) => ({ name: `shoal-${i}` }));
const state = createShardingState({ desiredCount: 64, virtualPerPhysical: 128, replicationFactor: 3 }, pods, seeded(7));
const naive = naiveRouter(state);

const hash = () => {
  let n = 0;
  for (let i = 0; i < count; i++) n += murmur.x64.hash128(bytes[i]).length;
  return n;
};
const route = () => {
  let n = 0;
  for (let i = 0; i < count; i++) n += physicalShardOf(state, uuids[i]).length;
  return n;
};
const routeNaive = () => {
  let n = 0;
  for (let i = 0; i < count; i++) n += naive(uuids[i]).length;
  return n;
};

// Warm up all three so the JIT has compiled them before any timed pass.
hash();
route();
routeNaive();
const ns = measure({ hash, route, naive: routeNaive });
for (let i = 0; i < count; i += 997)
  if (naive(uuids[i]) !== physicalShardOf(state, uuids[i])) throw new Error(`routers disagree on ${uuids[i]}`);

const ratio = ns.hash / ns.route;
console.log(`sharding: ${count} UUIDs, 64 physical x 128 virtual shards, best of ${rounds} interleaved passes`);
console.log(`  murmur3 x64 128 alone (baseline)   ${ns.hash.toFixed(0).padStart(6)} ns/UUID`);
console.log(`  route (parse + token + lookup)     ${ns.route.toFixed(0).padStart(6)} ns/UUID`);
console.log(`  naive route (regex, bigint search) ${ns.naive.toFixed(0).padStart(6)} ns/UUID`);
console.log(`  routing throughput / hashing throughput = ${ratio.toFixed(2)}x (goal >= 0.50) ${ratio >= 0.5 ? 'OK' : 'BELOW GOAL'}`);
console.log(`  naive routing / hashing = ${(ns.hash / ns.naive).toFixed(2)}x`);
