import { storageContract } from "@wisp/core/storage-contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test-kit/redis.js";
import { bindings, storageOn } from "./test-support/backends.js";

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

/** PTTL of every key under `prefix`, listed with redis-cli --scan. */
function ttls(prefix: string): Map<string, number> {
  const keys = server.cli("--scan", "--pattern", `${prefix}:*`).split("\n").filter(Boolean);
  if (keys.length === 0) return new Map();
  // One round trip for all of them: a script returning PTTL per key.
  const out = server.cli("EVAL", "local t = {} for i, k in ipairs(KEYS) do t[i] = redis.call('PTTL', k) end return t", String(keys.length), ...keys);
  const values = out.split("\n").filter(Boolean).map(Number);
  return new Map(keys.map((key, i) => [key, values[i]]));
}

for (const binding of bindings) {
  const prefix = `contract-${binding}`;
  describe(`redisStorage on ${binding}: the storage contract`, () => {
    for (const { name, run } of storageContract({ create: () => storageOn(binding, server, { prefix }) })) it(name, run);

    it("left every key with a TTL, each session's keys under its {session id} hash tag", () => {
      const keys = ttls(prefix);
      expect(keys.size).toBeGreaterThan(0);
      const layout = new RegExp(`^${prefix}:(\\{[^}]+\\}:(session|streams|lease|events:.+)|task:\\{[^}]+\\})$`);
      for (const [key, pttl] of keys) {
        expect(key).toMatch(layout);
        expect({ key, pttl }).toEqual({ key, pttl: expect.any(Number) });
        expect(pttl, key).toBeGreaterThan(0);
      }
    });

    it("puts a session's record, streams, events and lease in one hash slot", async () => {
      const storage = await storageOn(binding, server, { prefix });
      try {
        const sid = `slot-${Math.random().toString(36).slice(2)}`;
        await storage.sessions.set(sid, { protocolVersion: "2025-11-25", clientInfo: { name: "t", version: "1" }, clientCapabilities: {}, initialized: true, subscriptions: [], createdAt: 1 }, 60_000);
        await storage.events.append(sid, "p1", { id: "p1_1", data: "a" }, 60_000);
        await storage.events.append(sid, "g1", { id: "g1_1", data: "b" }, 60_000);
        await storage.leases.acquire(sid, "me", 60_000);
        const keys = [...ttls(prefix)].filter(([key]) => key.includes(sid));
        expect(keys.map(([key]) => key).sort()).toEqual(
          [`${prefix}:{${sid}}:events:g1`, `${prefix}:{${sid}}:events:p1`, `${prefix}:{${sid}}:lease`, `${prefix}:{${sid}}:session`, `${prefix}:{${sid}}:streams`].sort(),
        );
        for (const [key, pttl] of keys) expect(pttl, key).toBeGreaterThan(50_000);
      } finally {
        await storage.close?.();
      }
    });
  });
}
