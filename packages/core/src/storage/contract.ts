import type { SessionRecord, Storage, StoredEvent } from "./types.js";

/**
 * The storage contract: what every driver must do for several Wisp instances on one backend
 * to act as one server. Framework-neutral: each case is a name and an async function that
 * throws on a violation, so a driver's tests run it with whatever runner they use.
 * @example
 * import { storageContract } from "@wisp/core/storage-contract";
 * for (const { name, run } of storageContract({ create: () => redisStorage({ client }) })) it(name, run);
 */
export interface StorageContractOptions {
  /**
   * Makes a storage on the backend under test. The contract calls it twice per case that needs
   * two instances; both must see the same data (a second connection to the same Redis, the same
   * Durable Object, or the same object for drivers that live in one process).
   */
  create: () => Storage | Promise<Storage>;
  /** Ends a storage `create` made (close connections). Default: `storage.close()`. */
  dispose?: (storage: Storage) => void | Promise<void>;
  /** How long the driver may take to expire a key past its TTL (ms). Default 200. */
  expiryGraceMs?: number;
}

export interface StorageContractCase {
  name: string;
  run: () => Promise<void>;
}

let counter = 0;
/** Ids no other case (or earlier run against the same backend) uses. */
const fresh = (what: string) => `contract-${what}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`storage contract: ${message}`);
}
function same(actual: unknown, expected: unknown, message: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`storage contract: ${message}\n  expected ${e}\n  received ${a}`);
}

const record = (extra: Partial<SessionRecord> = {}): SessionRecord => ({
  protocolVersion: "2025-11-25",
  clientInfo: { name: "contract", version: "1" },
  clientCapabilities: {},
  initialized: false,
  subscriptions: [],
  createdAt: 1,
  ...extra,
});

/** Waits until `predicate` holds, polling; fails after `ms`. */
async function eventually(predicate: () => boolean, ms: number, message: string): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`storage contract: ${message} (waited ${ms} ms)`);
    await sleep(10);
  }
}

export function storageContract(options: StorageContractOptions): StorageContractCase[] {
  const grace = options.expiryGraceMs ?? 200;
  /** Runs `body` with one storage, or two on the same backend, and disposes of them after. */
  const using =
    (count: 1 | 2, body: (a: Storage, b: Storage) => Promise<void>) =>
    async (): Promise<void> => {
      const made: Storage[] = [];
      try {
        for (let i = 0; i < count; i++) made.push(await options.create());
        await body(made[0], made[count - 1]);
      } finally {
        for (const storage of made) await (options.dispose ? options.dispose(storage) : storage.close?.());
      }
    };

  const cases: Record<string, () => Promise<void>> = {
    // ---- sessions ----
    "sessions: a record round-trips as JSON; an unknown id is undefined": using(1, async (s) => {
      const id = fresh("session");
      same(await s.sessions.get(id), undefined, "an unknown session reads as undefined");
      const value = record({ subscriptions: ["a://1"], logLevel: "info", nested: { deep: [1, "two", null] } });
      await s.sessions.set(id, value, 10_000);
      same(await s.sessions.get(id), value, "get returns what set stored");
    }),
    "sessions: another instance sees the record; delete says whether it was there": using(2, async (a, b) => {
      const id = fresh("session");
      await a.sessions.set(id, record(), 10_000);
      same(await b.sessions.get(id), record(), "a second instance reads the record");
      check((await b.sessions.delete(id)) === true, "delete of a present session returns true");
      check((await a.sessions.delete(id)) === false, "delete of an absent session returns false");
      same(await a.sessions.get(id), undefined, "a deleted session reads as undefined");
    }),
    "sessions: a record expires after its TTL; get with renewTtlMs pushes the expiry out": using(1, async (s) => {
      const gone = fresh("session");
      const kept = fresh("session");
      await s.sessions.set(gone, record(), 150);
      await s.sessions.set(kept, record(), 150);
      for (let i = 0; i < 4; i++) {
        await sleep(100);
        check((await s.sessions.get(kept, 150)) !== undefined, "a renewed session stays while it is read");
      }
      await sleep(150 + grace);
      same(await s.sessions.get(gone), undefined, "a session past its TTL is gone");
    }),
    "sessions: update changes a record; undefined from the change leaves it; an absent id stays absent": using(1, async (s) => {
      const id = fresh("session");
      same(await s.sessions.update(id, (current) => ({ ...current, initialized: true }), 10_000), undefined, "update of an absent session resolves undefined");
      same(await s.sessions.get(id), undefined, "update never creates a session");
      await s.sessions.set(id, record(), 10_000);
      const updated = await s.sessions.update(id, (current) => ({ ...current, initialized: true }), 10_000);
      same(updated, record({ initialized: true }), "update resolves with what it stored");
      same(await s.sessions.get(id), record({ initialized: true }), "the change is stored");
      same(await s.sessions.update(id, () => undefined, 10_000), record({ initialized: true }), "a change returning undefined resolves with the record as it is");
    }),
    "sessions: concurrent updates from two instances lose no write (compare-and-swap)": using(2, async (a, b) => {
      const id = fresh("session");
      await a.sessions.set(id, record(), 10_000);
      const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).sessions.update(id, (current) => ({ ...current, subscriptions: [...current.subscriptions, `u://${i}`] }), 10_000));
      await Promise.all(writes);
      const stored = await a.sessions.get(id);
      same([...(stored?.subscriptions ?? [])].sort(), Array.from({ length: 40 }, (_, i) => `u://${i}`).sort(), "every concurrent update is kept");
    }),
    "sessions: update renews the TTL": using(1, async (s) => {
      const id = fresh("session");
      await s.sessions.set(id, record(), 150);
      await sleep(100);
      await s.sessions.update(id, (current) => ({ ...current, initialized: true }), 400);
      await sleep(150 + grace);
      check((await s.sessions.get(id)) !== undefined, "an update gives the record the new TTL");
    }),

    // ---- events ----
    "events: a stream replays after an event id, in order, on any instance": using(2, async (a, b) => {
      const sessionId = fresh("session");
      await a.sessions.set(sessionId, record(), 10_000);
      same(await b.events.after(sessionId, "p1", "p1_0"), undefined, "an unknown stream is undefined");
      const events: StoredEvent[] = [{ id: "p1_0", data: "" }, { id: "p1_1", data: "one" }, { id: "p1_2", data: "two" }, { id: "p1_3", data: "three", final: true }];
      for (const event of events) await a.events.append(sessionId, "p1", event, 10_000);
      same(await b.events.after(sessionId, "p1", "p1_1"), events.slice(2), "after returns the later events, oldest first, final flag kept");
      same(await b.events.after(sessionId, "p1", "p1_3"), [], "after the last event nothing is left");
      same(await b.events.after(sessionId, "p1", "unknown"), events, "an id the stream does not hold replays everything kept");
    }),
    "events: several events appended at once keep their order, and a stream keeps only its newest events": using(1, async (s) => {
      const sessionId = fresh("session");
      await s.sessions.set(sessionId, record(), 10_000);
      const batch: StoredEvent[] = [{ id: "p1_0", data: "" }, { id: "p1_1", data: "one" }];
      await s.events.append(sessionId, "p1", batch, 10_000);
      await s.events.append(sessionId, "p1", [{ id: "p1_2", data: "two" }, { id: "p1_3", data: "three", final: true }], 10_000);
      same(await s.events.after(sessionId, "p1", "p1_0"), [{ id: "p1_1", data: "one" }, { id: "p1_2", data: "two" }, { id: "p1_3", data: "three", final: true }], "a batch lands in order");
      for (let i = 4; i < 1_100; i++) await s.events.append(sessionId, "p1", { id: `p1_${i}`, data: String(i) }, 10_000);
      const kept = (await s.events.after(sessionId, "p1", "unknown")) ?? [];
      check(kept.length >= 100 && kept.length <= 1_000, `a stream is capped (kept ${kept.length} of 1 100 events; the default cap is 1 000)`);
      same(kept.at(-1), { id: "p1_1099", data: "1099" }, "the newest event is kept");
    }),
    "events: deleteStream drops one stream, deleteSession all of a session's": using(1, async (s) => {
      const sessionId = fresh("session");
      await s.sessions.set(sessionId, record(), 10_000);
      await s.events.append(sessionId, "p1", { id: "p1_1", data: "x" }, 10_000);
      await s.events.append(sessionId, "p2", { id: "p2_1", data: "y" }, 10_000);
      await s.events.append(sessionId, "g1", { id: "g1_1", data: "z" }, 10_000);
      await s.events.deleteStream(sessionId, "p1");
      same(await s.events.after(sessionId, "p1", ""), undefined, "a deleted stream is unknown");
      same(await s.events.after(sessionId, "p2", ""), [{ id: "p2_1", data: "y" }], "other streams stay");
      await s.events.deleteSession(sessionId);
      same(await s.events.after(sessionId, "p2", ""), undefined, "deleteSession drops every stream");
      same(await s.events.after(sessionId, "g1", ""), undefined, "deleteSession drops every stream");
    }),
    "events: a session's events expire with their TTL": using(1, async (s) => {
      const sessionId = fresh("session");
      await s.sessions.set(sessionId, record(), 150);
      await s.events.append(sessionId, "p1", { id: "p1_1", data: "x" }, 150);
      await sleep(150 + grace);
      same(await s.events.after(sessionId, "p1", ""), undefined, "expired events are gone");
    }),

    // ---- tasks ----
    "tasks: set, get on another instance, update, delete, expiry": using(2, async (a, b) => {
      const id = fresh("task");
      same(await a.tasks.get(id), undefined, "an unknown task is undefined");
      await a.tasks.set(id, { taskId: id, status: "working" }, 10_000);
      same(await b.tasks.get(id), { taskId: id, status: "working" }, "another instance reads the task");
      same(await b.tasks.update(id, (t) => ({ ...t, status: "completed" }), 10_000), { taskId: id, status: "completed" }, "update resolves with what it stored");
      same(await b.tasks.update(fresh("task"), (t) => t, 10_000), undefined, "update of an absent task resolves undefined");
      await a.tasks.delete(id);
      same(await b.tasks.get(id), undefined, "a deleted task is gone");
      const short = fresh("task");
      await a.tasks.set(short, { taskId: short }, 150);
      await sleep(150 + grace);
      same(await a.tasks.get(short), undefined, "a task past its TTL is gone");
    }),
    "tasks: a cancel racing an update from another instance is never overwritten": using(2, async (a, b) => {
      for (let round = 0; round < 10; round++) {
        const id = fresh("task");
        await a.tasks.set(id, { taskId: id, status: "working", n: 0 }, 10_000);
        const terminal = new Set(["cancelled", "completed"]);
        await Promise.all([
          ...Array.from({ length: 5 }, () => a.tasks.update(id, (t) => (terminal.has(t.status as string) ? undefined : { ...t, n: (t.n as number) + 1 }), 10_000)),
          b.tasks.update(id, (t) => (terminal.has(t.status as string) ? undefined : { ...t, status: "cancelled" }), 10_000),
        ]);
        same((await a.tasks.get(id))?.status, "cancelled", "the cancelled status survives concurrent updates");
      }
    }),

    // ---- leases ----
    "leases: one holder at a time; renew and release only by the holder": using(2, async (a, b) => {
      const sessionId = fresh("session");
      check((await a.leases.acquire(sessionId, "owner-a", 10_000)) === true, "a free lease is acquired");
      check((await b.leases.acquire(sessionId, "owner-b", 10_000)) === false, "a held lease is refused to another owner");
      check((await a.leases.acquire(sessionId, "owner-a", 10_000)) === true, "the holder may acquire again");
      check((await b.leases.renew(sessionId, "owner-b", 10_000)) === false, "only the holder renews");
      check((await a.leases.renew(sessionId, "owner-a", 10_000)) === true, "the holder renews");
      await b.leases.release(sessionId, "owner-b");
      check((await b.leases.acquire(sessionId, "owner-b", 10_000)) === false, "a release by a non-holder changes nothing");
      await a.leases.release(sessionId, "owner-a");
      check((await b.leases.acquire(sessionId, "owner-b", 10_000)) === true, "a released lease is free");
    }),
    "leases: a lease not renewed expires; takeOver hands it over and names the previous holder": using(2, async (a, b) => {
      const sessionId = fresh("session");
      check(await a.leases.acquire(sessionId, "owner-a", 150), "acquired");
      await sleep(150 + grace);
      check((await b.leases.acquire(sessionId, "owner-b", 10_000)) === true, "an expired lease is free");
      same(await a.leases.takeOver(sessionId, "owner-a", 10_000), "owner-b", "takeOver resolves with the previous holder");
      check((await b.leases.renew(sessionId, "owner-b", 10_000)) === false, "the previous holder's renewal fails");
      same(await b.leases.takeOver(fresh("session"), "owner-b", 10_000), undefined, "takeOver of a free lease resolves undefined");
    }),

    // ---- bus ----
    "bus: a message reaches every subscriber on every instance, in publish order": using(2, async (a, b) => {
      const channel = fresh("channel");
      const onA: unknown[] = [];
      const onB: unknown[] = [];
      const stopA = await a.bus.subscribe(channel, (m) => onA.push(m));
      const stopB = await b.bus.subscribe(channel, (m) => onB.push(m));
      const sent = [{ n: 1, text: "é ✓" }, "two", { n: 3, nested: { list: [1, 2] } }];
      for (const message of sent) await b.bus.publish(channel, message);
      await eventually(() => onA.length === 3 && onB.length === 3, 2_000, "both subscribers get all three messages");
      same(onA, sent, "messages arrive as JSON values, in order");
      same(onB, sent, "messages arrive as JSON values, in order");
      await stopA();
      await stopB();
    }),
    "bus: unsubscribing stops delivery to that listener only; a throwing listener harms no other": using(2, async (a, b) => {
      const channel = fresh("channel");
      const first: unknown[] = [];
      const second: unknown[] = [];
      const stopThrower = await a.bus.subscribe(channel, () => {
        throw new Error("a broken listener");
      });
      const stopFirst = await a.bus.subscribe(channel, (m) => first.push(m));
      const stopSecond = await a.bus.subscribe(channel, (m) => second.push(m));
      await b.bus.publish(channel, 1);
      await eventually(() => first.length === 1 && second.length === 1, 2_000, "both listeners get the first message");
      await stopFirst();
      await b.bus.publish(channel, 2);
      await eventually(() => second.length === 2, 2_000, "the remaining listener gets the second message");
      await sleep(50);
      same(first, [1], "an unsubscribed listener gets nothing more");
      await stopSecond();
      await stopThrower();
    }),
  };
  return Object.entries(cases).map(([name, run]) => ({ name, run }));
}
