// The Kubernetes control source (SHOAL_CONTROL=kube) and the pod report writer: the node's side
// of the hand-off with the operator. See source.ts (watching VectorClasses), changes.ts (schema
// changes through the API), report.ts (the shoal.dev/report annotation), config.ts (environment).
export { KubeControl, createKubeControlSource, type KubeControlOptions } from './source.js';
export { loadKubeControlConfig, kubeConfigOf, KubeControlConfigError, KUBE_CONTROL_ENVIRONMENT, type KubeControlConfig } from './config.js';
export { PodReportWriter, createPodReportWriter, registryShardReports, type PodReportWriterOptions, type LocalShardReport } from './report.js';
export { podAnnotationPatcher, FIELD_MANAGER } from './api.js';
export { resourceNameOf } from './names.js';
export { FORBIDDEN_KIND } from './errors.js';
