// Shared fixtures for the local API server tests.
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../../local/src/apiserver/index.js';

export async function startServer(opts: ApiServerOptions = {}): Promise<{ server: ApiServer; kc: KubeConfig }> {
  const server = await startApiServer({ gcIntervalMs: 200, ...opts });
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  return { server, kc };
}

/** Poll `check` until it returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The Status body of a client-node ApiException (its body is the raw response text). */
export function statusOf(e: unknown): { code: number; reason: string; message: string; details?: { causes?: { field: string; message: string }[] } } {
  const err = e as { code?: number; body?: unknown };
  const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
  return body as ReturnType<typeof statusOf>;
}

export async function expectStatus(p: Promise<unknown>, code: number): Promise<ReturnType<typeof statusOf>> {
  try {
    await p;
  } catch (e) {
    if (typeof (e as { code?: unknown }).code !== 'number') throw e;
    const s = statusOf(e);
    if (s.code !== code) throw new Error(`expected HTTP ${code}, got ${s.code}: ${s.message}`);
    return s;
  }
  throw new Error(`expected HTTP ${code}, but the request succeeded`);
}

export const WIDGET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
      additionalPrinterColumns: [
        { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
        { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              required: ['dimensions'],
              'x-kubernetes-validations': [
                { rule: '!has(oldSelf.dimensions) || self.dimensions == oldSelf.dimensions', message: 'dimensions is immutable' },
              ],
              properties: {
                replicas: { type: 'integer', minimum: 0, maximum: 9, default: 1 },
                dimensions: { type: 'integer', minimum: 1 },
                color: { type: 'string', enum: ['red', 'blue'] },
                port: { 'x-kubernetes-int-or-string': true },
                clusterRef: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'clusterRef is immutable' }] },
                tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
                extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
            status: {
              type: 'object',
              properties: { replicas: { type: 'integer' }, phase: { type: 'string' }, selector: { type: 'string' } },
            },
          },
        },
      },
    }],
  },
};

export type Widget = {
  apiVersion: string; kind: string;
  metadata: { name?: string; namespace?: string; resourceVersion?: string; generation?: number; finalizers?: string[];
    deletionTimestamp?: string; ownerReferences?: unknown[]; uid?: string; labels?: Record<string, string>; managedFields?: unknown[] };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export function widget(name: string, spec: Record<string, unknown> = { dimensions: 3 }): Widget {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' }, spec };
}

export const W = { group: 'example.com', version: 'v1', namespace: 'default', plural: 'widgets' };
