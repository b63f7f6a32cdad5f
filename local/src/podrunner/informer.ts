// An informer that keeps going. client-node 1.4's informer handles 410 Gone itself but stops
// for good on any other error; this restarts it with jittered exponential backoff.
import { KubeConfig, makeInformer, Informer, ObjectCache, KubernetesObject, ListPromise } from '@kubernetes/client-node';

export interface ResilientInformer<T extends KubernetesObject> {
  cache: ObjectCache<T>;
  onChange(cb: (obj: T) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function resilientInformer<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  list: ListPromise<T>,
  opts: { onError?: (err: unknown, retryInMs: number) => void; maxBackoffMs?: number } = {},
): ResilientInformer<T> {
  const inf: Informer<T> & ObjectCache<T> = makeInformer(kc, path, list);
  let stopped = false;
  let backoffMs = 200;
  let timer: NodeJS.Timeout | undefined;
  const restart = (err: unknown) => {
    if (stopped) return;
    const delay = backoffMs * (0.5 + Math.random());
    backoffMs = Math.min(backoffMs * 2, opts.maxBackoffMs ?? 10_000);
    opts.onError?.(err, delay);
    timer = setTimeout(() => void inf.start().catch(restart), delay);
  };
  inf.on('error', restart);
  inf.on('connect', () => (backoffMs = 200));
  return {
    cache: inf,
    onChange: (cb) => {
      inf.on('add', cb);
      inf.on('update', cb);
      inf.on('delete', cb);
    },
    start: () => inf.start(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inf.stop();
    },
  };
}
