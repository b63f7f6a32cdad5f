// Shared shapes of the local API server. Objects are plain JSON: the server never needs typed
// Kubernetes models, only the few metadata fields every object has.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any Kubernetes object as stored: apiVersion/kind/metadata plus free-form content. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Where the scale subresource reads and writes replicas (CRD `subresources.scale`). */
export interface ScaleSpec {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** A served kind: one resource (group + plural) in one or more versions. */
export interface ResourceDef {
  group: string;
  /** Served versions; the first one is the storage version (objects are stored in it). */
  versions: string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  statusSubresource: boolean;
  scale?: ScaleSpec;
  /** True for kinds defined by a CustomResourceDefinition. */
  custom: boolean;
  /** Per served version (CRs only): the openAPIV3Schema and printer columns. */
  schemas?: Record<string, JsonObject | undefined>;
  printerColumns?: Record<string, PrinterColumn[]>;
  /** Storage shared with another resource (events.k8s.io/v1 events live in core v1 events). */
  storageOf?: string;
}

export type Verb =
  | 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change; the event log and watches are made of these. */
export interface StoreEvent {
  type: WatchEventType;
  rv: number;
  /** `group/plural` of the storage the object lives in. */
  storageKey: string;
  object: KObject;
  /** State before the change (MODIFIED and DELETED), so selector watches can synthesise ADDED/DELETED. */
  prev?: KObject;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Collected `Warning` header texts (fieldValidation=Warn). */
  warnings?: string[];
}

export type LogFn = (line: string) => void;
