// Must-show, fault test: replication 3, QUORUM. Two pods take imports continuously while the test
// takes one of them down (frozen, then kill -9; the pod runner restarts it) and deletes objects
// through another pod while it is down. Afterwards:
//   - every acknowledged object is readable at QUORUM from every pod (Jepsen's "no lost
//     acknowledged writes"),
//   - all replicas hold identical content (equal digests) within a bounded time,
//   - objects deleted while the replica was down stay deleted after it returns (no resurrection).
// Twice: with hinted handoff, and with every hint lost (a hint window of 0 drops them before they
// can be replayed), where anti-entropy alone must bring the returning replica back in line.
import { expect } from 'chai';
import { row, seededRandom } from '../../bench/dataset.js';
import { runConcurrent } from '../../bench/http-load.js';
import { waitFor } from '../support/wait.js';
import { CLASS, Cluster, batchBody, uuidOf } from './helpers.js';

const DIMS = 16;
const BATCH = 50;
const CONVERGENCE_MS = 60_000;
const RANGE = 20_000;

function vectors(count: number): Float32Array {
  const next = seededRandom(7);
  return Float32Array.from({ length: count * DIMS }, () => next() * 2 - 1);
}

/** Imports new objects (ids first .. first+RANGE-1) through one pod until stopped; remembers which the pod acknowledged. */
class Importer {
  readonly acked: number[] = [];
  failedBatches = 0;
  private stopped = false;
  private done: Promise<void> | undefined;

  constructor(private readonly url: () => string, private readonly first: number, private readonly vecs: Float32Array) {}

  start(): void {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async loop(): Promise<void> {
    // Each importer owns its id range: an id written again after its delete would rightly come back.
    for (let next = this.first; !this.stopped && next + BATCH <= this.first + RANGE; next += BATCH) {
      try {
        const res = await fetch(`${this.url()}/v1/batch/objects?consistency_level=QUORUM`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: batchBody(this.vecs, DIMS, next, BATCH), signal: AbortSignal.timeout(15_000),
        });
        const body = (await res.json()) as Array<{ id: string; result?: { errors?: unknown } }>;
        if (res.status === 200) for (const o of body) if (!o.result?.errors) this.acked.push(parseInt(o.id.slice(24), 16));
        else this.failedBatches++;
      } catch {
        this.failedBatches++; // the pod is down: nothing in this batch was acknowledged to us
      }
      await new Promise((r) => setTimeout(r, 40));
    }
  }
}

const VARIANTS: Array<{ name: string; cluster: string; env: Record<string, string> }> = [
  { name: 'with hints', cluster: 'faults', env: {} },
  { name: 'hints lost', cluster: 'nohints', env: { SHOAL_HINT_WINDOW_MS: '0' } },
];

for (const variant of VARIANTS)
describe(`cluster: kill -9 during imports, replication 3, QUORUM (${variant.name})`, function () {
  this.timeout(300_000);
  let c: Cluster;
  const vecs = vectors(2 * RANGE);

  before(async () => {
    c = await Cluster.start({
      name: variant.cluster, pods: 3, shards: 2, replicationFactor: 3, dimensions: DIMS,
      podEnv: { SHOAL_ANTI_ENTROPY_INTERVAL_MS: '2000', SHOAL_HINT_REPLAY_INTERVAL_MS: '1000', SHOAL_WRITE_TIMEOUT_MS: '3000', SHOAL_READ_TIMEOUT_MS: '3000', ...variant.env },
    });
  });
  after(() => c?.stop());

  it('loses no acknowledged write, converges, and never resurrects a delete', async () => {
    const importers = [new Importer(() => c.pod(`${variant.cluster}-0`).http, 0, vecs), new Importer(() => c.pod(`${variant.cluster}-1`).http, RANGE, vecs)];
    importers.forEach((i) => i.start());
    await waitFor(() => importers.every((i) => i.acked.length >= 500), { what: 'both importers to get 500 acknowledgements', timeoutMs: 60_000 });

    // Pod 1 goes down hard: frozen first (SIGSTOP: it applies nothing from now on, whatever the
    // pod runner's restart timing), deletes go through pod 0, then kill -9 (the runner restarts it).
    const victim = c.pod(`${variant.cluster}-1`);
    process.kill(victim.pid!, 'SIGSTOP');
    const doomed = importers[0].acked.slice(0, 30).concat(importers[1].acked.slice(0, 30));
    const deleteStatuses: number[] = [];
    await runConcurrent(doomed, 10, async (i) => {
      const r = await c.http(`${variant.cluster}-0`).delete(`/v1/objects/${CLASS}/${uuidOf(i)}?consistency_level=QUORUM`);
      deleteStatuses.push(r.status);
    });
    expect(deleteStatuses.every((s) => s === 204), `delete statuses ${deleteStatuses}`).to.equal(true);
    expect(c.pod(`${variant.cluster}-1`).pid, 'pod 1 is still the frozen process while the deletes complete').to.equal(victim.pid);
    process.kill(victim.pid!, 'SIGKILL');

    await waitFor(() => {
      const p = c.pod(`${variant.cluster}-1`);
      return p.restarts > victim.restarts && p.ready;
    }, { what: 'pod 1 restarted and ready', timeoutMs: 60_000 });
    const afterRestart = importers[1].acked.length;
    await waitFor(() => importers[1].acked.length >= afterRestart + 300, { what: 'imports through the restarted pod', timeoutMs: 60_000 });
    await Promise.all(importers.map((i) => i.stop()));

    // Convergence: every replica of every shard holds the same records.
    const started = Date.now();
    await waitFor(async () => {
      const digests = await c.digests();
      return [...digests.values()].every((roots) => new Set(roots.map(([, r]) => r)).size === 1);
    }, { what: 'equal digests on all replicas', timeoutMs: CONVERGENCE_MS, intervalMs: 500 });
    console.log(`      converged ${Date.now() - started} ms after the imports stopped; acknowledged ${importers.map((i) => i.acked.length).join(' + ')}, failed batches ${importers.map((i) => i.failedBatches).join(' + ')}`);

    const deleted = new Set(doomed);
    const live = importers.flatMap((i) => i.acked).filter((i) => !deleted.has(i));
    for (const pod of c.podNames()) {
      const http = c.http(pod);
      const missing: number[] = [];
      await runConcurrent(live, 16, async (i) => {
        const r = await http.get(`/v1/objects/${CLASS}/${uuidOf(i)}?consistency_level=QUORUM`);
        if (r.status !== 200) missing.push(i);
      });
      expect(missing, `acknowledged objects not readable through ${pod}`).to.deep.equal([]);
      const resurrected: number[] = [];
      await runConcurrent(doomed, 10, async (i) => {
        const r = await http.get(`/v1/objects/${CLASS}/${uuidOf(i)}?consistency_level=ALL`);
        if (r.status !== 404) resurrected.push(i);
      });
      expect(resurrected, `deleted objects visible through ${pod}`).to.deep.equal([]);
    }
    const sample = await c.http(`${variant.cluster}-2`).get(`/v1/objects/${CLASS}/${uuidOf(live[live.length - 1])}?include=vector`);
    expect(Array.from(Float32Array.from(sample.body.vector as number[]))).to.deep.equal(Array.from(row(vecs, DIMS, live[live.length - 1])));
  });
});
