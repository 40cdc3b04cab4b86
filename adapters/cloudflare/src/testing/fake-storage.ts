import type { DurableObjectListOptionsLike, DurableObjectStorageLike } from "../types.js";

/**
 * An in-memory stand-in for a Durable Object's `state.storage` (key-value API), with the
 * limits that shape the driver: values are structured clones, `get(keys)`, `put(entries)`
 * and `delete(keys)` take at most 128 keys, values over 128 KiB are refused, keys list in order.
 * The real thing is exercised on workerd in workerd.test.ts.
 */
export class FakeDurableStorage implements DurableObjectStorageLike {
  readonly data = new Map<string, unknown>();
  alarm: number | null = null;
  writes = 0;

  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  async get<T>(keyOrKeys: string | string[]): Promise<T | undefined | Map<string, T>> {
    if (Array.isArray(keyOrKeys)) {
      if (keyOrKeys.length > 128) throw new RangeError("get(): at most 128 keys");
      const found = new Map<string, T>();
      for (const key of keyOrKeys) if (this.data.has(key)) found.set(key, structuredClone(this.data.get(key)) as T);
      return found;
    }
    return this.data.has(keyOrKeys) ? (structuredClone(this.data.get(keyOrKeys)) as T) : undefined;
  }

  put<T>(key: string, value: T): Promise<void>;
  put<T>(entries: Record<string, T>): Promise<void>;
  async put<T>(keyOrEntries: string | Record<string, T>, value?: T): Promise<void> {
    const entries = typeof keyOrEntries === "string" ? { [keyOrEntries]: value } : keyOrEntries;
    if (Object.keys(entries).length > 128) throw new RangeError("put(): at most 128 keys");
    for (const [key, v] of Object.entries(entries)) {
      const size = JSON.stringify(v)?.length ?? 0;
      if (size * 2 > 128 * 1024) throw new RangeError(`put(): value of ${key} is over 128 KiB`);
      this.data.set(key, structuredClone(v));
      this.writes++;
    }
  }

  delete(key: string): Promise<boolean>;
  delete(keys: string[]): Promise<number>;
  async delete(keyOrKeys: string | string[]): Promise<boolean | number> {
    if (Array.isArray(keyOrKeys)) {
      if (keyOrKeys.length > 128) throw new RangeError("delete(): at most 128 keys");
      let count = 0;
      for (const key of keyOrKeys) if (this.data.delete(key)) count++;
      return count;
    }
    return this.data.delete(keyOrKeys);
  }

  async list<T>(options: DurableObjectListOptionsLike = {}): Promise<Map<string, T>> {
    const keys = [...this.data.keys()].filter((key) => key.startsWith(options.prefix ?? "")).sort();
    const limited = options.limit === undefined ? keys : keys.slice(0, options.limit);
    return new Map(limited.map((key) => [key, structuredClone(this.data.get(key)) as T]));
  }

  async deleteAll(): Promise<void> {
    this.data.clear();
  }

  async getAlarm(): Promise<number | null> {
    return this.alarm;
  }

  async setAlarm(time: number | Date): Promise<void> {
    this.alarm = typeof time === "number" ? time : time.getTime();
  }

  async deleteAlarm(): Promise<void> {
    this.alarm = null;
  }
}
