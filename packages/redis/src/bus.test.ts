import type { Storage } from "@wisp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test-kit/redis.js";
import { bindings, calls, eventually, numsub, storageOn } from "./test-support/backends.js";

const DELAY_MS = 300;

for (const binding of bindings) {
  describe(`redisStorage on ${binding}: one Redis subscription per channel, dropped lazily`, () => {
    let server: RedisServer;
    let storage: Storage;
    beforeAll(async () => {
      server = await startRedis();
      storage = await storageOn(binding, server, { prefix: "lazy", unsubscribeDelayMs: DELAY_MS });
    });
    afterAll(async () => {
      await storage?.close?.();
      await server?.stop();
    });

    it("shares one SUBSCRIBE among every listener of a channel", async () => {
      const before = calls(server, "subscribe");
      const got: unknown[][] = [[], [], []];
      const stops = await Promise.all(got.map((list) => storage.bus.subscribe("shared", (m) => list.push(m))));
      expect(calls(server, "subscribe") - before).toBe(1);
      expect(numsub(server, "lazy:bus:shared")).toBe(1);
      await storage.bus.publish("shared", { n: 1 });
      await eventually(() => got.every((list) => list.length === 1), 2_000, "every listener gets the message");
      for (const stop of stops) await stop();
    });

    it("keeps the channel subscribed between a quick unsubscribe and resubscribe, and UNSUBSCRIBEs after the delay", async () => {
      const channel = "lazy:bus:quick";
      // UNSUBSCRIBE is counted server-wide: let the earlier test's channel lapse first.
      await eventually(() => server.cli("PUBSUB", "CHANNELS", "lazy:*").trim() === "", DELAY_MS + 2_000, "earlier channels are gone");
      const unsubscribesBefore = calls(server, "unsubscribe");
      const stop = await storage.bus.subscribe("quick", () => {});
      await stop();
      // No listener now, yet Redis still has the subscription: a PUBLISH reaches one subscriber.
      expect(numsub(server, channel)).toBe(1);
      expect(server.cli("PUBLISH", channel, '"in the gap"').trim()).toBe("1");
      // Let it arrive while nobody listens (redis-cli blocked the event loop until now).
      await new Promise((resolve) => setTimeout(resolve, 50));

      const subscribesBefore = calls(server, "subscribe");
      const again: unknown[] = [];
      const stopAgain = await storage.bus.subscribe("quick", (m) => again.push(m));
      expect(calls(server, "subscribe")).toBe(subscribesBefore); // rejoined without a round trip
      expect(numsub(server, channel)).toBe(1);
      expect(calls(server, "unsubscribe")).toBe(unsubscribesBefore); // no UNSUBSCRIBE reached Redis
      await storage.bus.publish("quick", "after rejoining");
      await eventually(() => again.length === 1, 2_000, "the rejoined listener gets new messages");
      expect(again).toEqual(["after rejoining"]);

      await stopAgain();
      const left = Date.now();
      await new Promise((resolve) => setTimeout(resolve, DELAY_MS / 2));
      expect(numsub(server, channel)).toBe(1); // still within the delay
      await eventually(() => numsub(server, channel) === 0, DELAY_MS + 2_000, "the channel is unsubscribed after the delay");
      expect(Date.now() - left).toBeGreaterThanOrEqual(DELAY_MS - 5);
      expect(calls(server, "unsubscribe")).toBe(unsubscribesBefore + 1);
    });

    it("an unsubscribe function called twice leaves the other listeners alone", async () => {
      const kept: unknown[] = [];
      const stopKept = await storage.bus.subscribe("twice", (m) => kept.push(m));
      const stop = await storage.bus.subscribe("twice", () => {});
      await stop();
      await stop();
      await storage.bus.publish("twice", 1);
      await eventually(() => kept.length === 1, 2_000, "the other listener still gets messages");
      await stopKept();
    });

    it("close() unsubscribes every channel it holds", async () => {
      const other = await storageOn(binding, server, { prefix: "lazy", unsubscribeDelayMs: 60_000 });
      await other.bus.subscribe("closing", () => {});
      expect(numsub(server, "lazy:bus:closing")).toBe(1);
      await other.close?.();
      await eventually(() => numsub(server, "lazy:bus:closing") === 0, 2_000, "no subscriber left after close()");
    });
  });
}
