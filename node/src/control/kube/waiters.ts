// Requests that wait for the cluster to reach a state (the operator placed a class, released
// its finalizer, a patch came back through the watch). Probes run after every refresh of the
// snapshot, i.e. after its listeners ran, so a request resolves only once local shards follow.

interface Entry {
  probe: () => boolean;
  fail: (e: Error) => void;
}

export class Waiters {
  private readonly entries = new Set<Entry>();

  /** @param idle true when no refresh is running (then a new waiter is probed at once). */
  constructor(private readonly idle: () => boolean) {}

  /**
   * Resolves with the first result of `probe` that is not undefined; rejects with what `probe`
   * throws, or with `onTimeout()` after `timeoutMs`.
   */
  wait<T>(probe: () => T | undefined, timeoutMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        probe: () => {
          let value: T | undefined;
          try {
            value = probe();
          } catch (e) {
            settle();
            reject(e);
            return true;
          }
          if (value === undefined) return false;
          settle();
          resolve(value);
          return true;
        },
        fail: (e) => {
          settle();
          reject(e);
        },
      };
      const timer = setTimeout(() => entry.fail(onTimeout()), timeoutMs);
      const settle = () => {
        clearTimeout(timer);
        this.entries.delete(entry);
      };
      this.entries.add(entry);
      if (this.idle()) entry.probe();
    });
  }

  /** Probe every waiter (after a refresh). */
  check(): void {
    for (const e of [...this.entries]) e.probe();
  }

  failAll(error: Error): void {
    for (const e of [...this.entries]) e.fail(error);
  }
}
