import type { Bus, BusListener, EventStore, LeaseStore, RecordChange, SessionRecord, SessionStore, Storage, StoredEvent, TaskStore } from "./types.js";

export interface MemoryStorageOptions {
  /** How often expired entries are swept out (ms). Default 5 000. */
  sweepInterval?: number;
  /** Events kept per stream for resumption; older ones are dropped first. Default 1 000. */
  maxEventsPerStream?: number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * The default storage: plain Maps in this process. Nothing to set up; several server
 * instances in one process may share one `memoryStorage()` and act as one server.
 * @example
 * const server = createServer({ name: "notes", version: "1.0.0", storage: memoryStorage() });
 */
export function memoryStorage(options: MemoryStorageOptions = {}): Storage {
  const sessions = new Map<string, Expiring<SessionRecord>>();
  const tasks = new Map<string, Expiring<Record<string, unknown>>>();
  const streams = new Map<string, Map<string, StoredEvent[]>>();
  const leases = new Map<string, Expiring<string>>();
  const maxEvents = options.maxEventsPerStream ?? 1000;

  const live = <T>(map: Map<string, Expiring<T>>, key: string): Expiring<T> | undefined => {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      map.delete(key);
      if (map === (sessions as Map<string, unknown>)) streams.delete(key);
      return undefined;
    }
    return entry;
  };

  // One process, no await between read and write: a change applies atomically as it is.
  const update = <T>(map: Map<string, Expiring<T>>, id: string, change: RecordChange<T>, ttlMs: number): T | undefined => {
    const entry = live(map, id);
    if (!entry) return undefined;
    const next = change(entry.value);
    if (next === undefined) return entry.value;
    map.set(id, { value: next, expiresAt: Date.now() + ttlMs });
    return next;
  };

  const sessionStore: SessionStore = {
    async get(id, renewTtlMs) {
      const entry = live(sessions, id);
      if (entry && renewTtlMs !== undefined) entry.expiresAt = Date.now() + renewTtlMs;
      return entry?.value;
    },
    async set(id, record, ttlMs) {
      startSweeping();
      sessions.set(id, { value: record, expiresAt: Date.now() + ttlMs });
    },
    async update(id, change, ttlMs) {
      return update(sessions, id, change, ttlMs);
    },
    async delete(id) {
      streams.delete(id);
      leases.delete(id);
      return sessions.delete(id);
    },
  };

  const eventStore: EventStore = {
    async append(sessionId, streamId, event) {
      // A late event of a deleted or expired session must not resurrect its entry.
      if (!live(sessions, sessionId)) return;
      let byStream = streams.get(sessionId);
      if (!byStream) streams.set(sessionId, (byStream = new Map()));
      let events = byStream.get(streamId);
      if (!events) byStream.set(streamId, (events = []));
      if (Array.isArray(event)) events.push(...event);
      else events.push(event as StoredEvent);
      if (events.length > maxEvents) events.splice(0, events.length - maxEvents);
    },
    async after(sessionId, streamId, eventId) {
      if (!live(sessions, sessionId)) return undefined; // expired with its session
      const events = streams.get(sessionId)?.get(streamId);
      if (!events) return undefined;
      const index = events.findIndex((e) => e.id === eventId);
      // An id older than what we kept: replay everything we still have.
      return index === -1 ? events.slice() : events.slice(index + 1);
    },
    async deleteStream(sessionId, streamId) {
      streams.get(sessionId)?.delete(streamId);
    },
    async deleteSession(sessionId) {
      streams.delete(sessionId);
    },
  };

  const bus = memoryBus();

  const taskStore: TaskStore = {
    async get(id) {
      return live(tasks, id)?.value;
    },
    async set(id, task, ttlMs) {
      startSweeping();
      tasks.set(id, { value: task, expiresAt: Date.now() + ttlMs });
    },
    async update(id, change, ttlMs) {
      return update(tasks, id, change, ttlMs);
    },
    async delete(id) {
      tasks.delete(id);
    },
  };

  const holder = (sessionId: string) => live(leases, sessionId)?.value;
  const leaseStore: LeaseStore = {
    async acquire(sessionId, owner, ttlMs) {
      const current = holder(sessionId);
      if (current !== undefined && current !== owner) return false;
      startSweeping();
      leases.set(sessionId, { value: owner, expiresAt: Date.now() + ttlMs });
      return true;
    },
    async takeOver(sessionId, owner, ttlMs) {
      const previous = holder(sessionId);
      startSweeping();
      leases.set(sessionId, { value: owner, expiresAt: Date.now() + ttlMs });
      return previous;
    },
    async renew(sessionId, owner, ttlMs) {
      if (holder(sessionId) !== owner) return false;
      leases.set(sessionId, { value: owner, expiresAt: Date.now() + ttlMs });
      return true;
    },
    async release(sessionId, owner) {
      if (holder(sessionId) === owner) leases.delete(sessionId);
    },
  };

  const sweep = () => {
    const now = Date.now();
    for (const [id, entry] of sessions) {
      if (entry.expiresAt <= now) {
        sessions.delete(id);
        streams.delete(id);
      }
    }
    for (const [id, entry] of tasks) if (entry.expiresAt <= now) tasks.delete(id);
    for (const [id, entry] of leases) if (entry.expiresAt <= now) leases.delete(id);
  };
  // Started on first write, not at creation: Workers refuse timers at module scope, where
  // `createServer()` (and so this) commonly runs.
  let timer: ReturnType<typeof setInterval> | undefined;
  const startSweeping = () => {
    if (timer !== undefined) return;
    timer = setInterval(sweep, options.sweepInterval ?? 5000);
    // Don't keep a process alive just to sweep (Node/Bun/Deno expose unref on timers).
    (timer as { unref?: () => void }).unref?.();
  };

  return {
    sessions: sessionStore,
    events: eventStore,
    bus,
    tasks: taskStore,
    leases: leaseStore,
    close: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * Publish/subscribe inside one process: plain listener sets, no timers. `memoryStorage()` uses it;
 * drivers whose messages never leave one isolate (a Durable Object) can use it on its own.
 */
export function memoryBus(): Bus {
  const channels = new Map<string, Set<BusListener>>();
  return {
    async publish(channel, message) {
      const listeners = channels.get(channel);
      if (!listeners) return;
      for (const listener of [...listeners]) {
        try {
          listener(message);
        } catch {
          // One broken listener must not starve the others.
        }
      }
    },
    async subscribe(channel, listener) {
      let listeners = channels.get(channel);
      if (!listeners) channels.set(channel, (listeners = new Set()));
      // Wrap so the same function may subscribe twice and unsubscribe independently.
      const entry: BusListener = (m) => listener(m);
      listeners.add(entry);
      return async () => {
        listeners.delete(entry);
        if (listeners.size === 0 && channels.get(channel) === listeners) channels.delete(channel);
      };
    },
  };
}
