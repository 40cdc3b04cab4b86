import { createClient } from "@redis/client";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test-kit/redis.js";
import { ioredisPort } from "./ioredis.js";
import { type NodeRedisClient, failFastNodeRedisOptions } from "./node-redis.js";
import { redisStorage } from "./redis-storage.js";
import { numsub } from "./test-support/backends.js";

const record = { protocolVersion: "2025-11-25", clientInfo: { name: "t", version: "1" }, clientCapabilities: {}, initialized: true, subscriptions: [], createdAt: 1 };

describe("redisStorage with clients of your own", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("node-redis: uses the given client, duplicates it for pub/sub, and closes only the duplicate", async () => {
    const client = createClient(failFastNodeRedisOptions(server.url)) as NodeRedisClient;
    client.on("error", () => {});
    await client.connect();
    try {
      const storage = await redisStorage({ client, prefix: "own" });
      await storage.sessions.set("s1", record, 60_000);
      expect(await client.get("own:{s1}:session")).toBe(JSON.stringify(record));
      await storage.bus.subscribe("c", () => {});
      expect(numsub(server, "own:bus:c")).toBe(1);
      await storage.close?.();
      expect(client.isReady).toBe(true);
      expect(numsub(server, "own:bus:c")).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("node-redis: connects a given client that is not open yet, and leaves it open", async () => {
    const client = createClient({ url: server.url }) as NodeRedisClient;
    const subscriber = client.duplicate();
    client.on("error", () => {});
    subscriber.on("error", () => {});
    try {
      const storage = await redisStorage({ client, subscriber });
      expect(await storage.sessions.get("nothing")).toBeUndefined();
      await storage.close?.();
      expect(client.isReady && subscriber.isReady).toBe(true);
    } finally {
      await client.close();
      await subscriber.close();
    }
  });

  it("ioredis: uses the given client and leaves it open", async () => {
    const client = new Redis(server.url);
    try {
      const storage = await redisStorage({ port: ioredisPort({ client }), prefix: "own-io" });
      await storage.tasks.set("t1", { status: "working" }, 60_000);
      expect(await client.get("own-io:task:{t1}")).toBe('{"status":"working"}');
      expect(await client.pttl("own-io:task:{t1}")).toBeGreaterThan(50_000);
      await storage.close?.();
      expect(client.status).toBe("ready");
    } finally {
      await client.quit();
    }
  });
});
