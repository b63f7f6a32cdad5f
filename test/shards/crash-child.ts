// Child process of the crash test: opens the shard in the data dir given, imports forever (new
// objects and updates of earlier ones, several calls in flight), and prints `ACK <id> <version>`
// for every write apply() acknowledged, after it was acknowledged. The parent kills it with
// SIGKILL at random moments; stdout is a pipe, written synchronously on Linux, so a printed ACK
// was acknowledged before the kill.
import { createShardRegistry } from '../../node/src/shards/index.js';
import { CLASS, config, live, quietLog, randomVector, rng } from './helpers.js';

const [dataDir, seedText] = process.argv.slice(2);
const seed = Number(seedText);
const DIMS = 16;
const IN_FLIGHT = 4;
const BATCH = 25;

const registry = createShardRegistry({ dataDir, workers: 1, snapshotIntervalMs: 150, log: quietLog });
const shard = registry.open(CLASS, 's0', config({ distance: 'cosine' }));
await shard.loaded;
process.stdout.write('READY\n');

const next = rng(seed);
const acked = new Map<string, number>();
let counter = 0;

function batch() {
  const ids = [...acked.keys()];
  return Array.from({ length: BATCH }, () => {
    if (ids.length > 0 && next() < 0.2) {
      const id = ids[Math.floor(next() * ids.length)];
      return live(id, randomVector(next, DIMS), (acked.get(id) as number) + 1);
    }
    const id = `${seed.toString(16).padStart(8, '0')}-0000-4000-8000-${(counter++).toString(16).padStart(12, '0')}`;
    return live(id, randomVector(next, DIMS), 1);
  });
}

async function importLoop(): Promise<void> {
  for (;;) {
    const records = batch();
    const results = await shard.apply(records);
    const lines: string[] = [];
    results.forEach((r, i) => {
      if ('outcome' in r && r.outcome === 'applied') {
        acked.set(records[i].id, Math.max(acked.get(records[i].id) ?? 0, records[i].version));
        lines.push(`ACK ${records[i].id} ${records[i].version}\n`);
      } else if ('error' in r) throw new Error(r.error);
    });
    process.stdout.write(lines.join(''));
  }
}

await Promise.all(Array.from({ length: IN_FLIGHT }, importLoop));
