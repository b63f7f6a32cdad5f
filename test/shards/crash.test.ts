// kill -9 at random moments while importing: no acknowledged write is lost, every acknowledged
// object is searchable after restart, and the shard always opens.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LiveObject } from '../../node/src/objects/types.js';
import { CLASS, Fixture, config, rng } from './helpers.js';

const CHILD = fileURLToPath(new URL('./crash-child.js', import.meta.url));
const ROUNDS = 5;

interface Round {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
}

function startChild(dataDir: string, seed: number, acked: Map<string, number>, onAck: () => void): Round {
  const child = spawn(process.execPath, [CHILD, dataDir, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffer = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() as string;
    for (const line of lines) {
      if (line === 'READY') markReady();
      const [tag, id, version] = line.split(' ');
      if (tag !== 'ACK') continue;
      acked.set(id, Math.max(acked.get(id) ?? 0, Number(version)));
      onAck();
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, ready, exited };
}

describe('shards: crash (kill -9 while importing)', function () {
  this.timeout(120_000);
  let fx: Fixture;
  before(() => (fx = new Fixture()));
  after(() => fx.cleanup());

  it('keeps every acknowledged write and reopens searchable, round after round', async () => {
    const acked = new Map<string, number>();
    const random = rng(Date.now() & 0xffff);
    for (let round = 0; round < ROUNDS; round++) {
      const target = acked.size + 200 + Math.floor(random() * 1200);
      let killAt: (() => void) | undefined;
      const reached = new Promise<void>((resolve) => (killAt = resolve));
      const r = startChild(fx.dataDir, round + 1, acked, () => acked.size >= target && killAt?.());
      // The shard must open after every previous kill, whatever moment it hit.
      await Promise.race([r.ready, r.exited.then(() => Promise.reject(new Error(`child exited before opening the shard in round ${round}`)))]);
      await Promise.race([reached, r.exited]);
      // Kill at a random point of whatever the child is doing (mid-commit, mid-snapshot, ...).
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 40)));
      r.child.kill('SIGKILL');
      await r.exited;
    }
    expect(acked.size).to.be.greaterThan(ROUNDS * 200);

    const shard = fx.registry().open(CLASS, 's0', config({ distance: 'cosine' }));
    await shard.loaded;
    expect(shard.count()).to.be.at.least(acked.size);
    const missing: string[] = [];
    const unsearchable: string[] = [];
    for (const [id, version] of acked) {
      const rec = shard.get(id);
      if (!rec || rec.deleted || rec.version < version) {
        missing.push(id);
        continue;
      }
      const hits = await shard.search({ vector: (rec as LiveObject).vector as Float32Array, k: 10 });
      if (!hits.some((h) => h.id === id)) unsearchable.push(id);
    }
    expect(missing, 'acknowledged but missing or older').to.deep.equal([]);
    expect(unsearchable.length, `acknowledged but not found by its own vector: ${unsearchable.slice(0, 5)}`).to.equal(0);
  });
});
