// Minimum-cost maximum flow by successive shortest paths (Dijkstra with Johnson potentials).
// Replica placement is a small transportation problem (shards -> zones -> pods, see
// placement.ts); solving it exactly gives provably minimal movement instead of a greedy guess.
// Costs must be non-negative integers whose sums stay below 2^53.

/** A flow network with integer capacities and non-negative integer costs per unit of flow. */
export class FlowNetwork {
  private readonly head: number[];
  private readonly next: number[] = [];
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly cost: number[] = [];

  constructor(readonly nodeCount: number) {
    this.head = new Array<number>(nodeCount).fill(-1);
  }

  /** Add an edge; returns its id (for flowOn). */
  addEdge(from: number, to: number, capacity: number, cost: number): number {
    if (capacity <= 0) return -1;
    const id = this.to.length;
    this.push(from, to, capacity, cost);
    this.push(to, from, 0, -cost);
    return id;
  }

  /** Units of flow on an edge added by addEdge (0 for an edge that was skipped). */
  flowOn(edge: number): number {
    return edge < 0 ? 0 : this.cap[edge ^ 1];
  }

  /** Push as much flow as possible from source to sink at minimum total cost. */
  minCostMaxFlow(source: number, sink: number): { flow: number; cost: number } {
    const potential = new Array<number>(this.nodeCount).fill(0);
    let flow = 0;
    let cost = 0;
    for (;;) {
      const { dist, via } = this.shortestPaths(source, potential);
      if (dist[sink] === Infinity) return { flow, cost };
      for (let v = 0; v < this.nodeCount; v++) if (dist[v] < Infinity) potential[v] += dist[v];
      let push = Infinity;
      for (let v = sink; v !== source; v = this.to[via[v] ^ 1]) push = Math.min(push, this.cap[via[v]]);
      for (let v = sink; v !== source; v = this.to[via[v] ^ 1]) {
        this.cap[via[v]] -= push;
        this.cap[via[v] ^ 1] += push;
        cost += push * this.cost[via[v]];
      }
      flow += push;
    }
  }

  private push(from: number, to: number, capacity: number, cost: number): void {
    this.to.push(to);
    this.cap.push(capacity);
    this.cost.push(cost);
    this.next.push(this.head[from]);
    this.head[from] = this.to.length - 1;
  }

  /** Dijkstra over residual edges with reduced costs (non-negative thanks to the potentials). */
  private shortestPaths(source: number, potential: number[]): { dist: number[]; via: number[] } {
    const dist = new Array<number>(this.nodeCount).fill(Infinity);
    const via = new Array<number>(this.nodeCount).fill(-1);
    const heap = new MinHeap();
    dist[source] = 0;
    heap.push(0, source);
    while (heap.size > 0) {
      const [d, u] = heap.pop();
      if (d > dist[u]) continue;
      for (let e = this.head[u]; e !== -1; e = this.next[e]) {
        if (this.cap[e] === 0) continue;
        const v = this.to[e];
        const nd = d + this.cost[e] + potential[u] - potential[v];
        if (nd < dist[v]) {
          dist[v] = nd;
          via[v] = e;
          heap.push(nd, v);
        }
      }
    }
    return { dist, via };
  }
}

/** Binary min-heap of (key, value) pairs; equal keys pop by value, so the order is deterministic. */
class MinHeap {
  private readonly keys: number[] = [];
  private readonly values: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  push(key: number, value: number): void {
    let i = this.keys.length;
    this.keys.push(key);
    this.values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): [number, number] {
    const top: [number, number] = [this.keys[0], this.values[0]];
    const lastKey = this.keys.pop()!;
    const lastValue = this.values.pop()!;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.values[0] = lastValue;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.keys.length && this.less(l, m)) m = l;
      if (r < this.keys.length && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private less(a: number, b: number): boolean {
    return this.keys[a] < this.keys[b] || (this.keys[a] === this.keys[b] && this.values[a] < this.values[b]);
  }

  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.values[a], this.values[b]] = [this.values[b], this.values[a]];
  }
}
