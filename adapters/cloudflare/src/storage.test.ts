/**
 * The Durable Object storage driver against an in-memory stand-in of `state.storage`
 * (testing/fake-storage.ts). On real workerd it runs under every test in workerd.test.ts.
 */
import type { SessionRecord } from "@wisp/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { durableObjectStorage } from "./storage.js";
import { FakeDurableStorage } from "./testing/fake-storage.js";

const record = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  protocolVersion: "2025-11-25",
  clientInfo: { name: "t", version: "1" },
  clientCapabilities: {},
  initialized: true,
  subscriptions: [],
  createdAt: 0,
  ...over,
});

let fake: FakeDurableStorage;
beforeEach(() => {
  fake = new FakeDurableStorage();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("sessions", () => {
  it("set, get, delete; a deleted session is gone and says it was there once", async () => {
    const storage = durableObjectStorage(fake);
    await storage.sessions.set("s1", record(), 30_000);
    expect(await storage.sessions.get("s1")).toEqual(record());
    expect(await storage.sessions.delete("s1")).toBe(true);
    expect(await storage.sessions.get("s1")).toBeUndefined();
    expect(await storage.sessions.delete("s1")).toBe(false);
  });

  it("expires after its TTL; get with renewTtlMs pushes the expiry out (written only when it moves > 1 s)", async () => {
    const storage = durableObjectStorage(fake);
    await storage.sessions.set("s1", record(), 10_000);
    vi.setSystemTime(1_008_000);
    const writes = fake.writes;
    expect(await storage.sessions.get("s1", 10_000)).toBeDefined(); // now expires at 1_018_000
    expect(fake.writes).toBe(writes + 1);
    expect(await storage.sessions.get("s1", 10_000)).toBeDefined(); // same expiry: no write
    expect(fake.writes).toBe(writes + 1);
    vi.setSystemTime(1_017_000);
    expect(await storage.sessions.get("s1")).toBeDefined();
    vi.setSystemTime(1_018_001);
    expect(await storage.sessions.get("s1")).toBeUndefined();
    expect(await storage.sessions.delete("s1")).toBe(false);
  });

  it("set schedules the alarm no later than the expiry; sweep deletes what expired (with its events) and re-arms for the rest", async () => {
    const storage = durableObjectStorage(fake);
    await storage.sessions.set("old", record(), 5_000);
    await storage.sessions.set("new", record(), 60_000);
    expect(fake.alarm).toBe(1_005_000);
    await storage.events.append("old", "p1", { id: "p1_1", data: "x" }, 5_000);
    vi.setSystemTime(1_005_000);
    await storage.sweep();
    expect([...fake.data.keys()].some((key) => key.includes("old"))).toBe(false);
    expect(await storage.sessions.get("new")).toBeDefined();
    expect(fake.alarm).toBe(1_060_000);
    vi.setSystemTime(1_060_000);
    await storage.sweep();
    expect(fake.data.size).toBe(0);
    expect(fake.alarm).toBeNull();
  });

  it("a new driver over the same storage (an evicted object coming back) finds the session", async () => {
    await durableObjectStorage(fake).sessions.set("s1", record({ logLevel: "info" }), 30_000);
    expect(await durableObjectStorage(fake).sessions.get("s1")).toMatchObject({ logLevel: "info" });
  });
});

describe("events", () => {
  it("after(id) returns the later events in order; an unknown id replays everything kept; an unknown stream is undefined", async () => {
    const { events } = durableObjectStorage(fake);
    for (let i = 1; i <= 5; i++) await events.append("s", "p1", { id: `p1_${i}`, data: `m${i}`, ...(i === 5 ? { final: true } : {}) }, 30_000);
    expect(await events.after("s", "p1", "p1_3")).toEqual([{ id: "p1_4", data: "m4" }, { id: "p1_5", data: "m5", final: true }]);
    expect((await events.after("s", "p1", "p1_99"))?.map((e) => e.id)).toEqual(["p1_1", "p1_2", "p1_3", "p1_4", "p1_5"]);
    expect(await events.after("s", "p2", "p2_1")).toBeUndefined();
    expect(await events.after("other", "p1", "p1_1")).toBeUndefined();
  });

  it("appends issued together (no await between them) keep their order and lose nothing", async () => {
    const { events } = durableObjectStorage(fake);
    await Promise.all(Array.from({ length: 20 }, (_, i) => events.append("s", "g1", { id: `g1_${i}`, data: String(i) }, 30_000)));
    expect((await events.after("s", "g1", "none"))?.map((e) => e.data)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });

  it("keeps at most maxEventsPerStream, dropping the oldest", async () => {
    const { events } = durableObjectStorage(fake, { maxEventsPerStream: 3 });
    for (let i = 1; i <= 6; i++) await events.append("s", "p", { id: `p_${i}`, data: `m${i}` }, 30_000);
    expect((await events.after("s", "p", "p_0"))?.map((e) => e.id)).toEqual(["p_4", "p_5", "p_6"]);
    expect([...fake.data.keys()].filter((key) => key.startsWith("e:"))).toHaveLength(3);
  });

  it("an event larger than one stored value is split and read back whole", async () => {
    const { events } = durableObjectStorage(fake, { maxEventsPerStream: 1 });
    const big = "é☃😀x".repeat(60_000); // 300 000 UTF-16 units: well over 128 KiB
    await events.append("s", "p", { id: "p_1", data: big, final: true }, 30_000);
    expect(await events.after("s", "p", "p_0")).toEqual([{ id: "p_1", data: big, final: true }]);
    // Dropping it (cap of 1) removes its parts too.
    await events.append("s", "p", { id: "p_2", data: "small" }, 30_000);
    expect([...fake.data.keys()].filter((key) => key.startsWith("p:"))).toHaveLength(0);
  });

  it("an event of more than 128 parts (over 4 MB) is written and read in batches", async () => {
    const { events } = durableObjectStorage(fake);
    const huge = "0123456789abcdef".repeat(300_000); // 4.8 M characters → 147 parts
    await events.append("s", "p", { id: "p_1", data: huge }, 30_000);
    expect([...fake.data.keys()].filter((key) => key.startsWith("p:")).length).toBeGreaterThan(128);
    const [event] = (await events.after("s", "p", "p_0"))!;
    expect(event.data.length).toBe(huge.length);
    expect(event.data === huge).toBe(true);
  });

  it("deleteStream and deleteSession remove exactly their events", async () => {
    const { events } = durableObjectStorage(fake);
    await events.append("a", "p1", { id: "p1_1", data: "1" }, 30_000);
    await events.append("a", "p2", { id: "p2_1", data: "2" }, 30_000);
    await events.append("ab", "p1", { id: "p1_1", data: "3" }, 30_000);
    await events.deleteStream("a", "p1");
    expect(await events.after("a", "p1", "x")).toBeUndefined();
    expect(await events.after("a", "p2", "x")).toHaveLength(1);
    await events.deleteSession("a");
    expect(await events.after("a", "p2", "x")).toBeUndefined();
    expect(await events.after("ab", "p1", "x")).toHaveLength(1); // "ab" is not "a"
  });
});

describe("tasks", () => {
  it("set, get, delete, expiry", async () => {
    const { tasks } = durableObjectStorage(fake);
    await tasks.set("t1", { status: "working" }, 1_000);
    expect(await tasks.get("t1")).toEqual({ status: "working" });
    vi.setSystemTime(1_001_000);
    expect(await tasks.get("t1")).toBeUndefined();
    await tasks.set("t2", { status: "working" }, 1_000);
    await tasks.delete("t2");
    expect(await tasks.get("t2")).toBeUndefined();
  });

  it("two read-modify-write changes in flight together both land (the core's TaskStore.change has no lock)", async () => {
    const storage = durableObjectStorage(fake);
    await storage.tasks.set("t", { inputRequests: {} }, 60_000);
    const change = async (key: string) => {
      const task = (await storage.tasks.get("t"))!;
      await Promise.resolve();
      task.inputRequests = { ...(task.inputRequests as object), [key]: true };
      await storage.tasks.set("t", task, 60_000);
    };
    await Promise.all([change("first"), change("second")]);
    expect(await storage.tasks.get("t")).toEqual({ inputRequests: { first: true, second: true } });
    // …and what is stored durably is the same, for an object that comes back after eviction.
    expect(await durableObjectStorage(fake).tasks.get("t")).toEqual({ inputRequests: { first: true, second: true } });
  });
});
