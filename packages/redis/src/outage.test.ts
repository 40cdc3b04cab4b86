import { StorageUnavailableError } from "@wisp/core";
import type { SessionRecord, Storage } from "@wisp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test-kit/redis.js";
import { bindings, eventually, numsub, storageOn } from "./test-support/backends.js";

const TIMEOUT_MS = 500;
/** Event-loop and process-scheduling slack on a loaded CI machine. */
const SLACK_MS = 300;
const record: SessionRecord = { protocolVersion: "2025-11-25", clientInfo: { name: "t", version: "1" }, clientCapabilities: {}, initialized: true, subscriptions: [], createdAt: 1 };

/** How long `operation` took to reject, and with what. */
async function timeRejection(operation: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await operation();
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
  throw new Error("the operation succeeded while Redis was down");
}

for (const binding of bindings) {
  describe(`redisStorage on ${binding}: Redis going away and coming back`, () => {
    let server: RedisServer;
    let storage: Storage | undefined;
    beforeAll(async () => {
      server = await startRedis();
    });
    afterAll(async () => {
      await storage?.close?.();
      await server?.stop();
    });

    it("fails fast with StorageUnavailableError while Redis is stopped, then recovers: subscription restored, onResume called, messages flow", async () => {
      storage = await storageOn(binding, server, { timeoutMs: TIMEOUT_MS });
      const channel = "outage";
      const received: unknown[] = [];
      let resumed = 0;
      const stop = await storage.bus.subscribe(channel, (message) => received.push(message), { onResume: () => resumed++ });
      await storage.sessions.set("s1", record, 60_000);
      expect(numsub(server, "wisp:bus:outage")).toBe(1);

      await server.stop();
      const down = await timeRejection(() => storage!.sessions.get("s1", 60_000));
      console.info(`[${binding}] Redis stopped: sessions.get rejected after ${down.ms.toFixed(1)} ms`);
      expect(down.error).toBeInstanceOf(StorageUnavailableError);
      // The detail (host, port, command) is for logs; the client only hears that storage did not answer.
      expect((down.error as StorageUnavailableError).detail).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? failed GETEX/);
      expect((down.error as Error).message).not.toContain("127.0.0.1");
      expect(down.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      expect(resumed).toBe(0);

      await server.start(); // empty: nothing was persisted
      await eventually(async () => (await storage!.sessions.set("s2", record, 60_000), true), 5_000, "commands succeed again");
      expect(await storage.sessions.get("s2")).toEqual(record);
      await eventually(() => resumed === 1, 5_000, "onResume is called once the channel is live again");
      expect(numsub(server, "wisp:bus:outage")).toBe(1);
      await storage.bus.publish(channel, { after: "restart" });
      await eventually(() => received.length === 1, 2_000, "a message published after the restart arrives");
      expect(received).toEqual([{ after: "restart" }]);
      expect(resumed).toBe(1);
      await stop();
    });

    it("fails within timeoutMs when Redis is frozen (connected, never answering), and answers again once it thaws", async () => {
      storage ??= await storageOn(binding, server, { timeoutMs: TIMEOUT_MS });
      await eventually(async () => (await storage!.sessions.set("s3", record, 60_000), true), 5_000, "Redis is up");
      server.proc.child.kill("SIGSTOP");
      try {
        const frozen = await timeRejection(() => storage!.sessions.get("s3", 60_000));
        console.info(`[${binding}] Redis frozen: sessions.get rejected after ${frozen.ms.toFixed(1)} ms (timeoutMs ${TIMEOUT_MS})`);
        expect(frozen.error).toBeInstanceOf(StorageUnavailableError);
        expect((frozen.error as StorageUnavailableError).detail).toContain(`did not answer GETEX within ${TIMEOUT_MS} ms`);
        expect(frozen.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
        expect(frozen.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      } finally {
        server.proc.child.kill("SIGCONT");
      }
      await eventually(async () => (await storage!.sessions.get("s3")) !== undefined, 5_000, "Redis answers again");
    });
  });
}
