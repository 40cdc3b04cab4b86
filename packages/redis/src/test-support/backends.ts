/**
 * What the tests share: one way to make a storage per client binding, and bounded polling.
 */
import type { Storage } from "@wisp/core";
import type { RedisServer } from "../../../../test-kit/redis.js";
import { ioredisPort } from "../ioredis.js";
import type { RedisStorageOptions } from "../options.js";
import { redisStorage } from "../redis-storage.js";

export type Binding = "node-redis" | "ioredis";
export const bindings: Binding[] = ["node-redis", "ioredis"];

/** A storage on `server` through `binding`; the options other than how to connect pass through. */
export function storageOn(binding: Binding, server: RedisServer, options: Omit<RedisStorageOptions, "url" | "client" | "subscriber" | "port"> = {}): Promise<Storage> {
  if (binding === "node-redis") return redisStorage({ ...options, url: server.url });
  return redisStorage({ ...options, port: ioredisPort({ url: server.url, timeoutMs: options.timeoutMs }) });
}

/** Polls `probe` until it returns true; fails after `ms`. */
export async function eventually(probe: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // Not yet (e.g. Redis still coming back).
    }
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** `PUBSUB NUMSUB channel` as a number. */
export const numsub = (server: RedisServer, channel: string): number => Number(server.cli("PUBSUB", "NUMSUB", channel).trim().split("\n")[1]);

/** How often Redis ran `command` since it started (INFO commandstats), 0 if never. */
export function calls(server: RedisServer, command: string): number {
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(server.cli("INFO", "commandstats"));
  return match ? Number(match[1]) : 0;
}
