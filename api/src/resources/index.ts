// Shoal's custom resources (group shoal.dev, version v1alpha1): VectorCluster and VectorClass,
// their spec and status declarations (types, validation and CRD schema in one), the CRDs, and
// the pod -> operator report. Shared by the operator, the pods and local mode.
export * from './meta.js';
export * from './conditions.js';
export * from './cel.js';
export * from './vectorcluster.js';
export * from './vectorclass.js';
export * from './report.js';
export * from './crd.js';
