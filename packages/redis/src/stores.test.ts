import type { SessionRecord, Storage } from "@wisp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test-kit/redis.js";
import { bindings, calls, storageOn } from "./test-support/backends.js";

const record: SessionRecord = { protocolVersion: "2025-11-25", clientInfo: { name: "t", version: "1" }, clientCapabilities: {}, initialized: true, subscriptions: [], createdAt: 1 };
const pttl = (server: RedisServer, key: string) => Number(server.cli("PTTL", key).trim());

// What the contract leaves to the driver: round trips, caps, and Redis-side details.
for (const binding of bindings) {
  describe(`redisStorage on ${binding}: beyond the contract`, () => {
    let server: RedisServer;
    let storage: Storage;
    beforeAll(async () => {
      server = await startRedis();
      storage = await storageOn(binding, server, { prefix: "more", maxEventsPerStream: 3 });
    });
    afterAll(async () => {
      await storage?.close?.();
      await server?.stop();
    });

    it("reads and renews a session in one GETEX", async () => {
      await storage.sessions.set("s1", record, 1_000);
      const before = { getex: calls(server, "getex"), get: calls(server, "get"), evalsha: calls(server, "evalsha") };
      expect(await storage.sessions.get("s1", 60_000)).toEqual(record);
      expect({ getex: calls(server, "getex"), get: calls(server, "get"), evalsha: calls(server, "evalsha") }).toEqual({ ...before, getex: before.getex + 1 });
      expect(pttl(server, "more:{s1}:session")).toBeGreaterThan(50_000);
    });

    it("keeps the last maxEventsPerStream events of a stream", async () => {
      await storage.sessions.set("s2", record, 60_000);
      for (let i = 1; i <= 5; i++) await storage.events.append("s2", "p1", { id: `p1_${i}`, data: String(i) }, 60_000);
      expect((await storage.events.after("s2", "p1", "p1_1"))?.map((e) => e.id)).toEqual(["p1_3", "p1_4", "p1_5"]);
      expect((await storage.events.after("s2", "p1", "p1_3"))?.map((e) => e.id)).toEqual(["p1_4", "p1_5"]);
    });

    it("drops an event for a session that is gone, instead of resurrecting its streams", async () => {
      await storage.events.append("never-was", "p1", { id: "p1_1", data: "late" }, 60_000);
      expect(await storage.events.after("never-was", "p1", "")).toBeUndefined();
      expect(server.cli("EXISTS", "more:{never-was}:streams").trim()).toBe("0");
    });

    it("gives the streams set the longest TTL of its streams, and deleteSession removes it", async () => {
      await storage.sessions.set("s3", record, 60_000);
      await storage.events.append("s3", "long", { id: "l1", data: "" }, 60_000);
      await storage.events.append("s3", "short", { id: "s1", data: "" }, 5_000);
      expect(pttl(server, "more:{s3}:streams")).toBeGreaterThan(50_000);
      await storage.events.deleteSession("s3");
      expect(server.cli("EXISTS", "more:{s3}:streams", "more:{s3}:events:long", "more:{s3}:events:short").trim()).toBe("0");
      expect(await storage.sessions.get("s3")).toEqual(record); // the record is sessions.delete's
    });

    it("keeps lease, session and task keys with a TTL through every change", async () => {
      await storage.leases.acquire("s4", "a", 30_000);
      await storage.leases.takeOver("s4", "b", 40_000);
      await storage.leases.renew("s4", "b", 50_000);
      expect(pttl(server, "more:{s4}:lease")).toBeGreaterThan(40_000);
      await storage.tasks.set("t1", { n: 0 }, 30_000);
      await storage.tasks.update("t1", (task) => ({ n: (task.n as number) + 1 }), 50_000);
      expect(pttl(server, "more:task:{t1}")).toBeGreaterThan(40_000);
      await storage.sessions.set("s4", record, 30_000);
      await storage.sessions.update("s4", (current) => ({ ...current, logLevel: "debug" }), 50_000);
      expect(pttl(server, "more:{s4}:session")).toBeGreaterThan(40_000);
    });

    it("runs its scripts again after Redis lost its script cache", async () => {
      await storage.leases.acquire("s5", "a", 30_000);
      server.cli("SCRIPT", "FLUSH");
      expect(await storage.leases.renew("s5", "a", 30_000)).toBe(true);
    });
  });
}
