// Sample data for `make run`: once a class is placed and its pods are ready, import a few
// hundred synthetic objects through a pod's public API, like any client would.
import type { LocalCluster } from './up.js';
import { seededRandom } from '../../api/index.js';

interface ClassResource {
  metadata: { name: string; namespace?: string };
  spec: { class: { class: string; properties?: Array<{ name: string; dataType: string[] }> } };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

const DIMENSIONS = 32;

export function sampleVector(random: () => number): number[] {
  return Array.from({ length: DIMENSIONS }, () => Math.round((random() * 2 - 1) * 1000) / 1000);
}

function sampleProperties(cls: ClassResource['spec']['class'], i: number): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const p of cls.properties ?? []) {
    const t = p.dataType[0];
    if (t === 'text') props[p.name] = `${p.name} ${i}`;
    else if (t === 'int') props[p.name] = (i * 37) % 1000;
    else if (t === 'number') props[p.name] = i / 10;
    else if (t === 'boolean') props[p.name] = i % 2 === 0;
  }
  return props;
}

export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Import `count` objects into every placed class; returns a query to try per class. */
export async function importSample(cluster: LocalCluster, count: number, timeoutMs = 120_000): Promise<string[]> {
  const queries: string[] = [];
  const classes = cluster.api.list('vectorclasses.shoal.dev') as unknown as ClassResource[];
  for (const res of classes) {
    const cls = res.spec.class;
    await until(`VectorClass ${res.metadata.name} to be placed`, timeoutMs, async () => {
      const cur = cluster.api.get('vectorclasses.shoal.dev', res.metadata.name, res.metadata.namespace) as unknown as ClassResource | undefined;
      return cur?.status?.conditions?.some((c) => c.type === 'Placed' && c.status === 'True') ? true : undefined;
    });
    const http = await until('a ready pod', timeoutMs, async () => cluster.runner.list().find((p) => p.ready)?.http);
    const random = seededRandom(42);
    for (let start = 0; start < count; start += 100) {
      const objects = Array.from({ length: Math.min(100, count - start) }, (_, k) => ({
        class: cls.class,
        properties: sampleProperties(cls, start + k),
        vector: sampleVector(random),
      }));
      await until(`batch import into ${cls.class}`, timeoutMs, async () => {
        const r = await fetch(`${http}/v1/batch/objects`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ objects }) });
        if (!r.ok) return undefined;
        const results = (await r.json()) as Array<{ result?: { errors?: unknown } }>;
        return results.every((x) => !x.result?.errors) ? true : undefined;
      });
    }
    const v = JSON.stringify(sampleVector(seededRandom(7)));
    const fields = (cls.properties ?? []).map((p) => p.name).join(' ');
    const query = `{Get{${cls.class}(nearVector:{vector:${v}},limit:3){${fields} _additional{id distance}}}}`;
    queries.push(`curl -s ${http}/v1/graphql -H 'content-type: application/json' -d '${JSON.stringify({ query })}'`);
  }
  return queries;
}
