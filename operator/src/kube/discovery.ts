// Whether optional kinds are served, remembered for a while: discovery on every reconcile would
// double the operator's requests, and installing the Prometheus Operator later is picked up
// within `ttlMs`.
import { Clock, realClock } from '../../../api/index.js';
import { KubeClient } from './client.js';
import { KindProbe } from '../controllers/deps.js';
import { SERVICE_MONITOR_API_VERSION } from '../build/index.js';

export class CachedKindProbe implements KindProbe {
  private cached?: { value: boolean; atMs: number };

  constructor(private readonly client: KubeClient, private readonly clock: Clock = realClock, readonly ttlMs = 60_000) {}

  async serviceMonitorsAvailable(): Promise<boolean> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.atMs < this.ttlMs) return this.cached.value;
    const value = await this.client.kindExists(SERVICE_MONITOR_API_VERSION, 'ServiceMonitor');
    this.cached = { value, atMs: now };
    return value;
  }
}
