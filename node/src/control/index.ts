// The node's control face: the ControlSource interface, the standalone and Kubernetes-backed
// sources, the shard sync that follows either, and the one class lookup every path uses.
export type { ClassState, ControlSnapshot, ControlListener, ControlSource, PendingClass } from './types.js';
export { StandaloneControl, type StandaloneOptions } from './standalone.js';
export { ShardSync } from './shard-sync.js';
export { indexConfigOf } from './index-config.js';
export { routableClass, notRoutable } from './routable.js';
export {
  createKubeControlSource, loadKubeControlConfig, KUBE_CONTROL_ENVIRONMENT, createPodReportWriter, registryShardReports,
  type KubeControl, type KubeControlConfig,
} from './kube/index.js';
