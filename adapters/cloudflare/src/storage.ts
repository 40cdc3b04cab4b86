import type { Bus, EventStore, LeaseStore, RecordChange, SessionRecord, SessionStore, Storage, StoredEvent, TaskStore } from "@wisp/core";
import { memoryBus } from "./bus.js";
import type { DurableObjectStorageLike } from "./types.js";

export interface DurableObjectStorageOptions {
  /** The bus; default: in-memory, which is right when all of a session's traffic reaches this object. */
  bus?: Bus;
  /** Events kept per stream for resumption; older ones are dropped first. Default 1 000. */
  maxEventsPerStream?: number;
}

/** A storage driver that also expires entries when the object's alarm fires. */
export interface DurableStorage extends Storage {
  /** Deletes expired sessions (with their events) and tasks, then sets the alarm for the next expiry. */
  sweep(): Promise<void>;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

interface StreamHead {
  /** Sequence number of the oldest kept event. */
  first: number;
  /** Sequence number the next event gets. */
  next: number;
}

interface EventEntry {
  id: string;
  final?: boolean;
  /** The data when it fits one value; otherwise `parts` values under the part prefix. */
  data?: string;
  parts?: number;
}

// Key layout. "\u0001" sorts below every visible character, so `prefix + id + SEP` never
// matches another id that merely starts with `id`.
const SEP = "\u0001";
const SESSION = "s:";
const TASK = "t:";
const HEAD = "h:";
const EVENT = "e:";
const PART = "p:";
/** Characters per stored value: V8 serialises two bytes a character at worst, 64 KiB here, under every limit. */
const CHUNK = 32_768;
/** `get(keys[])`, `delete(keys[])` and `put(entries)` take at most 128 keys. */
const DELETE_BATCH = 128;
const PUT_BATCH = 128;
/** Renewing a session writes its expiry only when it moves by more than this (ms), or a quarter of the TTL if shorter. */
const RENEW_STEP = 1_000;

const pad = (seq: number) => seq.toString().padStart(12, "0");
const streamKey = (sessionId: string, streamId: string) => `${sessionId}${SEP}${streamId}${SEP}`;

/**
 * Wisp storage on a Durable Object's transactional storage (`state.storage`): sessions,
 * resumable SSE events and task records survive the object's eviction, and expire through
 * the object's alarm (call `sweep()` from `alarm()`). The bus is local to the object unless
 * one is given.
 * @example
 * export class Sessions {
 *   storage: DurableStorage;
 *   constructor(state: DurableObjectState) { this.storage = durableObjectStorage(state.storage); }
 *   alarm() { return this.storage.sweep(); }
 * }
 */
export function durableObjectStorage(storage: DurableObjectStorageLike, options: DurableObjectStorageOptions = {}): DurableStorage {
  const maxEvents = options.maxEventsPerStream ?? 1000;

  async function deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) await storage.delete(keys.slice(i, i + DELETE_BATCH));
  }

  async function deletePrefix(prefix: string): Promise<void> {
    // Listing in pages keeps memory bounded for long streams.
    for (;;) {
      const page = await storage.list({ prefix, limit: 512 });
      if (page.size === 0) return;
      await deleteKeys([...page.keys()]);
      if (page.size < 512) return;
    }
  }

  /** Makes sure the alarm fires no later than `at`. */
  async function alarmBy(at: number): Promise<void> {
    const current = await storage.getAlarm();
    if (current === null || current > at) await storage.setAlarm(at);
  }

  async function readLive<T>(key: string): Promise<Expiring<T> | undefined> {
    const entry = await storage.get<Expiring<T>>(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) return undefined; // the alarm deletes it
    return entry;
  }

  // One object owns its keys, so work on one key only has to be serialised inside the object:
  // a chain of promises per key does that (the input gate alone does not cover two awaits of
  // one request): appends keep their order, read-change-write never interleaves.
  const queues = new Map<string, Promise<unknown>>();
  function serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (queues.get(key) ?? Promise.resolve()).then(work, work);
    const settled = run.catch(() => {});
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return run;
  }

  const sessions: SessionStore = {
    async get(id, renewTtlMs) {
      const key = SESSION + id;
      if (renewTtlMs === undefined) return (await readLive<SessionRecord>(key))?.value;
      // A renewal writes the record back: in the key's queue, so it cannot undo an update().
      return serial(key, async () => {
        const entry = await readLive<SessionRecord>(key);
        if (!entry) return undefined;
        const expiresAt = Date.now() + renewTtlMs;
        if (expiresAt - entry.expiresAt > Math.min(RENEW_STEP, renewTtlMs / 4)) await storage.put(key, { value: entry.value, expiresAt });
        return entry.value;
      });
    },
    async set(id, record, ttlMs) {
      const expiresAt = Date.now() + ttlMs;
      await storage.put(SESSION + id, { value: record, expiresAt });
      await alarmBy(expiresAt);
    },
    update(id, change, ttlMs) {
      return serial(SESSION + id, async () => {
        const entry = await readLive<SessionRecord>(SESSION + id);
        if (!entry) return undefined;
        const next = change(entry.value);
        if (next === undefined) return entry.value;
        await sessions.set(id, next, ttlMs);
        return next;
      });
    },
    async delete(id) {
      const key = SESSION + id;
      const existed = (await readLive(key)) !== undefined;
      await storage.delete(key);
      await dropSessionEvents(id);
      return existed;
    },
  };

  async function dropSessionEvents(sessionId: string): Promise<void> {
    const prefix = `${sessionId}${SEP}`;
    await deletePrefix(HEAD + prefix);
    await deletePrefix(EVENT + prefix);
    await deletePrefix(PART + prefix);
  }

  async function dropEvent(stream: string, seq: number, entry: EventEntry | undefined): Promise<void> {
    const keys = [EVENT + stream + pad(seq)];
    for (let k = 0; k < (entry?.parts ?? 0); k++) keys.push(`${PART}${stream}${pad(seq)}${SEP}${k}`);
    await deleteKeys(keys);
  }

  async function readEvent(stream: string, seq: number, entry: EventEntry): Promise<StoredEvent> {
    let data = entry.data ?? "";
    if (entry.parts) {
      const keys = Array.from({ length: entry.parts }, (_, k) => `${PART}${stream}${pad(seq)}${SEP}${k}`);
      const parts = new Map<string, string>();
      // get(keys[]) takes at most 128 keys too.
      for (let i = 0; i < keys.length; i += DELETE_BATCH) for (const [key, part] of await storage.get<string>(keys.slice(i, i + DELETE_BATCH))) parts.set(key, part);
      data = keys.map((key) => parts.get(key) ?? "").join("");
    }
    return entry.final ? { id: entry.id, data, final: true } : { id: entry.id, data };
  }

  // Appends to one stream run one after another (serial): each reads the head the previous one wrote.
  const events: EventStore = {
    append(sessionId, streamId, event) {
      const stream = streamKey(sessionId, streamId);
      return serial(stream, async () => {
        for (const one of Array.isArray(event) ? event : [event]) await appendNow(stream, one);
      });
    },
    async after(sessionId, streamId, eventId) {
      const stream = streamKey(sessionId, streamId);
      await queues.get(stream); // appends already issued count as stored
      // Events go with their session: once it expired they are gone, even before the alarm sweeps.
      const session = await storage.get<Expiring<unknown>>(SESSION + sessionId);
      if (session && session.expiresAt <= Date.now()) return undefined;
      if (!(await storage.get<StreamHead>(HEAD + stream))) return undefined;
      const listed = await storage.list<EventEntry>({ prefix: EVENT + stream });
      const entries = [...listed.entries()].map(([key, entry]) => ({ seq: Number(key.slice(EVENT.length + stream.length)), entry }));
      const index = entries.findIndex(({ entry }) => entry.id === eventId);
      // An id older than what we kept: replay everything we still have.
      const missed = index === -1 ? entries : entries.slice(index + 1);
      return Promise.all(missed.map(({ seq, entry }) => readEvent(stream, seq, entry)));
    },
    async deleteStream(sessionId, streamId) {
      const stream = streamKey(sessionId, streamId);
      await serial(stream, async () => {
        await storage.delete(HEAD + stream);
        await deletePrefix(EVENT + stream);
        await deletePrefix(PART + stream);
      });
    },
    deleteSession: dropSessionEvents,
  };

  async function appendNow(stream: string, event: StoredEvent): Promise<void> {
    const head = (await storage.get<StreamHead>(HEAD + stream)) ?? { first: 0, next: 0 };
    const seq = head.next++;
    const entry: EventEntry = { id: event.id };
    if (event.final) entry.final = true;
    const puts: [string, unknown][] = [];
    if (event.data.length <= CHUNK) entry.data = event.data;
    else {
      entry.parts = Math.ceil(event.data.length / CHUNK);
      for (let k = 0; k < entry.parts; k++) puts.push([`${PART}${stream}${pad(seq)}${SEP}${k}`, event.data.slice(k * CHUNK, (k + 1) * CHUNK)]);
    }
    // Drop the oldest beyond the cap before writing the head that no longer names them.
    while (head.next - head.first > maxEvents) {
      const old = head.first++;
      await dropEvent(stream, old, await storage.get<EventEntry>(EVENT + stream + pad(old)));
    }
    // The entry and the head go last, in one put: a reader never sees an event whose parts are missing.
    for (let i = 0; i < puts.length; i += PUT_BATCH) await storage.put(Object.fromEntries(puts.slice(i, i + PUT_BATCH)));
    await storage.put({ [EVENT + stream + pad(seq)]: entry, [HEAD + stream]: head });
  }

  // Task records stay in memory too (one object owns its tasks, so the cache cannot go stale):
  // tasks/get polls are frequent, and a read from memory keeps them off the storage.
  const taskCache = new Map<string, Expiring<Record<string, unknown>>>();
  const tasks: TaskStore = {
    async get(id) {
      const cached = taskCache.get(id);
      if (cached) {
        if (cached.expiresAt > Date.now()) return cached.value;
        taskCache.delete(id);
        return undefined;
      }
      const entry = await readLive<Record<string, unknown>>(TASK + id);
      if (!entry) return undefined;
      // A concurrent get may have filled the cache meanwhile: keep one live record.
      const live = taskCache.get(id) ?? entry;
      taskCache.set(id, live);
      return live.value;
    },
    async set(id, task, ttlMs) {
      const expiresAt = Date.now() + ttlMs;
      taskCache.set(id, { value: task, expiresAt });
      await storage.put(TASK + id, { value: task, expiresAt });
      await alarmBy(expiresAt);
    },
    update(id, change: RecordChange<Record<string, unknown>>, ttlMs) {
      return serial(TASK + id, async () => {
        const current = await tasks.get(id);
        if (!current) return undefined;
        const next = change(current);
        if (next === undefined) return current;
        await tasks.set(id, next, ttlMs);
        return next;
      });
    },
    async delete(id) {
      taskCache.delete(id);
      await storage.delete(TASK + id);
    },
  };

  // The GET stream lease lives in memory: the session's object is the only place its GET
  // streams are served, and a stream does not outlive the object that holds it.
  const leaseHolders = new Map<string, { owner: string; expiresAt: number }>();
  const holderOf = (sessionId: string) => {
    const held = leaseHolders.get(sessionId);
    return held && held.expiresAt > Date.now() ? held.owner : undefined;
  };
  const hold = (sessionId: string, owner: string, ttlMs: number) => {
    // requestState claims are leases nobody releases after a success: drop the expired ones now and then.
    if (leaseHolders.size > 1_000) for (const [id, held] of leaseHolders) if (held.expiresAt <= Date.now()) leaseHolders.delete(id);
    leaseHolders.set(sessionId, { owner, expiresAt: Date.now() + ttlMs });
  };
  const leases: LeaseStore = {
    async acquire(sessionId, owner, ttlMs) {
      const current = holderOf(sessionId);
      if (current !== undefined && current !== owner) return false;
      hold(sessionId, owner, ttlMs);
      return true;
    },
    async takeOver(sessionId, owner, ttlMs) {
      const previous = holderOf(sessionId);
      hold(sessionId, owner, ttlMs);
      return previous;
    },
    async renew(sessionId, owner, ttlMs) {
      if (holderOf(sessionId) !== owner) return false;
      hold(sessionId, owner, ttlMs);
      return true;
    },
    async release(sessionId, owner) {
      if (holderOf(sessionId) === owner) leaseHolders.delete(sessionId);
    },
  };

  return {
    sessions,
    events,
    bus: options.bus ?? memoryBus(),
    tasks,
    leases,
    async sweep() {
      const now = Date.now();
      let next = Infinity;
      for (const prefix of [SESSION, TASK]) {
        const entries = await storage.list<Expiring<unknown>>({ prefix });
        for (const [key, entry] of entries) {
          if (entry.expiresAt > now) {
            next = Math.min(next, entry.expiresAt);
            continue;
          }
          await storage.delete(key);
          if (prefix === SESSION) await dropSessionEvents(key.slice(SESSION.length));
          else taskCache.delete(key.slice(TASK.length));
        }
      }
      if (next === Infinity) await storage.deleteAlarm();
      else await storage.setAlarm(next);
    },
  };
}
