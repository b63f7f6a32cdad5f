// The pod runner's face: the local stand-in for the StatefulSet controller and the kubelet.
export { startPodRunner, PodRunner } from './runner.js';
export type { PodRunnerOptions, LocalPodInfo } from './runner.js';
export { ANNOTATION_HTTP, ANNOTATION_PID, ANNOTATION_PORTS } from './pod-objects.js';
