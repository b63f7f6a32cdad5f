// The two CustomResourceDefinitions, built from the schema declarations in this folder: the
// OpenAPI schemas come from `.openapi()` of the very objects the operator parses with, so the
// CRDs and the types cannot drift. crds/*.yaml is this output, written by the operator's crdgen
// CLI and compared against it by a test.
import { OpenApi } from '../schema/index.js';
import { GROUP, VERSION, VECTOR_CLUSTER, VECTOR_CLASS } from './meta.js';
import { vectorClusterSpecSchema, vectorClusterStatusSchema, CLUSTER_NAME_PATTERN, MAX_CLUSTER_NAME_LENGTH } from './vectorcluster.js';
import { vectorClassSpecSchema, vectorClassStatusSchema } from './vectorclass.js';

export type Crd = Record<string, unknown> & { metadata: { name: string; labels?: Record<string, string> } };

interface Names {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
}

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean' | 'number';
  jsonPath: string;
  description: string;
  priority?: number;
}

/** Short names for kubectl; checked against the built-in resources' short names in the tests. */
export const SHORT_NAMES = { vectorCluster: ['vcluster'], vectorClass: ['vclass'] } as const;
export const CATEGORY = 'shoal';

function rootSchema(kind: string, what: string, spec: OpenApi, status: OpenApi, rules?: OpenApi[]): OpenApi {
  const o: OpenApi = {
    type: 'object',
    description: what,
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion of this representation of the object; shoal.dev/v1alpha1.' },
      kind: { type: 'string', description: `Kind of the object; ${kind}.` },
      metadata: { type: 'object' },
      spec,
      status,
    },
    required: ['spec'],
  };
  if (rules) o['x-kubernetes-validations'] = rules;
  return o;
}

function crd(names: Names, shortNames: readonly string[], schema: OpenApi, columns: PrinterColumn[], subresources: OpenApi): Crd {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${names.plural}.${GROUP}`, labels: { 'app.kubernetes.io/name': 'shoal', 'app.kubernetes.io/part-of': 'shoal' } },
    spec: {
      group: GROUP,
      names: { ...names, shortNames: [...shortNames], categories: [CATEGORY] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: schema },
          subresources,
          additionalPrinterColumns: columns,
        },
      ],
    },
  };
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' };

export function vectorClusterCrd(): Crd {
  const nameRule = {
    rule: `self.metadata.name.size() <= ${MAX_CLUSTER_NAME_LENGTH} && self.metadata.name.matches('${CLUSTER_NAME_PATTERN.source}')`,
    message: `metadata.name must be at most ${MAX_CLUSTER_NAME_LENGTH} characters of lower-case letters, digits and '-', starting with a letter (it names the StatefulSet and its Services)`,
  };
  const schema = rootSchema(
    VECTOR_CLUSTER.kind,
    'VectorCluster is a set of Shoal data-plane pods that hold the shards of VectorClasses and answer imports and queries.',
    vectorClusterSpecSchema.openapi(),
    vectorClusterStatusSchema.openapi(),
    [nameRule],
  );
  const columns: PrinterColumn[] = [
    { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired number of pods.' },
    { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Pods passing their readiness probe.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Summary of the cluster\'s state.' },
    { name: 'Image', type: 'string', jsonPath: '.spec.image', description: 'Container image of the pods.', priority: 1 },
    AGE,
  ];
  const subresources = {
    status: {},
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
  };
  return crd(VECTOR_CLUSTER, SHORT_NAMES.vectorCluster, schema, columns, subresources);
}

export function vectorClassCrd(): Crd {
  const schema = rootSchema(
    VECTOR_CLASS.kind,
    'VectorClass is a collection of objects with vectors (a Weaviate class) stored on a VectorCluster.',
    vectorClassSpecSchema.openapi(),
    vectorClassStatusSchema.openapi(),
  );
  const columns: PrinterColumn[] = [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterRef.name', description: 'The VectorCluster holding the class.' },
    { name: 'Class', type: 'string', jsonPath: '.spec.class.class', description: 'Class name in the API.' },
    { name: 'Shards', type: 'integer', jsonPath: '.spec.class.shardingConfig.desiredCount', description: 'Number of physical shards.' },
    { name: 'Replication', type: 'integer', jsonPath: '.spec.class.replicationConfig.factor', description: 'Replicas per shard.' },
    { name: 'Ready Shards', type: 'integer', jsonPath: '.status.readyShards', description: 'Shards whose replicas are all ready.' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Summary of the class\'s state.' },
    { name: 'Objects', type: 'integer', jsonPath: '.status.objects', description: 'Live objects, as the pods report.', priority: 1 },
    AGE,
  ];
  return crd(VECTOR_CLASS, SHORT_NAMES.vectorClass, schema, columns, { status: {} });
}

/** Both CRDs, in a stable order, with the file name each is written to under crds/. */
export function allCrds(): Array<{ file: string; crd: Crd }> {
  return [vectorClusterCrd(), vectorClassCrd()].map((c) => ({ file: `${c.metadata.name.split('.')[0]}.${GROUP}.yaml`, crd: c }));
}
