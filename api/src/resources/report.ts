// What a data-plane pod tells the operator, as JSON in its own Pod's `shoal.dev/report`
// annotation (POD_REPORT_ANNOTATION). Pods never write VectorClass or VectorCluster status: the
// operator folds the reports into status, so each status field has exactly one writer.
//
// Contract for the pods:
//  - `shards` lists every shard replica the pod holds on disk, keyed by physical shard name,
//    with `ready` (loaded and serving) and `objects` (live objects).
//  - When a VectorClass gets a deletionTimestamp (or disappears), the pod deletes the data of
//    that class's shards and then drops them from `shards`. The operator removes the class's
//    finalizer once no pod lists any of its shards: absence from every report is the hand-off.
//  - `members` names the pods gossip currently sees alive (this pod included).
//  - Write the whole annotation at once (a JSON merge patch of metadata.annotations), at most
//    every few seconds and only when something changed.
import { s, Infer, safeParse } from '../schema/index.js';
import { POD_REPORT_ANNOTATION } from './meta.js';

export const shardReportSchema = s
  .object(
    {
      class: s.string().describe('Name of the class (spec.class.class) the shard belongs to, for humans.'),
      ready: s.boolean().describe('Whether the replica is loaded and serving.'),
      objects: s.integer({ minimum: 0 }).describe('Live objects in the replica.').optional(),
    },
    { ignoreUnknown: true },
  )
  .describe('One shard replica held by the reporting pod.');

export const podReportSchema = s
  .object(
    {
      updatedAt: s.string({ format: 'date-time' }).describe('When the pod wrote this report (RFC 3339).').optional(),
      members: s.array(s.string().describe('A pod name.')).describe('Pods gossip sees alive, this one included.').optional(),
      shards: s.record(shardReportSchema).default({}).describe('Shard replicas on this pod, keyed by physical shard name.'),
    },
    { ignoreUnknown: true },
  )
  .describe('A pod\'s report to the operator.');

export type PodReport = Infer<typeof podReportSchema>;
export type ShardReport = Infer<typeof shardReportSchema>;

/**
 * The report in a pod's annotations: undefined when there is none, or when it does not parse
 * (a pod that reports garbage counts as one that has not reported; the operator logs it).
 */
export function podReportOf(annotations: Record<string, string> | undefined): PodReport | undefined {
  const raw = annotations?.[POD_REPORT_ANNOTATION];
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const r = safeParse(podReportSchema, json);
  return r.ok ? r.value : undefined;
}

/** The annotation value a pod writes. */
export function serializePodReport(report: PodReport): string {
  return JSON.stringify(report);
}
