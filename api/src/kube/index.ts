// Talking to the Kubernetes API, shared by the operator, the pods (kube control source) and
// local mode: an informer that survives errors, backoff, an injectable clock, error decoding.
export * from './informer.js';
export * from './backoff.js';
export * from './clock.js';
export * from './errors.js';
