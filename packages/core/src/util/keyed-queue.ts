/**
 * Runs async work one at a time per key (read-modify-write of one record), in arrival order;
 * different keys run freely. Entries are dropped as soon as a key's queue drains.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(work, work);
    this.#tails.set(key, next);
    void next
      .finally(() => {
        if (this.#tails.get(key) === next) this.#tails.delete(key);
      })
      .catch(() => {});
    return next;
  }
}
